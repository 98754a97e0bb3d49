"""The overlays of a district map, one function per layer; each returns its legend rows.

Layers come prepared by :func:`maps.basemaps.prepare_layer` (EPSG:4326, shifted for 高德).
Legend rows are HTML strings, their texts already escaped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import branca.colormap as bcm
import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from core.messages import format_number
from core.texts import t
from maps.html import BindFeatureText, esc, fmt, swatch, table
from maps.sites import SERVICE_COLOURS

#: Colours of the static figure's sites (status, service); the web map uses :mod:`maps.sites`.
SITE_COLOURS = {
    ("existing", "childcare"): "#9e9e9e",
    ("existing", "eldercare"): "#9e9e9e",
    ("proposed", "childcare"): SERVICE_COLOURS["childcare"],
    ("proposed", "eldercare"): SERVICE_COLOURS["eldercare"],
    ("candidate", "childcare"): "#7f7f7f",
    ("candidate", "eldercare"): "#7f7f7f",
}
_LINEAR: Any = bcm.linear  # colour ramps are attributes made at run time
NO_DATA_COLOUR = "#d9d9d9"
UNCOVERED_COLOUR = "#e31a1c"
NETWORK_COLOUR = "#8c8c8c"
SERVICE_AREA_COLOUR = "#3182bd"


@dataclass
class AreaLegend:
    """Legend rows of the areas: the colour ramp (shown first) and the rest."""

    ramp: str | None = None
    rows: list[str] = field(default_factory=list)


def make_colormap(kind: str, values: pd.Series | np.ndarray, *, caption: str,
                  value_range: tuple[float, float] | None = None) -> bcm.LinearColormap:
    """Branca colormap for ``shortfall`` (0 → max, yellow → red) or ``coverage`` (0 → 1).

    Parameters
    ----------
    kind : {'shortfall', 'coverage', 'value'}
        The ramp; any other kind spans the values with viridis.
    values : Series or ndarray
        The values to colour (non-numbers ignored).
    caption : str
        The legend caption.
    value_range : (float, float), optional
        Lowest and highest value of the ramp instead of those of *values* (one scale shared
        by several maps, see :func:`shared_range`); coverage keeps 0–1.

    Returns
    -------
    branca.colormap.LinearColormap
        The colormap.
    """
    vals = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if value_range is not None and kind != "coverage":
        vals = pd.Series([float(value_range[0]), float(value_range[1])])
    cm: bcm.LinearColormap
    if kind == "coverage":
        cm = _LINEAR.RdYlGn_09.scale(0.0, 1.0)
    elif kind == "shortfall":
        vmax = float(vals.max()) if len(vals) and float(vals.max()) > 0 else 1.0
        cm = _LINEAR.YlOrRd_09.scale(0.0, vmax)
    else:
        lo = float(vals.min()) if len(vals) else 0.0
        hi = float(vals.max()) if len(vals) else 1.0
        cm = _LINEAR.viridis.scale(lo, hi if hi > lo else lo + 1.0)
    cm.caption = caption
    return cm


def _stops(cm: bcm.LinearColormap, n: int = 9) -> str:
    """CSS gradient stops of a colormap (a static legend, no d3 needed)."""
    return ",".join(cm(cm.vmin + (cm.vmax - cm.vmin) * k / (n - 1)) for k in range(n))


#: Area columns counted in persons: whole numbers on the map.
PERSON_COLUMNS = frozenset({"population", "residents", "residents_per_ha", "households"})


def measure_number(value: Any, *, column: str | None = None, kind: str = "value") -> str:
    """A value of the measure the areas are coloured by, as the legend and popups show it.

    Shares (the ``coverage`` ramp, ``*_share`` columns) as percentages, persons whole,
    anything else (托位, m², …) with at most one decimal, whole from 100 up.

    Parameters
    ----------
    value : object
        The number (text is shown as it is, escaped; none or NaN as ``–``).
    column : str, optional
        The area column the value comes from.
    kind : {'shortfall', 'coverage', 'value'}
        The colour ramp.

    Returns
    -------
    str
        Escaped text, e.g. ``52%``, ``44``, ``5.3``, ``1,250``.
    """
    try:
        f = float(value)
    except (TypeError, ValueError):
        return fmt(value)
    if math.isnan(f):
        return "–"
    col = column or ""
    if kind == "coverage" or col.endswith("_share") or col == "coverage":
        return f"{format_number(f * 100.0, 1)}%"
    if col in PERSON_COLUMNS:
        return format_number(f, 0)
    return format_number(f, 0 if abs(f) >= 100 else 1)


def ramp_legend(cm: bcm.LinearColormap, *, column: str | None = None,
                kind: str = "value") -> str:
    """The legend block of a colour ramp: caption, gradient, lowest and highest value.

    The ends are shown as :func:`measure_number` shows the measure of *column* (*kind* ramp).
    """
    lo, hi = (measure_number(v, column=column, kind=kind) for v in (cm.vmin, cm.vmax))
    return (
        f"<div><b>{esc(cm.caption)}</b></div>"
        f'<div class="sw" style="width:100%;height:12px;background:linear-gradient('
        f'to right,{_stops(cm)})"></div>'
        f'<div style="display:flex;justify-content:space-between">'
        f"<span>{lo}</span><span>{hi}</span></div>"
    )


def add_network(m: folium.Map, edges: gpd.GeoDataFrame, *, lang: str, show: bool) -> list[str]:
    """Draw the street network as thin grey lines (shown at start when *show*)."""
    net = gpd.GeoDataFrame(geometry=edges.geometry.values, crs=4326)
    folium.GeoJson(
        net,
        name=t("map.network", lang),
        style_function=lambda _f: {"color": NETWORK_COLOUR, "weight": 1.2, "opacity": 0.8},
        control=True,
        show=show,
    ).add_to(m)
    return [swatch(f"background:{NETWORK_COLOUR};height:2px", esc(t("map.network", lang)))]


def add_service_areas(m: folium.Map, areas: gpd.GeoDataFrame, *, lang: str) -> list[str]:
    """Draw walking service areas, the shorter (more opaque) ones on top.

    *areas* may carry ``minutes`` (the tooltip, and the opacity falls with minutes),
    ``service`` (the colour of that service's sites) and ``name`` (the site's, in the tooltip).
    """
    idx = areas.index
    minutes = pd.to_numeric(areas.get("minutes", pd.Series(np.nan, index=idx)),
                            errors="coerce")
    mmax = float(minutes.max()) if minutes.notna().any() else 1.0
    service = areas.get("service", pd.Series("", index=idx)).fillna("").astype(str)
    names = areas.get("name", pd.Series("", index=idx)).fillna("").astype(str)
    base = 0.04 if "id" in areas.columns else 0.08
    tips = []
    for v, svc, name in zip(minutes, service, names, strict=True):
        bits = [esc(name)] if name else []
        if svc in SERVICE_COLOURS:
            bits.append(esc(t(f"sc.{svc}", lang)))
        if pd.notna(v):
            bits.append(esc(t("map.minutes", lang, m=fmt(v))))
        tips.append(" · ".join(bits))
    sa = gpd.GeoDataFrame(
        {
            # one area per site overlaps its neighbours': a lighter fill each
            "_op": (base * (1 + 1.5 * (1 - minutes.fillna(mmax) / mmax))).round(3).values,
            "_tip": tips,
            "_col": [SERVICE_COLOURS.get(s_, SERVICE_AREA_COLOUR) for s_ in service],
        },
        geometry=areas.geometry.values,
        crs=4326,
    )
    # larger (longer) areas first so the short ones stay on top
    layer = folium.GeoJson(
        sa.iloc[::-1],
        name=t("map.service_areas", lang),
        style_function=lambda f: {
            "color": f["properties"]["_col"],
            "weight": 1,
            "fillColor": f["properties"]["_col"],
            "fillOpacity": f["properties"]["_op"],
        },
    )
    layer.add_child(BindFeatureText())
    layer.add_to(m)
    shown = [s_ for s_ in SERVICE_COLOURS if s_ in set(service)]
    if not shown:
        return [swatch(f"background:{SERVICE_AREA_COLOUR};opacity:.4",
                       esc(t("map.service_areas", lang)))]
    return [swatch(f"background:{SERVICE_COLOURS[s_]};opacity:.4",
                   esc(t("map.service_areas_of", lang, service=t(f"sc.{s_}", lang))))
            for s_ in shown]


def _with_unit(value: Any, unit: str) -> str:
    text = fmt(value)
    return text if text == "–" else f"{text} {esc(unit)}"


def _area_texts(row: pd.Series, value: float, cm: bcm.LinearColormap | None, *,
                extra: Mapping[str, str], lang: str, column: str | None = None,
                kind: str = "value") -> tuple[str, str]:
    """Tooltip and popup HTML of one area."""
    name = esc(row.get("name", ""))
    tip = name or esc(row.get("id", ""))
    shown = measure_number(value, column=column, kind=kind)
    if cm is not None:
        tip += f"<br>{esc(cm.caption)}: {shown}"
    rows = [
        ("id", esc(row.get("id", ""))),
        (t("map.name", lang), name),
        (t("map.population", lang), _with_unit(row.get("population"), t("map.persons", lang))),
    ]
    if cm is not None:
        rows.append((cm.caption, shown))
    for col, label in extra.items():
        rows.append((label, fmt(row[col])))
    return tip, table(rows)


def add_areas(
    m: folium.Map,
    areas: gpd.GeoDataFrame,
    *,
    value_col: str | None,
    value_kind: str,
    value_label: str | None,
    extra_fields: Mapping[str, str] | None,
    lang: str,
    value_range: tuple[float, float] | None = None,
) -> AreaLegend:
    """Draw residential areas, coloured by *value_col* when given, with tooltips and popups.

    *value_range* fixes the ramp's ends (one scale for several maps).

    Returns
    -------
    AreaLegend
        The colour ramp (when coloured) and the areas' legend row.
    """
    cm = None
    if value_col is not None and value_col in areas.columns:
        caption = value_label or t(
            "map.coverage" if value_kind == "coverage" else "map.shortfall", lang
        )
        cm = make_colormap(value_kind, areas[value_col], caption=caption,
                           value_range=value_range)
    extra = {c: label for c, label in (extra_fields or {}).items() if c in areas.columns}
    fills, tips, pops = [], [], []
    for _, row in areas.iterrows():
        v = row[value_col] if cm is not None else np.nan
        v = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
        if cm is not None and pd.notna(v):
            fills.append(cm(min(max(float(v), cm.vmin), cm.vmax)))
        else:
            fills.append(NO_DATA_COLOUR)
        tip, popup = _area_texts(row, v, cm, extra=extra, lang=lang, column=value_col,
                                 kind=value_kind)
        tips.append(tip)
        pops.append(popup)
    ag = gpd.GeoDataFrame(
        {"_fill": fills, "_tip": tips, "_popup": pops}, geometry=areas.geometry.values, crs=4326
    )
    layer = folium.GeoJson(
        ag,
        name=t("map.areas", lang),
        # residential areas given as points (链家/安居客 tables, POIs) are circles coloured
        # like the polygons; Leaflet's default marker needs an image that is not bundled
        marker=folium.CircleMarker(radius=POINT_AREA_RADIUS, fill=True),
        style_function=lambda f: {
            "color": "#555555",
            "weight": 0.8,
            "fillColor": f["properties"]["_fill"],
            "fillOpacity": 0.65,
        },
        highlight_function=lambda _f: {"weight": 2.5, "color": "#000000"},
    )
    layer.add_child(BindFeatureText())
    layer.add_to(m)
    return AreaLegend(ramp=ramp_legend(cm, column=value_col, kind=value_kind)
                      if cm is not None else None,
                      rows=[swatch(f"background:{NO_DATA_COLOUR}", esc(t("map.areas", lang)))])


#: Radius in pixels of a residential area given as a point.
POINT_AREA_RADIUS = 6


def add_uncovered(m: folium.Map, areas: gpd.GeoDataFrame, ids: Iterable[Any], *,
                  lang: str) -> list[str]:
    """Outline in dashed red the areas whose ``id`` is in *ids* (no service in reach)."""
    wanted = {str(i) for i in ids}
    if not wanted or "id" not in areas.columns:
        return []
    unc = areas[areas["id"].astype(str).isin(wanted)]
    if not len(unc):
        return []
    ug = gpd.GeoDataFrame(
        {"_tip": [esc(n) for n in unc.get("name", unc["id"])]},
        geometry=unc.geometry.values,
        crs=4326,
    )
    layer = folium.GeoJson(
        ug,
        name=t("map.uncovered", lang),
        marker=folium.CircleMarker(radius=POINT_AREA_RADIUS + 3, fill=False),
        style_function=lambda _f: {
            "color": UNCOVERED_COLOUR,
            "weight": 2.5,
            "dashArray": "5,4",
            "fill": False,
        },
    )
    layer.add_child(BindFeatureText())
    layer.add_to(m)
    return [swatch(f"border:2px dashed {UNCOVERED_COLOUR};background:none",
                   esc(t("map.uncovered", lang)))]


def shared_range(frames: Iterable[pd.DataFrame | None], column: str) -> tuple[float, float] | None:
    """Lowest and highest value of *column* over several layers (one colour scale for all).

    Parameters
    ----------
    frames : iterable of DataFrame or None
        The layers (e.g. the areas of each compared scenario); those without *column* are
        skipped.
    column : str
        The measure.

    Returns
    -------
    (float, float) or None
        ``(min, max)`` over every number found; None when there is none.
    """
    vals = [pd.to_numeric(f[column], errors="coerce") for f in frames
            if f is not None and column in f.columns]
    allv = pd.concat(vals).dropna() if vals else pd.Series(dtype=float)
    if not len(allv):
        return None
    return float(allv.min()), float(allv.max())


#: Per service: (kind, column, ramp) of each measure a plan's map can colour areas by.
_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("shortfall", "{s}_unmet", "shortfall"),
    ("coverage", "{s}_served_share", "coverage"),
    ("demand", "{s}_required", "value"),
)
_DEMAND_COLUMNS = {"childcare": "childcare_places_required",
                   "eldercare": "eldercare_area_required_m2"}


def area_measures(areas: pd.DataFrame | None, services: Iterable[str], *,
                  lang: str) -> list[tuple[str, str, str]]:
    """What a plan's map can colour the areas by: shortfall, coverage and demand per service.

    Parameters
    ----------
    areas : DataFrame or None
        A run's areas (``<service>_unmet``, ``<service>_served_share``,
        ``childcare_places_required``, ``eldercare_area_required_m2``; or one service's
        ``shortfall``).
    services : iterable of str
        The run's services.
    lang : {'zh', 'en'}
        Language of the labels.

    Returns
    -------
    list of (column, ramp kind, label with unit)
        In display order; only columns the areas have.
    """
    if areas is None:
        return []
    cols = set(areas.columns)
    out: list[tuple[str, str, str]] = []
    for svc in services:
        svc_label = t(f"sc.{svc}", lang)
        unit = t(f"sc.unit.{svc}", lang)
        for measure, pattern, ramp in _MEASURES:
            col = _DEMAND_COLUMNS.get(svc, "") if measure == "demand" else pattern.format(s=svc)
            if measure == "shortfall" and col not in cols and "shortfall" in cols:
                col = "shortfall"
            if col in cols:
                out.append((col, ramp, t(f"map.measure.{measure}", lang, service=svc_label,
                                         unit=unit)))
    return out
