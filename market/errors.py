"""Domain errors raised by services and turned into pages or JSON by the handlers."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `status` is the HTTP status views and the API answer with."""

    status = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    def shown(self) -> str:
        """The one message a page shows for this refusal: what is wrong with each field, each message
        once, when the refusal names fields, else its own message. Never both: a form-level and a
        field-level message together read as the same complaint twice ("请填写原因。 必须填写原因。")."""
        details = dict.fromkeys(m for found in self.field_errors.values() for m in found)
        return "；".join(details) if details else self.message


class ValidationFailed(DomainError):
    status = 422


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The object is not in a state that allows the action (e.g. approving a draft)."""

    status = 409


class RetryLater(DomainError):
    """Refused for now; `retry_after` (seconds) is sent as the Retry-After header and in the body."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyRequests(RetryLater):
    """Over a rate budget."""

    status = 429


class Unavailable(RetryLater):
    """Something the request needs is down (the shared rate-limit store): not the client's fault."""

    status = 503
