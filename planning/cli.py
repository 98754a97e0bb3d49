"""Command-line entry point.

Each sub-command lives in its own module under :mod:`planning.commands` and exposes
``add_parser(subparsers)`` (which registers the command and sets ``func``) and is listed in
:data:`COMMANDS`. Errors of the tool (:class:`errors.PlanningError`) are printed to standard
error and give exit status 2; nothing partial is written.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from core.messages import Message
from errors import PlanningError

#: Modules under ``planning.commands`` providing sub-commands, in help order.
COMMANDS: tuple[str, ...] = ("profiles", "check", "access", "coverage", "plan", "indicators",
                            "population", "sweep", "batch", "users")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="python -m planning",
        description="一老一小 facility siting and compliance planning tool.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"planning.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"planning.commands.{name}":
                continue
            raise
        module.add_parser(sub)
    for command in sub.choices.values():
        if any("--crs" in a.option_strings for a in command._actions):
            command.add_argument(
                "--crs-override", action="store_true", dest="crs_override",
                help="apply --crs even to files that declare another CRS (e.g. GCJ-02 or "
                     "BD-09 coordinates in a GeoJSON, which always declares WGS84)")
    return parser


def message_language() -> str:
    """The language of the command line's messages: ``PLANNING_LANG`` (``zh`` or ``en``).

    English by default; ``--lang`` of a command sets the language of what it draws (maps,
    reports), not of its messages.
    """
    lang = os.environ.get("PLANNING_LANG", "en")
    return lang if lang in ("zh", "en") else "en"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "crs_override", False) and getattr(args, "crs", None):
        from geo import CRSOverride

        args.crs = CRSOverride(args.crs)
    try:
        return int(args.func(args) or 0)
    except PlanningError as exc:
        print(f"error: {exc.render(message_language())}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader of our output went away (``... | head``): not an error of ours. Point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - no traceback reaches a planner
        if os.environ.get("PLANNING_DEBUG"):
            raise
        msg = Message("error.internal", {"kind": type(exc).__name__, "text": str(exc)})
        print(f"error: {msg.render(message_language())}", file=sys.stderr)
        return 1
