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

from core.messages import Message
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
    """A list of numbers as canonical text: ``[200.0, 150.0]`` → ``"200,150"``."""
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
    """The first ``n`` values as Python shows them (``'lots', -5.0``), then how many more."""
    vals = list(values)
    text = ", ".join(repr(v) for v in vals[:n])
    return text + (f" … (+{len(vals) - n})" if len(vals) > n else "")


def _values(values: Sequence[Any], n: int = 5) -> dict[str, str]:
    return {"values": show_values(values, n)}


def coerce_numbers(gdf: gpd.GeoDataFrame, col: ProblemCollector) -> None:
    """Parse the numeric fields of :data:`geo.fields.NUMERIC_FIELDS` present, in place.

    Numbers become ``float64`` (``Int64`` for ``completion_year``), blanks NaN; text that is
    not a number, negative values, fractional years and shares outside 0..1 are recorded in
    ``col``. Text fields (:data:`geo.fields.TEXT_FIELDS`) become text like ids.
    """
    for name in F.NUMERIC_FIELDS:
        if name not in gdf.columns:
            continue
        parsed = [to_number(v) for v in gdf[name]]
        bad = np.array([v is None for v in parsed], dtype=bool)
        if bad.any():
            col.add(Message("geo.value.not_a_number", _values(gdf.loc[bad, name].tolist())),
                    rows=rows_of(gdf, bad), field=name)
        values = pd.Series([np.nan if v is None else v for v in parsed], index=gdf.index,
                           dtype="float64")
        if name == "completion_year":
            frac = values.notna() & (values % 1 != 0)
            if frac.any():
                col.add(Message("geo.value.year_not_whole", _values(values[frac].tolist())),
                        rows=rows_of(gdf, frac), field=name)
            gdf[name] = values.where(~frac).round().astype("Int64")
        else:
            gdf[name] = values
        if name != "completion_year":
            neg = (gdf[name] < 0).to_numpy(dtype=bool)
            if neg.any():
                col.add(Message("geo.value.negative", _values(gdf.loc[neg, name].tolist())),
                        rows=rows_of(gdf, neg), field=name)
    if "elderly_share" in gdf.columns:
        big = (gdf["elderly_share"] > 1).to_numpy(dtype=bool)
        if big.any():
            col.add(Message("geo.value.share_range",
                            _values(gdf.loc[big, "elderly_share"].tolist())),
                    rows=rows_of(gdf, big), field="elderly_share")
    for name in F.TEXT_FIELDS:
        if name in gdf.columns and name != "id":
            gdf[name] = id_strings(gdf[name])


def coerce_lists(gdf: gpd.GeoDataFrame, col: ProblemCollector) -> None:
    """Normalise the list fields of :data:`geo.fields.LIST_FIELDS` to text like ``"200,150"``.

    Pieces that are not numbers and negative values are recorded in ``col``.
    """
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
            col.add(Message("geo.value.not_number_list", _values(gdf.loc[bad, name].tolist())),
                    rows=rows_of(gdf, bad), field=name)
        neg = np.array([v is not None and len(v) > 0 and min(v) < 0 for v in parsed],
                       dtype=bool)
        if neg.any():
            col.add(Message("geo.value.negative", _values(gdf.loc[neg, name].tolist())),
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
    notes: list[Any],
) -> None:
    """Normalise a categorical field to its canonical values (:data:`geo.fields.VALUE_ALIASES`).

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer, changed in place.
    col : ProblemCollector
        Where problems are recorded: unknown values, a missing required column or value.
    name : str
        The field (``area_type``, ``service``, ``status``, ``kind``).
    default : str, optional
        Value of rows (or of the whole file) that give none; recorded in ``notes``.
    required : bool
        A row without a value (and no default) is a problem.
    notes : list
        Defaults filled in, as messages.
    """
    allowed = list(F.VALUE_ALIASES[name])
    if default is not None and F.canonical_value(name, default) is None:
        col.add(Message("geo.value.default_not_allowed",
                        {"name": name, "default": repr(default), "allowed": str(allowed)}),
                field=name)
        default = None
    default_c = F.canonical_value(name, default) if default is not None else None
    if name not in gdf.columns:
        if default_c is not None:
            gdf[name] = pd.array([default_c] * len(gdf), dtype="string")
            notes.append(Message("geo.value.column_defaulted",
                                 {"name": name, "default": repr(default_c)}))
        elif required:
            col.add(Message("geo.value.column_missing",
                            {"name": name, "aliases": "/".join(F.FIELD_ALIASES[name][:4])}),
                    field=name)
        else:
            gdf[name] = pd.array([pd.NA] * len(gdf), dtype="string")
        return
    raw = gdf[name].astype("string").str.strip()
    blank = raw.isna() | (raw == "")
    canon = raw.map(lambda v: pd.NA if v is pd.NA or v == "" else
                    (F.canonical_value(name, v) or "?"))
    unknown = (canon == "?").fillna(False).to_numpy(dtype=bool)
    if unknown.any():
        col.add(Message("geo.value.unknown_category", {
            "name": name, "values": show_values(sorted(set(raw[unknown]))),
            "allowed": str(allowed),
            "examples": ", ".join(F.VALUE_ALIASES[name][allowed[0]][1:3])}),
            rows=rows_of(gdf, unknown), field=name)
    if blank.any():
        if default_c is not None:
            canon = canon.where(~blank, default_c)
            notes.append(Message("geo.value.blank_defaulted", {
                "name": name, "default": repr(default_c),
                "rows": show_values(rows_of(gdf, blank), 20)}))
        elif required:
            col.add(Message("geo.value.missing_category", {"name": name}),
                    rows=rows_of(gdf, blank), field=name)
    gdf[name] = canon.where(~pd.Series(unknown, index=canon.index)).astype("string")


def check_demand_inputs(gdf: gpd.GeoDataFrame, col: ProblemCollector) -> None:
    """Record rows whose population is missing with nothing to derive it from."""
    present = [c for c in ("population", "households", "floor_area_m2") if c in gdf.columns]
    if not present:
        col.add(Message("geo.value.no_demand_columns"), field="population")
        return
    has_any = np.zeros(len(gdf), dtype=bool)
    for c in present:
        v = gdf[c].to_numpy(dtype="float64", na_value=np.nan)
        has_any |= np.isfinite(v) & (v >= 0)
    missing = ~has_any
    if missing.any():
        col.add(Message("geo.value.population_underivable"), rows=rows_of(gdf, missing),
                field="population")

