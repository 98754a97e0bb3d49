"""Residents by target year: developments count from their completion year with a ramp.

A development finishing in 2027 counts in a 2030 plan but not in a 2025 one; in between, an
occupancy ramp (a tool default, stated, that the planner can change) says how full it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.messages import Message
from errors import InputError

#: Occupancy of a development by years since its completion year (index 0 = the completion
#: year itself, 1 = the year after …; the last value holds from then on). A tool default, not a
#: policy figure: a block handed over in year Y is taken as empty in Y, half occupied in Y + 1,
#: 80 % in Y + 2 and full from Y + 3. Planners with local take-up figures pass their own ramp.
DEFAULT_OCCUPANCY_RAMP: tuple[float, ...] = (0.0, 0.5, 0.8, 1.0)




def occupancy_share(
    completion_year: np.ndarray | Sequence[float],
    target_year: int,
    *,
    ramp: Sequence[float] = DEFAULT_OCCUPANCY_RAMP,
) -> np.ndarray:
    """Share of a development's residents living there in ``target_year``.

    Parameters
    ----------
    completion_year : array_like
        Completion year of every development; NaN for areas already lived in (share 1).
    target_year : int
        The year of the plan (e.g. 2025, 2030, 2035).
    ramp : sequence of float
        Occupancy by years since completion (index 0 = the completion year); the last value
        holds afterwards. Default :data:`DEFAULT_OCCUPANCY_RAMP` (a tool default).

    Returns
    -------
    ndarray of float
        0 before the completion year, the ramp from it on, 1 without a completion year.

    Examples
    --------
    >>> occupancy_share([2027, 2020, np.nan], 2030).tolist()
    [1.0, 1.0, 1.0]
    >>> occupancy_share([2027, 2029], 2025).tolist()
    [0.0, 0.0]
    """
    r = np.asarray(list(ramp), dtype=float)
    if len(r) == 0 or not np.all(np.isfinite(r)) or (r < 0).any() or (r > 1).any():
        raise InputError([Message("population.bad_ramp", {"ramp": list(ramp)})])
    years = np.asarray(completion_year, dtype=float)
    since = target_year - years
    idx = np.clip(np.nan_to_num(since, nan=0.0), 0, len(r) - 1).astype(int)
    share = np.where(since < 0, 0.0, r[idx])
    return np.where(np.isfinite(years), share, 1.0)


def residents_by_year(
    areas: pd.DataFrame,
    target_year: int,
    *,
    ramp: Sequence[float] = DEFAULT_OCCUPANCY_RAMP,
    population: str = "population",
) -> pd.DataFrame:
    """Residents of every area in ``target_year``, counting developments by completion year.

    A development finishing in 2027 counts in a 2030 plan (fully, with the default ramp) but
    not in a 2025 one. Areas without ``completion_year`` are lived in already and count fully.

    Parameters
    ----------
    areas : DataFrame or GeoDataFrame
        With ``population`` (residents when fully occupied) and optionally
        ``completion_year``.
    target_year : int
        The year of the plan.
    ramp : sequence of float
        Occupancy by years since completion (see :func:`occupancy_share`).
    population : str
        Column of the residents when fully occupied.

    Returns
    -------
    Same type as ``areas``
        A copy with ``occupancy`` (0–1), ``residents_target_year`` and ``target_year``;
        ``attrs['occupancy_ramp']`` records the ramp and whether it is the tool default.
    """
    out = areas.copy()
    years = (pd.to_numeric(out["completion_year"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan) if "completion_year" in out.columns
        else np.full(len(out), np.nan))
    share = occupancy_share(years, target_year, ramp=ramp)
    pop = pd.to_numeric(out[population], errors="coerce").to_numpy(dtype=float,
                                                                   na_value=np.nan)
    out["occupancy"] = share
    out["residents_target_year"] = pop * share
    out["target_year"] = int(target_year)
    out.attrs["occupancy_ramp"] = {
        "ramp": [float(x) for x in ramp],
        "basis": "tool_default" if tuple(ramp) == DEFAULT_OCCUPANCY_RAMP else "given",
    }
    return out


def parse_ramp(text: str) -> tuple[float, ...]:
    """Parse a ramp such as ``"0,0.5,0.8,1"`` or ``"0 50% 80% 100%"``.

    Parameters
    ----------
    text : str
        Shares (0–1, or percentages with ``%``) separated by commas or spaces.

    Returns
    -------
    tuple of float

    Raises
    ------
    errors.InputError
        A piece that is not a share.
    """
    out: list[float] = []
    for piece in (p for p in re.split(r"[,，、;\s]+", text.strip()) if p):
        pct = piece.endswith("%")
        try:
            value = float(piece.rstrip("%"))
        except ValueError:
            raise InputError([Message("population.bad_ramp", {"ramp": text})]) from None
        out.append(value / 100.0 if pct else value)
    if not out or any(not 0 <= v <= 1 for v in out):
        raise InputError([Message("population.bad_ramp", {"ramp": text})])
    return tuple(out)

