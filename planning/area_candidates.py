"""Candidate sites at every residential area, for tables of 小区 that come without any.

A planner with only a table of residential communities (points from 链家 / 安居客, a
bureau's list) has no candidate sites; the usual reading of 配建 is that a facility can be
provided inside each compound. :func:`candidates_at_areas` puts one candidate per planned
service at every area (its representative point, its 街道), with the sizes and costs the
planner gives per service in a small table (``service, fixed_cost, unit_cost, min_capacity,
max_capacity[, kind]``). No figure is invented: the table is required, every number in it is
checked, and the run's notes quote it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from core.messages import Message, Quantity
from core.vocab import SERVICE_UNITS, SERVICES
from errors import InputError, ProblemCollector

#: Columns of the planner's table of candidate sizes and costs, per service.
TEMPLATE_COLUMNS = ("service", "fixed_cost", "unit_cost", "min_capacity", "max_capacity")
_NUMBERS = TEMPLATE_COLUMNS[1:]


def check_candidate_template(frame: pd.DataFrame, services: Sequence[str], *,
                             source: str) -> pd.DataFrame:
    """The planner's sizes and costs per service, checked; one row per service in *services*.

    Parameters
    ----------
    frame : DataFrame
        The table as read (text cells), one row per service.
    services : sequence of str
        The services planned: each needs its row.
    source : str
        The table's file, named in errors.

    Raises
    ------
    errors.InputError
        Naming the file, the rows and the values: missing columns or services, a service
        given twice, numbers that are not finite or negative, a minimum above the maximum.
    """
    c = ProblemCollector(source=source)
    frame = frame.copy()
    frame.columns = [str(x).strip().lower() for x in frame.columns]
    missing = [x for x in TEMPLATE_COLUMNS if x not in frame.columns]
    if missing:
        c.add(Message("planning.cli.template_columns", {"columns": ", ".join(missing)}))
        c.raise_if_any()
    rows: dict[str, dict[str, object]] = {}
    for i, raw in frame.iterrows():
        row: dict[str, object] = dict(raw)
        line = int(str(i)) + 2  # the header is line 1
        svc = str(row["service"]).strip().lower()
        if svc not in SERVICES:
            c.add(Message("planning.cli.template_service", {"value": row["service"]}),
                  rows=[line], field="service")
            continue
        if svc in rows:
            c.add(Message("planning.cli.template_twice", {"service": svc}), rows=[line])
        for col in _NUMBERS:
            v = float(pd.to_numeric(pd.Series([row[col]]), errors="coerce").iloc[0])
            if not (math.isfinite(v) and v >= 0):
                c.add(Message("planning.cli.template_number", {"column": col,
                                                               "value": row[col]}),
                      rows=[line], field=col)
            else:
                row[col] = v
        low, high = row["min_capacity"], row["max_capacity"]
        if isinstance(low, float) and isinstance(high, float) and low > high:
            c.add(Message("planning.cli.template_range", {"low": low, "high": high}),
                  rows=[line])
        rows[svc] = row
    for svc in services:
        if svc not in rows:
            c.add(Message("planning.cli.template_missing",
                          {"service": Message(f"planning.service_{svc}")}))
    c.raise_if_any()
    out = pd.DataFrame([rows[s] for s in services]).reset_index(drop=True)
    out["service"] = list(services)
    return out


def candidates_at_areas(areas: gpd.GeoDataFrame, template: pd.DataFrame, *,
                        source: str) -> gpd.GeoDataFrame:
    """One candidate site per service of *template* at every area of *areas*.

    Parameters
    ----------
    areas : GeoDataFrame
        Residential areas (polygons or points) with ``id`` and optional ``name``,
        ``admin_unit``.
    template : DataFrame
        From :func:`check_candidate_template`.
    source : str
        The template's file, quoted in the note.

    Returns
    -------
    GeoDataFrame
        Candidate rows (``id`` = ``<area id>-<service>``, ``site_id`` = area id, ``status`` =
        candidate, the template's sizes and costs), with a note in ``attrs['notes']``.

    Examples
    --------
    Two areas and one service give two candidates, each at its area:

    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import Point
    >>> a = gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=[Point(0, 0), Point(1, 1)],
    ...                      crs=4326)
    >>> t = pd.DataFrame([{"service": "childcare", "fixed_cost": 1e5, "unit_cost": 2e4,
    ...                    "min_capacity": 20, "max_capacity": 80}])
    >>> list(candidates_at_areas(a, t, source="t.csv")["id"])
    ['A-childcare', 'B-childcare']
    """
    if not len(areas):
        raise InputError([Message("planning.cli.template_missing",
                                  {"service": "areas"})], source=source)
    points = areas.geometry.representative_point()
    frames = []
    for _, t in template.iterrows():
        svc = str(t["service"])
        f = pd.DataFrame({
            "id": [f"{a}-{svc}" for a in areas["id"].astype(str)],
            "name": (areas["name"] if "name" in areas.columns else areas["id"]).astype(str),
            "service": svc, "status": "candidate",
            "kind": str(t["kind"]) if "kind" in template.columns and pd.notna(t["kind"])
            else None,
            "capacity": 0.0,
            **{k: float(t[k]) for k in _NUMBERS},
            "admin_unit": areas["admin_unit"] if "admin_unit" in areas.columns else None,
            "site_id": areas["id"].astype(str),
        })
        frames.append(gpd.GeoDataFrame(f, geometry=points.values, crs=areas.crs))
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=areas.crs)
    figures = [Message("planning.cli.template_figure", {
        "service": Message(f"planning.service_{t['service']}"),
        "fixed": Quantity(float(t["fixed_cost"]), "yuan", 0),
        "unit_cost": f"{float(t['unit_cost']):,.0f}",
        "per": Message(f"planning.cli.per_{SERVICE_UNITS[str(t['service'])]}"),
        "low": Quantity(float(t["min_capacity"]), SERVICE_UNITS[str(t["service"])]),
        "high": Quantity(float(t["max_capacity"]), SERVICE_UNITS[str(t["service"])])})
        for _, t in template.iterrows()]
    out.attrs["notes"] = [Message("planning.cli.candidates_at_areas", {
        "n": len(areas),
        "services": [Message(f"planning.service_{s}") for s in template["service"]],
        "path": source, "figures": figures})]
    return out
