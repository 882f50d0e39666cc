"""The one error of the service: an HTTP status, a short code and a French message."""

from __future__ import annotations


class ServiceError(Exception):
    """Answered as JSON ``{"error": code, "message": French}`` (or on the page) with ``status``."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def __reduce__(self) -> tuple[type[ServiceError], tuple[int, str, str, dict[str, str]]]:
        # raised in a validation process, re-raised in the server: must survive pickling
        return (ServiceError, (self.status, self.code, self.message, self.headers))
