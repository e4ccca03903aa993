"""Telling owners what happened to their postings, in the app and by mail (see postings.py).

A package above `orders` (whose Notification rows it writes) and `mail` (whose outbox it fills), so that
neither moderation nor orders has to import mail.
"""
