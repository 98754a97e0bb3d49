"""Folium maps of a district: residential areas by shortfall or coverage, sites, service areas.

One builder, :func:`build_map`, for the app and the HTML export. It uses Leaflet-only
elements (no jQuery / Bootstrap plugins) so that :mod:`maps.offline` can inline everything.
Every user-supplied text (names, ids) is HTML-escaped before it reaches a popup or tooltip.

Base maps
---------
``osm``       OpenStreetMap tiles (WGS84 overlays).
``tianditu``  天地图 vector tiles ``vec_w`` + labels ``cva_w`` (web mercator, WGS84/CGCS2000
              coordinates line up); needs the user's key (``tk``).
``amap``      高德 tiles, which are drawn in GCJ-02: every overlay is shifted WGS84 → GCJ-02
              with :func:`geo.crs.wgs84_to_gcj02` so that it lines up.
``offline``   no tiles at all; the street network is drawn from the data instead.
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Iterable, Mapping
from typing import Any

import branca.colormap as bcm
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from core.texts import t

BASEMAPS: tuple[str, ...] = ("osm", "tianditu", "amap", "offline")

TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}"
    "&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
AMAP_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)

SITE_COLOURS = {
    ("existing", "childcare"): "#1f77b4",
    ("existing", "eldercare"): "#2ca02c",
    ("proposed", "childcare"): "#d62728",
    ("proposed", "eldercare"): "#9467bd",
    ("candidate", "childcare"): "#7f7f7f",
    ("candidate", "eldercare"): "#7f7f7f",
}
_LINEAR: Any = bcm.linear  # colour ramps are attributes made at run time
NO_DATA_COLOUR = "#d9d9d9"
UNCOVERED_COLOUR = "#e31a1c"
NETWORK_COLOUR = "#8c8c8c"
SERVICE_AREA_COLOUR = "#3182bd"


def esc(value: Any) -> str:
    """Escape a user-supplied value for HTML that may sit inside a JS template literal.

    ``html.escape`` plus the backtick, ``$`` and backslash, which Folium's own tooltip
    template would otherwise let through into JavaScript.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = _html.escape(str(value), quote=True)
    return text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return esc(value)
    if math.isnan(f):
        return "–"
    return f"{f:,.0f}" if abs(f) >= 100 or f == int(f) else f"{f:,.2f}"


def _table(rows: Iterable[tuple[str, str]]) -> str:
    """HTML table from (label, already-escaped value) pairs; labels are escaped here."""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="pl-pop">{body}</table>'


class _BindText(MacroElement):
    """Bind a tooltip and popup (HTML strings, already escaped) to the parent layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% if this.tip %}{{ this._parent.get_name() }}.bindTooltip({{ this.tip|tojson }},
            {sticky: true});{% endif %}
        {% if this.popup %}{{ this._parent.get_name() }}.bindPopup({{ this.popup|tojson }},
            {maxWidth: 320});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, tip: str | None, popup: str | None):
        super().__init__()
        self._name = "BindText"
        self.tip = tip
        self.popup = popup


class _BindFeatureText(MacroElement):
    """Bind each feature's ``_tip`` / ``_popup`` property (already escaped) to its layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.eachLayer(function (l) {
            var p = (l.feature && l.feature.properties) || {};
            if (p._tip) { l.bindTooltip(p._tip, {sticky: true}); }
            if (p._popup) { l.bindPopup(p._popup, {maxWidth: 320}); }
        });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BindFeatureText"


class _Legend(MacroElement):
    """A Leaflet control with the legend HTML (no external library)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: 'bottomright'});
            legend.onAdd = function () {
                var div = L.DomUtil.create('div', 'pl-legend');
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str):
        super().__init__()
        self._name = "Legend"
        self.html = html


class _Style(MacroElement):
    """Page CSS for the legend and popups."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .pl-legend {background: rgba(255,255,255,0.92); padding: 6px 8px; font: 12px/1.4
            "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; border-radius: 4px;
            box-shadow: 0 0 6px rgba(0,0,0,0.3); max-width: 260px;}
        .pl-legend .sw {display: inline-block; width: 14px; height: 10px; margin-right: 4px;
            vertical-align: middle;}
        .pl-legend .dot {display: inline-block; width: 10px; height: 10px; margin-right: 4px;
            border-radius: 50%; vertical-align: middle;}
        .pl-legend svg {display: block;}
        table.pl-pop th {text-align: left; padding-right: 6px; font-weight: 600;}
        .leaflet-container {background: #f7f7f4;}
        </style>
        {% endmacro %}
        """
    )


def _shift_gcj(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return *gdf* (EPSG:4326) with every coordinate shifted WGS84 → GCJ-02."""
    from geo import wgs84_to_gcj02

    def _tf(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])

    out = gdf.copy()
    out["geometry"] = shapely.transform(np.asarray(gdf.geometry.values), _tf)
    return out


def _prepare(gdf: gpd.GeoDataFrame | None, *, basemap: str) -> gpd.GeoDataFrame | None:
    if gdf is None or len(gdf) == 0:
        return None
    if gdf.crs is None:
        from errors import CRSError

        raise CRSError(["layer has no CRS; read it with geo.io so that it is in EPSG:4326"])
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    if basemap == "amap":
        gdf = _shift_gcj(gdf)
    return gdf


def make_colormap(kind: str, values: pd.Series | np.ndarray, *, caption: str) -> bcm.LinearColormap:
    """Branca colormap for ``shortfall`` (0 → max, yellow → red) or ``coverage`` (0 → 1)."""
    vals = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
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


def _radius(capacity: Any, cap_max: float) -> float:
    try:
        c = float(capacity)
    except (TypeError, ValueError):
        c = float("nan")
    if math.isnan(c) or c <= 0 or cap_max <= 0:
        return 4.0
    return 4.0 + 12.0 * math.sqrt(c / cap_max)


def _add_basemap(m: folium.Map, basemap: str, *, tianditu_key: str | None) -> None:
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    elif basemap == "tianditu":
        if not tianditu_key:
            from errors import InputError

            raise InputError(["the 天地图 base map needs a key (tk): set tianditu_key"])
        for layer, overlay in (("vec", False), ("cva", True)):
            folium.TileLayer(
                tiles=TIANDITU_URL.format(s="{s}", layer=layer, key=tianditu_key),
                attr="&copy; 天地图 Tianditu",
                name=f"天地图 {layer}",
                subdomains="01234567",
                max_zoom=18,
                overlay=overlay,
                control=False,
            ).add_to(m)
    elif basemap == "amap":
        folium.TileLayer(
            tiles=AMAP_URL,
            attr="&copy; 高德地图 AutoNavi",
            name="高德",
            subdomains="1234",
            max_zoom=18,
            control=False,
        ).add_to(m)
    elif basemap != "offline":
        raise ValueError(f"basemap must be one of {BASEMAPS}, got {basemap!r}")


def build_map(
    *,
    areas: gpd.GeoDataFrame | None = None,
    value_col: str | None = None,
    value_kind: str = "shortfall",
    value_label: str | None = None,
    sites: gpd.GeoDataFrame | None = None,
    service_areas: gpd.GeoDataFrame | None = None,
    uncovered_ids: Iterable[Any] | None = None,
    network_edges: gpd.GeoDataFrame | None = None,
    basemap: str = "osm",
    tianditu_key: str | None = None,
    lang: str = "zh",
    extra_fields: Mapping[str, str] | None = None,
    height: str | int = "100%",
) -> folium.Map:
    """Build the Folium map of a district.

    Parameters
    ----------
    areas : GeoDataFrame, optional
        Residential areas (EPSG:4326) with ``id``, ``name`` and optionally ``population``.
    value_col : str, optional
        Column of *areas* that colours them (e.g. a shortfall in 托位, or a coverage share).
    value_kind : {'shortfall', 'coverage', 'value'}
        Colour ramp: yellow→red from 0 for shortfall, red→green on 0–1 for coverage.
    value_label : str, optional
        Caption of the colour legend; defaults to the translated kind.
    sites : GeoDataFrame, optional
        Sites with ``status`` ('existing' | 'proposed' | 'candidate'), ``service``,
        ``capacity``, ``name``; drawn as circles sized by capacity (area ∝ capacity).
    service_areas : GeoDataFrame, optional
        Walking service-area polygons, optionally with a ``minutes`` column.
    uncovered_ids : iterable, optional
        Ids of areas with no service in reach; outlined in red.
    network_edges : GeoDataFrame, optional
        Street network lines; drawn in the ``offline`` mode (and under the others if given).
    basemap : {'osm', 'tianditu', 'amap', 'offline'}
    tianditu_key : str, optional
        The user's 天地图 key; required for ``tianditu``.
    lang : {'zh', 'en'}
    extra_fields : mapping, optional
        Further area columns to show in the popup: column → label.
    height : str or int
        Map height (CSS), default the whole page.

    Returns
    -------
    folium.Map
        A Leaflet-only map; render it offline with :func:`maps.offline.offline_html`.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {BASEMAPS}, got {basemap!r}")
    areas = _prepare(areas, basemap=basemap)
    sites = _prepare(sites, basemap=basemap)
    service_areas = _prepare(service_areas, basemap=basemap)
    network_edges = _prepare(network_edges, basemap=basemap)

    # Without web tiles nothing is blurred by fractional zoom levels, so the district can fill
    # the frame; tiled base maps keep whole zoom levels.
    zoom_snap = 0.25 if basemap == "offline" else 1
    m = folium.Map(tiles=None, control_scale=True, height=height, zoom_start=14,
                   zoom_snap=zoom_snap)
    m.add_child(_Style())
    _add_basemap(m, basemap, tianditu_key=tianditu_key)

    bounds_src = [g for g in (areas, sites, network_edges, service_areas) if g is not None]
    legend: list[str] = []

    if network_edges is not None and (basemap == "offline" or len(network_edges) < 20000):
        net = gpd.GeoDataFrame(geometry=network_edges.geometry.values, crs=4326)
        folium.GeoJson(
            net,
            name=t("map.network", lang),
            style_function=lambda _f: {"color": NETWORK_COLOUR, "weight": 1.2, "opacity": 0.8},
            control=True,
            show=basemap == "offline",
        ).add_to(m)
        legend.append(
            f'<div><span class="sw" style="background:{NETWORK_COLOUR};height:2px"></span>'
            f"{esc(t('map.network', lang))}</div>"
        )

    if service_areas is not None:
        sa = service_areas.copy()
        minutes = pd.to_numeric(sa.get("minutes", pd.Series(np.nan, index=sa.index)),
                                errors="coerce")
        mmax = float(minutes.max()) if minutes.notna().any() else 1.0
        sa = gpd.GeoDataFrame(
            {
                "_op": (0.08 + 0.12 * (1 - minutes.fillna(mmax) / mmax)).round(3).values,
                "_tip": [
                    esc(t("map.minutes", lang, m=_fmt(v))) if pd.notna(v) else ""
                    for v in minutes
                ],
            },
            geometry=sa.geometry.values,
            crs=4326,
        )
        # larger (longer) areas first so the short ones stay on top
        folium_sa = folium.GeoJson(
            sa.iloc[::-1],
            name=t("map.service_areas", lang),
            style_function=lambda f: {
                "color": SERVICE_AREA_COLOUR,
                "weight": 1,
                "fillColor": SERVICE_AREA_COLOUR,
                "fillOpacity": f["properties"]["_op"],
            },
        )
        folium_sa.add_child(_BindFeatureText())
        folium_sa.add_to(m)
        legend.append(
            f'<div><span class="sw" style="background:{SERVICE_AREA_COLOUR};opacity:.4"></span>'
            f"{esc(t('map.service_areas', lang))}</div>"
        )

    uncovered = {str(i) for i in (uncovered_ids or [])}
    if areas is not None:
        cm = None
        if value_col is not None and value_col in areas.columns:
            caption = value_label or t(
                "map.coverage" if value_kind == "coverage" else "map.shortfall", lang
            )
            cm = make_colormap(value_kind, areas[value_col], caption=caption)
        fills, tips, pops = [], [], []
        for _, row in areas.iterrows():
            v = row[value_col] if cm is not None else np.nan
            v = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
            if cm is not None and pd.notna(v):
                fills.append(cm(min(max(float(v), cm.vmin), cm.vmax)))
            else:
                fills.append(NO_DATA_COLOUR)
            name = esc(row.get("name", ""))
            tip = name or esc(row.get("id", ""))
            if cm is not None:
                tip += f"<br>{esc(cm.caption)}: {_fmt(v)}"
            tips.append(tip)
            rows = [
                ("id", esc(row.get("id", ""))),
                (t("map.name", lang), name),
                (t("map.population", lang), _fmt(row.get("population"))),
            ]
            if cm is not None:
                rows.append((cm.caption, _fmt(v)))
            for col, label in (extra_fields or {}).items():
                if col in areas.columns:
                    rows.append((label, _fmt(row[col])))
            pops.append(_table(rows))
        ag = gpd.GeoDataFrame(
            {"_fill": fills, "_tip": tips, "_popup": pops}, geometry=areas.geometry.values, crs=4326
        )
        layer = folium.GeoJson(
            ag,
            name=t("map.areas", lang),
            style_function=lambda f: {
                "color": "#555555",
                "weight": 0.8,
                "fillColor": f["properties"]["_fill"],
                "fillOpacity": 0.65,
            },
            highlight_function=lambda _f: {"weight": 2.5, "color": "#000000"},
        )
        layer.add_child(_BindFeatureText())
        layer.add_to(m)
        if cm is not None:
            legend.insert(
                0,
                f"<div><b>{esc(cm.caption)}</b></div>"
                f'<div class="sw" style="width:100%;height:12px;background:linear-gradient('
                f'to right,{_stops(cm)})"></div>'
                f'<div style="display:flex;justify-content:space-between">'
                f"<span>{_fmt(cm.vmin)}</span><span>{_fmt(cm.vmax)}</span></div>",
            )
        legend.append(
            f'<div><span class="sw" style="background:{NO_DATA_COLOUR}"></span>'
            f"{esc(t('map.areas', lang))}</div>"
        )
        if uncovered and "id" in areas.columns:
            unc = areas[areas["id"].astype(str).isin(uncovered)]
            if len(unc):
                ug = gpd.GeoDataFrame(
                    {"_tip": [esc(n) for n in unc.get("name", unc["id"])]},
                    geometry=unc.geometry.values,
                    crs=4326,
                )
                ul = folium.GeoJson(
                    ug,
                    name=t("map.uncovered", lang),
                    style_function=lambda _f: {
                        "color": UNCOVERED_COLOUR,
                        "weight": 2.5,
                        "dashArray": "5,4",
                        "fill": False,
                    },
                )
                ul.add_child(_BindFeatureText())
                ul.add_to(m)
                legend.append(
                    f'<div><span class="sw" style="border:2px dashed {UNCOVERED_COLOUR};'
                    f'background:none"></span>{esc(t("map.uncovered", lang))}</div>'
                )

    if sites is not None:
        caps = pd.to_numeric(sites.get("capacity", pd.Series(np.nan, index=sites.index)),
                             errors="coerce")
        cap_max = float(caps.max()) if caps.notna().any() else 0.0
        status = sites.get("status", pd.Series("existing", index=sites.index)).fillna("existing")
        service = sites.get("service", pd.Series("childcare", index=sites.index)).fillna("")
        for st_value in ("candidate", "existing", "proposed"):
            mask = status.astype(str) == st_value
            if not mask.any():
                continue
            group = folium.FeatureGroup(name=t(f"map.{st_value}", lang))
            for idx in sites.index[mask]:
                row = sites.loc[idx]
                pt = row.geometry.representative_point()
                colour = SITE_COLOURS.get((st_value, str(service[idx])), "#ff7f0e")
                svc = str(service[idx])
                svc_label = t(f"sc.{svc}", lang) if svc in ("childcare", "eldercare") else svc
                tip = f"{esc(row.get('name', ''))} ({esc(svc_label)}) {_fmt(caps[idx])}"
                popup = _table(
                    [
                        ("id", esc(row.get("id", ""))),
                        (t("map.name", lang), esc(row.get("name", ""))),
                        (t("map.service", lang), esc(svc_label)),
                        (t("map.status", lang), esc(t(f"map.{st_value}", lang))),
                        (t("map.capacity", lang), _fmt(caps[idx])),
                    ]
                )
                marker = folium.CircleMarker(
                    location=(pt.y, pt.x),
                    radius=_radius(caps[idx], cap_max) if st_value != "candidate" else 3.0,
                    color="#ffffff" if st_value != "candidate" else colour,
                    weight=1.5 if st_value == "proposed" else 1.0,
                    fill=True,
                    fill_color=colour,
                    fill_opacity=0.9 if st_value != "candidate" else 0.4,
                )
                marker.add_child(_BindText(tip, popup))
                marker.add_to(group)
            group.add_to(m)
            kinds = sorted({str(s) for s in service[mask]})
            for svc in kinds:
                colour = SITE_COLOURS.get((st_value, svc), "#ff7f0e")
                svc_label = t(f"sc.{svc}", lang) if svc in ("childcare", "eldercare") else svc
                legend.append(
                    f'<div><span class="dot" style="background:{colour}"></span>'
                    f"{esc(t(f'map.{st_value}', lang))} · {esc(svc_label)}</div>"
                )
        if cap_max > 0:
            legend.append(
                f"<div style='color:#555'>"
                f"{esc(t('map.capacity_scale', lang, max=_fmt(cap_max)))}</div>"
            )

    if legend:
        m.add_child(
            _Legend(f"<div><b>{esc(t('map.legend', lang))}</b></div>" + "".join(legend))
        )
    if bounds_src:
        tb = np.array([g.total_bounds for g in bounds_src])
        minx, miny = np.nanmin(tb[:, 0]), np.nanmin(tb[:, 1])
        maxx, maxy = np.nanmax(tb[:, 2]), np.nanmax(tb[:, 3])
        if np.isfinite([minx, miny, maxx, maxy]).all():
            m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    folium.LayerControl(collapsed=True).add_to(m)
    return m
