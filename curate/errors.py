"""Errors meant for the user: the CLI prints their message as one line and exits with `exit_code`."""


class CurateError(Exception):
    """A failure the user can act on (bad input file, unreadable output directory, ...)."""

    exit_code = 1


class UsageError(CurateError):
    """Bad arguments or configuration: nothing was written."""

    exit_code = 2


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message, cut to `limit` characters (for one-line reports)."""
    text = str(exc)
    return text.splitlines()[0][:limit] if text else ""
