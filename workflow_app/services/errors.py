"""The one small family of errors services raise. The API maps them to status codes in one place,
the pages to flashed messages and form errors in one place."""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    """No such thing, or a thing this user may not see (we never leak another department's data)."""
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "validation_failed"


class Unavailable(DomainError):
    status = 503
    code = "unavailable"
