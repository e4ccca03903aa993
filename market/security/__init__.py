"""Security log: who logged in, was refused, hit a rate limit, changed roles or moved deal data."""
