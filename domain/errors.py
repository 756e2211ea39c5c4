"""Refusals the rules raise. Each carries a stable code the handlers translate."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `code` picks the localised message; `params` fill it."""

    code = "error"

    def __init__(self, code: str | None = None, **params: object) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(self.code, params)

    def __reduce__(self) -> tuple:
        # Kept in the effect journal (domain/effects.py) and raised again on a replay.
        return _rebuilt, (type(self), self.code, self.params)


def _rebuilt(cls: type[DomainError], code: str, params: dict) -> DomainError:
    return cls(code, **params)


class NotAllowed(DomainError):
    code = "not_allowed"


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    code = "invalid"


class Conflict(DomainError):
    """The thing changed under the caller: already decided, full, taken."""

    code = "conflict"
