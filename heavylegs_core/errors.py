"""User-facing errors: one line per problem, never a traceback.

Every mistake a user can make (a bad file, a bad option, an impossible value)
is raised as :class:`UserError`. The command line prints each problem as
``heavylegs: error: <file>[:<row>]: <what is wrong and how to fix it>`` and
exits with status 2; the apps show the same text in an ``.hl-error`` element.
"""

from __future__ import annotations

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
