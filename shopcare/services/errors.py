"""Errors a caller can show to a person as they are."""


class InputError(ValueError):
    """The input was wrong; the message says what to fix. Nothing was written."""
