"""How far a walk goes: a time budget and a walking speed, with the distance derived."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from core.messages import Message
from errors import InputError, Problem

__all__ = ["Reach", "DEFAULT_REACH"]


@dataclass(frozen=True)
class Reach:
    """A walking reach: minutes at a speed; the distance in metres follows.

    One value travels from the profile (or the command line) to the travel-time search, the
    service areas and the coverage figures, so the reach is converted in one place.

    Parameters
    ----------
    minutes : float
        The time budget (cutoff) in minutes; finite and positive.
    speed_m_per_min : float, default 60.0
        Walking speed in metres per minute; finite and positive (60 m/min, DESIGN.md's
        default: 15 minutes ≈ 900 m; profiles give a slower speed for the elderly).

    Raises
    ------
    errors.InputError
        When either number is not finite and positive.

    Examples
    --------
    >>> Reach(15, 60).metres
    900.0
    """

    minutes: float
    speed_m_per_min: float = 60.0

    def __post_init__(self) -> None:
        problems = []
        for name in ("minutes", "speed_m_per_min"):
            value = getattr(self, name)
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if not (math.isfinite(number) and number > 0):
                problems.append(Problem(Message("geo.reach.not_positive",
                                                {"name": name, "value": str(value)}),
                                        field=name))
            else:
                object.__setattr__(self, name, number)
        if problems:
            raise InputError(problems, source="reach")

    @property
    def metres(self) -> float:
        """The distance walked within the budget: ``minutes × speed_m_per_min``."""
        return self.minutes * self.speed_m_per_min

    def with_minutes(self, minutes: float) -> Reach:
        """The same speed with another time budget."""
        return Reach(minutes, self.speed_m_per_min)

    def bands(self, minutes: Sequence[float]) -> tuple[Reach, ...]:
        """Reaches at this speed for each budget of ``minutes`` (e.g. 5, 10, 15)."""
        return tuple(self.with_minutes(m) for m in minutes)


#: The default reach of DESIGN.md: 15 minutes at 60 m/min (900 m).
DEFAULT_REACH = Reach(15.0, 60.0)
