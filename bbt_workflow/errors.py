"""Errors services raise; views and the API turn them into responses.

Messages are lazy translatable strings, rendered in the caller's language.
"""


class ServiceError(Exception):
    status = 422
    page_status = None  # a web page's status when it is not the API's (keyset.BadCursor: 400)
    # Query parameters that made a web page fail and without which the same page works (keyset.BadCursor: a
    # cursor or page number from an old or edited link): the error page links to the page without them.
    page_params_to_drop = ()
    code = "rule_violated"

    def __init__(self, message, *, code=None, details=None):
        # The message stays lazy until a handler renders it, after rolling back: rendering picks the
        # reader's language from the signed-in user, which a session whose flush just failed (a
        # concurrent writer, StaleDataError) cannot load: that turned a 409 into a 500.
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class ValidationFailed(ServiceError):
    status = 422
    code = "validation_failed"


def field_error(field, message, code="validation_failed"):
    """A ValidationFailed that names the one field it is about (forms put it under that field)."""
    return ValidationFailed(message, code=code, details={field: [str(message)]})


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class TooManyAttempts(ServiceError):
    status = 429
    code = "too_many_attempts"


def retry_after_seconds(exc):
    """The Retry-After value (seconds) of a 429 that says when to come back, else None."""
    minutes = (getattr(exc, "details", None) or {}).get("retry_after_minutes")
    return int(minutes) * 60 if minutes else None
