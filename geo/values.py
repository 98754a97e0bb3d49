"""Field values as read: ids as text, numbers, lists of numbers and categories, checked.

This is where identifiers and numbers are normalised, once, when a file is read: ids become
text (``12.0`` → ``'12'``, blanks → missing), numbers become floats (thousands separators and
blanks understood), lists of numbers become canonical text such as ``"200,150"``, categorical
values become their canonical spelling (:mod:`geo.fields`). Later code trusts them. Every
problem is recorded in a :class:`errors.ProblemCollector` with the offending rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from errors import ProblemCollector
from geo import fields as F

__all__ = [
    "check_demand_inputs",
    "coerce_category",
    "coerce_lists",
    "coerce_numbers",
    "format_number_list",
    "id_strings",
    "parse_number_list",
    "rows_of",
    "show_values",
    "to_number",
]


def id_strings(values: pd.Series) -> pd.Series:
    """Ids as text: 12.0 → '12', blanks → NA."""
    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return pd.NA
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        s = str(v).strip()
        return s if s else pd.NA

    return values.map(one).astype("string")


_NUM_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def to_number(v: Any) -> float | None:
    """Parse one cell; NaN for blank, None when it is not a number."""
    if v is None or v is pd.NA:
        return np.nan
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float | np.integer | np.floating):
        return float(v)
    s = str(v).strip().replace("\u3000", "")
    if s == "" or s.lower() in ("nan", "null", "none", "na", "n/a", "-", "—"):
        return np.nan
    if _NUM_RE.match(s):
        s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return None


def parse_number_list(value: Any) -> list[float] | None:
    """Parse a list of numbers: ``"200,150"`` / ``"200，150"`` / ``"200、150"`` / a list.

    Pieces may be separated by ``,，、;；/|`` or spaces. Returns None when the value is missing
    (None, NaN, blank or ``nan`` text) and raises ValueError naming the first piece that is not
    a finite number.
    """
    if isinstance(value, list | tuple | np.ndarray):
        parts: list[Any] = list(value)
    elif value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    else:
        s = str(value).strip().strip("[]()")
        if not s or s.lower() in ("nan", "none", "null"):
            return None
        parts = [x for x in re.split(r"[,，、;；/|\s]+", s) if x]
    out: list[float] = []
    for part in parts:
        x = to_number(part)
        if x is None or not np.isfinite(x):
            raise ValueError(f"{part!r} is not a number")
        out.append(x)
    return out


def format_number_list(values: list[float]) -> str:
    return ",".join(f"{v:g}" for v in values)


def rows_of(frame: pd.DataFrame, mask: Any) -> list[Any]:
    """Ids of the rows in ``mask``; a duplicated or missing id also gets its row number."""
    m = np.asarray(mask, dtype=bool)
    ids = frame["id"].astype("string")
    ambiguous = (ids.duplicated(keep=False) | ids.isna()).to_numpy(dtype=bool)
    out: list[Any] = []
    for pos in np.flatnonzero(m):
        rid = ids.iloc[pos]
        if ambiguous[pos]:
            out.append(f"{'(no id)' if rid is pd.NA else rid} (row {pos + 1})")
        else:
            out.append(rid)
    return out


def show_values(values: Sequence[Any], n: int = 5) -> str:
    vals = list(values)
    text = ", ".join(repr(v) for v in vals[:n])
    return text + (f" … (+{len(vals) - n})" if len(vals) > n else "")




def coerce_numbers(gdf: gpd.GeoDataFrame, col: ProblemCollector) -> None:
    for name in F.NUMERIC_FIELDS:
        if name not in gdf.columns:
            continue
        parsed = [to_number(v) for v in gdf[name]]
        bad = np.array([v is None for v in parsed], dtype=bool)
        if bad.any():
            col.add(f"not a number: {show_values(gdf.loc[bad, name].tolist())}",
                    rows=rows_of(gdf, bad), field=name)
        values = pd.Series([np.nan if v is None else v for v in parsed], index=gdf.index,
                           dtype="float64")
        if name == "completion_year":
            frac = values.notna() & (values % 1 != 0)
            if frac.any():
                col.add(f"year is not a whole number: {show_values(values[frac].tolist())}",
                        rows=rows_of(gdf, frac), field=name)
            gdf[name] = values.where(~frac).round().astype("Int64")
        else:
            gdf[name] = values
        if name != "completion_year":
            neg = (gdf[name] < 0).to_numpy(dtype=bool)
            if neg.any():
                col.add(f"negative values {show_values(gdf.loc[neg, name].tolist())}",
                        rows=rows_of(gdf, neg), field=name)
    if "elderly_share" in gdf.columns:
        big = (gdf["elderly_share"] > 1).to_numpy(dtype=bool)
        if big.any():
            col.add(f"a share must lie between 0 and 1, got "
                    f"{show_values(gdf.loc[big, 'elderly_share'].tolist())}",
                    rows=rows_of(gdf, big), field="elderly_share")
    for name in F.TEXT_FIELDS:
        if name in gdf.columns and name != "id":
            gdf[name] = id_strings(gdf[name])


def coerce_lists(gdf: gpd.GeoDataFrame, col: ProblemCollector) -> None:
    for name in F.LIST_FIELDS:
        if name not in gdf.columns:
            continue
        parsed: list[list[float] | None] = []
        bad_list: list[bool] = []
        for v in gdf[name]:
            try:
                parsed.append(parse_number_list(v))
                bad_list.append(False)
            except ValueError:
                parsed.append(None)
                bad_list.append(True)
        bad = np.array(bad_list, dtype=bool)
        if bad.any():
            col.add(f"expected numbers separated by commas, got "
                    f"{show_values(gdf.loc[bad, name].tolist())}", rows=rows_of(gdf, bad),
                    field=name)
        neg = np.array([v is not None and len(v) > 0 and min(v) < 0 for v in parsed],
                       dtype=bool)
        if neg.any():
            col.add(f"negative values {show_values(gdf.loc[neg, name].tolist())}",
                    rows=rows_of(gdf, neg), field=name)
        gdf[name] = pd.array([pd.NA if (v is None or not v) else format_number_list(v)
                              for v in parsed], dtype="string")


def coerce_category(
    gdf: gpd.GeoDataFrame,
    col: ProblemCollector,
    name: str,
    *,
    default: str | None,
    required: bool,
    notes: list[str],
) -> None:
    allowed = list(F.VALUE_ALIASES[name])
    if default is not None and F.canonical_value(name, default) is None:
        col.add(f"{name}={default!r} is not one of {allowed}", field=name)
        default = None
    default_c = F.canonical_value(name, default) if default is not None else None
    if name not in gdf.columns:
        if default_c is not None:
            gdf[name] = pd.array([default_c] * len(gdf), dtype="string")
            notes.append(f"no {name} column: every row set to {default_c!r}")
        elif required:
            col.add(f"no {name} column ({'/'.join(F.FIELD_ALIASES[name][:4])}); add one or "
                    f"pass {name}=", field=name)
        else:
            gdf[name] = pd.array([pd.NA] * len(gdf), dtype="string")
        return
    raw = gdf[name].astype("string").str.strip()
    blank = raw.isna() | (raw == "")
    canon = raw.map(lambda v: pd.NA if v is pd.NA or v == "" else
                    (F.canonical_value(name, v) or "?"))
    unknown = (canon == "?").fillna(False).to_numpy(dtype=bool)
    if unknown.any():
        col.add(f"unknown {name} {show_values(sorted(set(raw[unknown])))}; expected one of "
                f"{allowed} (or their Chinese names, e.g. "
                f"{', '.join(F.VALUE_ALIASES[name][allowed[0]][1:3])})",
                rows=rows_of(gdf, unknown), field=name)
    if blank.any():
        if default_c is not None:
            canon = canon.where(~blank, default_c)
            notes.append(f"blank {name} set to {default_c!r} in rows "
                         f"{show_values(rows_of(gdf, blank), 20)}")
        elif required:
            col.add(f"missing {name}", rows=rows_of(gdf, blank), field=name)
    gdf[name] = canon.where(~pd.Series(unknown, index=canon.index)).astype("string")


def check_demand_inputs(gdf: gpd.GeoDataFrame, col: ProblemCollector) -> None:
    present = [c for c in ("population", "households", "floor_area_m2") if c in gdf.columns]
    if not present:
        col.add("no population, households or floor area column (人口/population, "
                "户数/households, 建筑面积/floor_area_m2): demand cannot be derived",
                field="population")
        return
    has_any = np.zeros(len(gdf), dtype=bool)
    for c in present:
        v = gdf[c].to_numpy(dtype="float64", na_value=np.nan)
        has_any |= np.isfinite(v) & (v >= 0)
    missing = ~has_any
    if missing.any():
        col.add("population missing (or negative) and no households or floor area to derive "
                "it from", rows=rows_of(gdf, missing), field="population")

