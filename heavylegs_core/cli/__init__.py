"""The ``heavylegs`` command line (interfaces.md section 1).

Each subcommand lives in its own module under :mod:`heavylegs_core.cli`
and is discovered automatically; a module provides ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. Command modules import
their heavy dependencies inside ``run`` so that ``heavylegs --help`` is quick.

Conventions: exit 0 on success; exit 2 with one ``heavylegs: error: ...`` line
per problem on stderr for any user mistake, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from heavylegs_core import __version__
from heavylegs_core.base.errors import UserError


class _Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"heavylegs: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The full ``heavylegs`` parser with every discovered subcommand."""
    parser = _Parser(
        prog="heavylegs",
        description="Why do my legs feel heavy? Triage first, then explained contributors.",
    )
    parser.add_argument("--version", action="version", version=f"heavylegs {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        cmd = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UserError as exc:
        for line in exc.lines():
            sys.stderr.write(line + "\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
