"""Self-registration (/auth/register): an account together with what it acts for.

A package of its own, above market.auth and market.providers, because registering a provider creates
its profile: the accounts package stays free of feature packages.
"""
