"""Broker workspace (工作台): pipeline board, needs-attention list, deal reports and their exports."""
