"""User-facing errors: one line per problem, never a traceback.

Every mistake a user can make (a bad file, a bad option, an impossible value)
is raised as :class:`UserError`. The command line prints each problem as
``heavylegs: error: <file>[:<row>]: <what is wrong and how to fix it>`` and
exits with status 2; the apps show the same text in an ``.hl-error`` element.
"""

from __future__ import annotations

import errno as _errno
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input.

    ``where`` names the file (or option) at fault, ``row`` the 1-based data row
    when one is known, and ``message`` says what is wrong and how to fix it.
    """

    message: str
    where: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        place = ""
        if self.where:
            place = self.where if self.row is None else f"{self.where}:{self.row}"
            place += ": "
        return f"{place}{self.message}"


class UserError(Exception):
    """One or more problems caused by the user's input, not by a bug."""

    def __init__(self, problems: Problem | str | list[Problem], *, where: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, where)]
        elif isinstance(problems, Problem):
            problems = [problems]
        if not problems:
            raise ValueError("UserError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        """The problems as the command line prints them."""
        return [f"heavylegs: error: {p}" for p in self.problems]


class StorageError(UserError, OSError):
    """A write the folder or disk cannot take (read-only, full, no permission).

    A :class:`UserError` (one clear line, exit status 2, nothing written) that is
    also an :class:`OSError`, so code that already tolerates failed writes still does.
    """

    def __init__(self, message: str, *, where: str | None = None, errno: int | None = None):
        UserError.__init__(self, message, where=where)
        self.errno = errno


#: What an operating-system error number means for the user, for the errors a full,
#: read-only or foreign folder gives.
_STORAGE_REASONS = {
    _errno.ENOSPC: "the disk is full",
    _errno.EDQUOT: "the disk quota is used up",
    _errno.EFBIG: "the file would be larger than this system allows",
    _errno.EROFS: "the folder is on a read-only file system",
    _errno.EACCES: "there is no permission to write in this folder",
    _errno.EPERM: "there is no permission to write in this folder",
}


def storage_error(exc: OSError, where: str, what: str = "the file") -> StorageError | None:
    """The :class:`StorageError` for a full, read-only or forbidden folder, else None (a real fault).

    ``what`` names what could not be written, e.g. ``"athlete records"``.
    """
    reason = _STORAGE_REASONS.get(exc.errno or 0)
    if reason is None:
        return None
    fix = "free some space" if exc.errno in (_errno.ENOSPC, _errno.EDQUOT, _errno.EFBIG) else "choose a writable folder"
    return StorageError(f"cannot save {what}: {reason}; nothing was changed ({fix} and try again)",
                        where=where, errno=exc.errno)
