"""Subcommands of ``heavylegs``; one module each, discovered by :mod:`heavylegs_core.cli`.

Modules whose name starts with an underscore hold shared helpers.
"""
