"""The CLI dispatcher: every sub-command is registered, and a closed pipe is not an error."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys

from planning.cli import COMMANDS, build_parser
from tests.conftest import ROOT


def test_every_listed_command_is_registered():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(COMMANDS)


def test_closed_pipe_is_not_an_error():
    # `python -m planning profiles show hefei | head -1`: the reader stops early. The pipe is
    # made one page small so that the ~14 kB listing cannot fit in it and the writer really
    # meets the closed pipe.
    read_fd, write_fd = os.pipe()
    fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen(
        [sys.executable, "-m", "planning", "profiles", "show", "hefei"],
        cwd=ROOT,
        stdout=write_fd,
        stderr=subprocess.PIPE,
    )
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as reader:
        first = reader.readline()
    _, stderr = proc.communicate(timeout=60)
    assert first.startswith(b"profile hefei")
    assert b"Traceback" not in stderr, stderr.decode()
    assert proc.returncode == 0


def test_sweep_help_says_every_objective_honours_allow_unmet():
    """p-median and max coverage serve what they can too, not only min-cost."""
    sweep = build_parser()._subparsers._group_actions[0].choices["sweep"]
    (action,) = [a for a in sweep._actions if a.dest == "allow_unmet"]
    assert action.help.startswith("every objective (min-cost, p-median, max-coverage): serve ")
