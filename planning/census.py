"""Census tables: age-group fields, and sharing whole residents by largest remainders.

Used by :mod:`planning.population` (the dasymetric estimate) and :mod:`planning.age_demand`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.messages import Message
from errors import ProblemCollector
from geo.fields import normalise_key

#: Age-group columns a census layer may carry: canonical name → spellings in files.
AGE_FIELDS: dict[str, tuple[str, ...]] = {
    "age_0_3": ("age_0_3", "age_0_2", "under_3", "0-3岁", "0～3岁", "0至3岁", "0-3岁人口",
                "3岁以下", "3岁以下人口", "三岁以下", "0-2岁", "婴幼儿", "婴幼儿人口"),
    "age_60_plus": ("age_60_plus", "age_60", "60+", "60岁及以上", "60岁以上", "60岁及以上人口",
                    "60岁以上人口", "老年人口"),
    "age_65_plus": ("age_65_plus", "65+", "65岁及以上", "65岁以上", "65岁及以上人口"),
}




def largest_remainder(values: np.ndarray, total: float) -> np.ndarray:
    """Round ``values`` to whole numbers that add up to ``round(total)``.

    Floors every value, then gives the missing units to the largest remainders (ties to the
    earlier position).

    Parameters
    ----------
    values : ndarray
        Non-negative numbers whose sum is about ``total``.
    total : float
        The sum the rounded values must have.

    Returns
    -------
    ndarray of float
        Whole numbers.

    Examples
    --------
    >>> largest_remainder(np.array([3.3, 3.3, 3.4]), 10).tolist()
    [3.0, 3.0, 4.0]
    """
    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return v.copy()
    base = np.floor(v + 1e-9)
    missing = int(round(total - base.sum()))
    if missing > 0:
        order = np.argsort(-(v - base), kind="stable")
        base[order[:missing]] += 1
    elif missing < 0:
        order = np.argsort(v - base, kind="stable")
        take = [i for i in order if base[i] >= 1][: -missing]
        base[take] -= 1
    return base


def census_age_columns(columns: Sequence[str]) -> dict[str, str]:
    """Map a census layer's age-group columns to canonical names (see :data:`AGE_FIELDS`).

    Parameters
    ----------
    columns : sequence of str
        Column names as read.

    Returns
    -------
    dict
        ``{file column: canonical name}``.

    Examples
    --------
    >>> census_age_columns(["id", "常住人口", "0-3岁", "60岁及以上人口"])
    {'0-3岁': 'age_0_3', '60岁及以上人口': 'age_60_plus'}
    """
    out: dict[str, str] = {}
    for col in columns:
        key = normalise_key(str(col))
        for canonical, names in AGE_FIELDS.items():
            if key in {normalise_key(n) for n in names} and canonical not in out.values():
                out[str(col)] = canonical
    return out


def census_numbers(frame: pd.DataFrame, column: str, ids: np.ndarray, col: ProblemCollector,
             *, source: str | None) -> np.ndarray:
    """A column as floats (NaN when absent or blank); bad and negative values recorded.

    Text such as ``"45,000"`` (thousands separators) and full-width blanks are read as numbers.
    """
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    raw = frame[column]
    text = raw.astype("string").str.replace("\u3000", "").str.strip()
    grouped = text.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?").fillna(False)
    text = text.where(~grouped, text.str.replace(",", ""))
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = (text.notna() & (text != "")).to_numpy(dtype=bool) & ~np.isfinite(values)
    if bad.any():
        col.add(Message("population.not_number",
                        {"values": [str(v) for v in raw[bad].tolist()[:5]]}),
                rows=list(ids[bad]), field=column, source=source)
    neg = np.isfinite(values) & (values < 0)
    if neg.any():
        col.add(Message("population.negative", {"values": values[neg].tolist()[:5]}),
                rows=list(ids[neg]), field=column, source=source)
        values = np.where(neg, np.nan, values)
    return values


def shares_text(units: Sequence[str], shares: Sequence[float]) -> str:
    return "; ".join(f"{u} {s:.0%}" for u, s in zip(units, shares, strict=True))


