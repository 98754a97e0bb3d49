"""Census tables: age-group fields, sharing whole residents by largest remainders, residents
per hectare, and taking an estimate into the areas layer.

Used by :mod:`planning.population` (the dasymetric estimate), :mod:`planning.age_demand` and the
app's 人口估算 step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.messages import Message, Quantity
from errors import ProblemCollector
from geo import local_metric_crs, normalise_key

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




#: Square metres in a hectare (公顷).
M2_PER_HECTARE: float = 10_000.0


def residents_per_hectare(areas: gpd.GeoDataFrame, column: str = "population") -> np.ndarray:
    """Residents per hectare (人/公顷) of land of each area, measured in a metric CRS.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        Residential areas in any declared CRS (WGS84 included) with the residents in *column*.
    column : str
        The column of residents (``population`` by default).

    Returns
    -------
    ndarray of float
        *column* ÷ land area in hectares; NaN for points, empty outlines and missing residents.

    Examples
    --------
    2,000 residents on a 100 m × 100 m square (1 ha) live at 2,000 人/公顷.
    """
    metric = areas.geometry.to_crs(local_metric_crs(areas))
    land = shapely.area(np.asarray(metric.values, dtype=object))
    people = pd.to_numeric(areas[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(land > 0, people / np.where(land > 0, land, 1.0) * M2_PER_HECTARE, np.nan)


def accept_estimate(
    areas: gpd.GeoDataFrame | None,
    estimated: gpd.GeoDataFrame,
    *,
    census_source: str,
    parameters: dict[str, Any],
) -> gpd.GeoDataFrame:
    """The areas layer with its residents (and age groups) replaced by an estimate's.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame or None
        The current areas layer the estimate was made for (matched by ``id``); None when the
        estimate built its own areas (from an OSM extract), which then become the layer.
    estimated : geopandas.GeoDataFrame
        ``PopulationEstimate.areas``: ``population``, ``population_method``, age groups.
    census_source : str
        The census file, cited in the note.
    parameters : dict
        ``PopulationEstimate.parameters`` (floor area per person, persons per household).

    Returns
    -------
    geopandas.GeoDataFrame
        The layer with ``population``, ``population_method``, ``census_unit`` and the age groups
        of the estimate; areas the estimate left out (outside every census unit) keep their
        values. ``attrs['notes']`` ends with a ``population.estimate_applied`` note citing the
        census, the methods and the figures used, so that runs and exports can cite it (it
        replaces the note of an earlier estimate).
    """
    texts = ("population_method", "census_unit")
    carried = ["population", *texts, *[c for c in AGE_FIELDS if c in estimated.columns]]
    if areas is None:
        out = estimated.copy()
    else:
        out = areas.copy()
        est = estimated.set_index(estimated["id"].astype(str))
        ids = out["id"].astype(str)
        hit = ids.isin(est.index).to_numpy()
        for c in carried:
            new = est[c].reindex(ids).reset_index(drop=True)
            old = (out[c].reset_index(drop=True) if c in out.columns
                   else pd.Series([None] * len(out), dtype=object))
            merged = new.astype(object).where(hit, old.astype(object))
            out[c] = (pd.array(merged.where(merged.notna(), None), dtype="string") if c in texts
                      else pd.to_numeric(merged, errors="coerce").to_numpy(dtype=float))
        out.attrs = dict(areas.attrs)
    methods = estimated["population_method"].astype(str).value_counts()
    note = Message("population.estimate_applied", {
        "census": census_source, "areas": int(len(estimated)),
        "residents": Quantity(float(pd.to_numeric(estimated["population"]).sum()), "residents"),
        **{m: int(methods.get(m, 0)) for m in ("given", "households", "floor_area", "area")},
        "floor_area_per_person": Quantity(float(parameters["floor_area_per_person_m2"]), "m2"),
        "persons_per_household": Quantity(float(parameters["persons_per_household"]),
                                          "persons_per_household", digits=2)})
    earlier = [n for n in out.attrs.get("notes", [])  # an earlier estimate is replaced
               if getattr(n, "code", None) != "population.estimate_applied"]
    out.attrs["notes"] = [*earlier, note]
    return out
