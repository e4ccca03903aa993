"""Mail: the outbox, its delivery through SMTP, and what each person chose to receive."""
