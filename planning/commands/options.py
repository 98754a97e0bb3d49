"""Checked number options of the commands: finite, and within the range each one allows.

``argparse`` calls these as ``type=``; a value out of range is a usage error (exit status 2)
whose message names the option and the value, before anything is read or written.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _number(kind: type, *, low: float, low_open: bool, high: float | None = None,
            what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number; got {text}")
        if (value <= low) if low_open else (value < low):
            raise argparse.ArgumentTypeError(f"must be {what}; got {text}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be {what}; got {text}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


#: A positive number (minutes, speeds, distances, budgets, time limits).
positive = _number(float, low=0.0, low_open=True, what="a number > 0")
#: Zero or more (a snapping distance may be 0 only where said).
non_negative = _number(float, low=0.0, low_open=False, what="a number >= 0")
#: A relative gap: 0 to 1.
fraction = _number(float, low=0.0, low_open=False, high=1.0, what="a number from 0 to 1")
#: A whole count of at least 1 (number of sites p).
count = _number(int, low=1, low_open=False, what="a whole number >= 1")
