"""Conversations: one message thread per engagement (a proposal or an order) between the enterprise and
the provider, which the region's brokers read and join; and the contact details the two parties share
once an order is accepted. See docs/conversations.md."""
