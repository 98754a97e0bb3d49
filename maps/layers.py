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

from core.texts import t
from maps.html import BindFeatureText, BindText, dot, esc, fmt, swatch, table

SITE_COLOURS = {
    ("existing", "childcare"): "#1f77b4",
    ("existing", "eldercare"): "#2ca02c",
    ("proposed", "childcare"): "#d62728",
    ("proposed", "eldercare"): "#9467bd",
    ("candidate", "childcare"): "#7f7f7f",
    ("candidate", "eldercare"): "#7f7f7f",
}
OTHER_SITE_COLOUR = "#ff7f0e"
_LINEAR: Any = bcm.linear  # colour ramps are attributes made at run time
NO_DATA_COLOUR = "#d9d9d9"
UNCOVERED_COLOUR = "#e31a1c"
NETWORK_COLOUR = "#8c8c8c"
SERVICE_AREA_COLOUR = "#3182bd"
#: Drawing order of site statuses (later ones on top).
SITE_STATUSES: tuple[str, ...] = ("candidate", "existing", "proposed")


@dataclass
class AreaLegend:
    """Legend rows of the areas: the colour ramp (shown first) and the rest."""

    ramp: str | None = None
    rows: list[str] = field(default_factory=list)


def make_colormap(kind: str, values: pd.Series | np.ndarray, *,
                  caption: str) -> bcm.LinearColormap:
    """Branca colormap for ``shortfall`` (0 → max, yellow → red) or ``coverage`` (0 → 1).

    Parameters
    ----------
    kind : {'shortfall', 'coverage', 'value'}
        The ramp; any other kind spans the values with viridis.
    values : Series or ndarray
        The values to colour (non-numbers ignored).
    caption : str
        The legend caption.

    Returns
    -------
    branca.colormap.LinearColormap
        The colormap.
    """
    vals = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
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


def ramp_legend(cm: bcm.LinearColormap) -> str:
    """The legend block of a colour ramp: caption, gradient, lowest and highest value."""
    return (
        f"<div><b>{esc(cm.caption)}</b></div>"
        f'<div class="sw" style="width:100%;height:12px;background:linear-gradient('
        f'to right,{_stops(cm)})"></div>'
        f'<div style="display:flex;justify-content:space-between">'
        f"<span>{fmt(cm.vmin)}</span><span>{fmt(cm.vmax)}</span></div>"
    )


def radius(capacity: Any, cap_max: float) -> float:
    """Marker radius in pixels: 4 + 12·√(capacity / largest), so area grows with capacity."""
    try:
        c = float(capacity)
    except (TypeError, ValueError):
        c = float("nan")
    if math.isnan(c) or c <= 0 or cap_max <= 0:
        return 4.0
    return 4.0 + 12.0 * math.sqrt(c / cap_max)


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

    *areas* may carry a ``minutes`` column: the tooltip, and the opacity falls with minutes.
    """
    minutes = pd.to_numeric(areas.get("minutes", pd.Series(np.nan, index=areas.index)),
                            errors="coerce")
    mmax = float(minutes.max()) if minutes.notna().any() else 1.0
    sa = gpd.GeoDataFrame(
        {
            "_op": (0.08 + 0.12 * (1 - minutes.fillna(mmax) / mmax)).round(3).values,
            "_tip": [
                esc(t("map.minutes", lang, m=fmt(v))) if pd.notna(v) else "" for v in minutes
            ],
        },
        geometry=areas.geometry.values,
        crs=4326,
    )
    # larger (longer) areas first so the short ones stay on top
    layer = folium.GeoJson(
        sa.iloc[::-1],
        name=t("map.service_areas", lang),
        style_function=lambda f: {
            "color": SERVICE_AREA_COLOUR,
            "weight": 1,
            "fillColor": SERVICE_AREA_COLOUR,
            "fillOpacity": f["properties"]["_op"],
        },
    )
    layer.add_child(BindFeatureText())
    layer.add_to(m)
    return [swatch(f"background:{SERVICE_AREA_COLOUR};opacity:.4",
                   esc(t("map.service_areas", lang)))]


def _area_texts(row: pd.Series, value: float, cm: bcm.LinearColormap | None, *,
                extra: Mapping[str, str], lang: str) -> tuple[str, str]:
    """Tooltip and popup HTML of one area."""
    name = esc(row.get("name", ""))
    tip = name or esc(row.get("id", ""))
    if cm is not None:
        tip += f"<br>{esc(cm.caption)}: {fmt(value)}"
    rows = [
        ("id", esc(row.get("id", ""))),
        (t("map.name", lang), name),
        (t("map.population", lang), fmt(row.get("population"))),
    ]
    if cm is not None:
        rows.append((cm.caption, fmt(value)))
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
) -> AreaLegend:
    """Draw residential areas, coloured by *value_col* when given, with tooltips and popups.

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
        cm = make_colormap(value_kind, areas[value_col], caption=caption)
    extra = {c: label for c, label in (extra_fields or {}).items() if c in areas.columns}
    fills, tips, pops = [], [], []
    for _, row in areas.iterrows():
        v = row[value_col] if cm is not None else np.nan
        v = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
        if cm is not None and pd.notna(v):
            fills.append(cm(min(max(float(v), cm.vmin), cm.vmax)))
        else:
            fills.append(NO_DATA_COLOUR)
        tip, popup = _area_texts(row, v, cm, extra=extra, lang=lang)
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
    return AreaLegend(ramp=ramp_legend(cm) if cm is not None else None,
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


def _service_label(service: str, lang: str) -> str:
    return t(f"sc.{service}", lang) if service in ("childcare", "eldercare") else service


def _site_marker(row: pd.Series, *, status: str, service: str, capacity: Any,
                 cap_max: float, lang: str) -> folium.CircleMarker:
    """One site as a circle sized by capacity, with its tooltip and popup."""
    pt = row.geometry.representative_point()
    colour = SITE_COLOURS.get((status, service), OTHER_SITE_COLOUR)
    svc_label = _service_label(service, lang)
    tip = f"{esc(row.get('name', ''))} ({esc(svc_label)}) {fmt(capacity)}"
    popup = table(
        [
            ("id", esc(row.get("id", ""))),
            (t("map.name", lang), esc(row.get("name", ""))),
            (t("map.service", lang), esc(svc_label)),
            (t("map.status", lang), esc(t(f"map.{status}", lang))),
            (t("map.capacity", lang), fmt(capacity)),
        ]
    )
    candidate = status == "candidate"
    marker = folium.CircleMarker(
        location=(pt.y, pt.x),
        radius=radius(capacity, cap_max) if not candidate else 3.0,
        color="#ffffff" if not candidate else colour,
        weight=1.5 if status == "proposed" else 1.0,
        fill=True,
        fill_color=colour,
        fill_opacity=0.9 if not candidate else 0.4,
    )
    marker.add_child(BindText(tip, popup))
    return marker


def add_sites(m: folium.Map, sites: gpd.GeoDataFrame, *, lang: str) -> list[str]:
    """Draw sites in one layer per status, circles sized by ``capacity``.

    *sites* may carry ``status`` (default ``existing``), ``service`` (default ``childcare``),
    ``capacity``, ``name`` and ``id``.
    """
    caps = pd.to_numeric(sites.get("capacity", pd.Series(np.nan, index=sites.index)),
                         errors="coerce")
    cap_max = float(caps.max()) if caps.notna().any() else 0.0
    status = sites.get("status", pd.Series("existing", index=sites.index)).fillna("existing")
    service = sites.get("service", pd.Series("childcare", index=sites.index)).fillna("")
    legend: list[str] = []
    for st_value in SITE_STATUSES:
        mask = status.astype(str) == st_value
        if not mask.any():
            continue
        group = folium.FeatureGroup(name=t(f"map.{st_value}", lang))
        for idx in sites.index[mask]:
            _site_marker(sites.loc[idx], status=st_value, service=str(service[idx]),
                         capacity=caps[idx], cap_max=cap_max, lang=lang).add_to(group)
        group.add_to(m)
        for svc in sorted({str(s) for s in service[mask]}):
            colour = SITE_COLOURS.get((st_value, svc), OTHER_SITE_COLOUR)
            legend.append(dot(colour, f"{esc(t(f'map.{st_value}', lang))} · "
                                      f"{esc(_service_label(svc, lang))}"))
    if cap_max > 0:
        legend.append(f"<div style='color:#555'>"
                      f"{esc(t('map.capacity_scale', lang, max=fmt(cap_max)))}</div>")
    return legend
