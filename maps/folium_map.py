"""Folium maps of a district: residential areas by shortfall or coverage, sites, service areas.

One builder, :func:`build_map`, for the app and the HTML export. It puts together the base map
(:mod:`maps.basemaps`), one overlay per layer (:mod:`maps.layers`) and the legend
(:mod:`maps.html`). It uses Leaflet-only elements (no jQuery / Bootstrap plugins) so that
:mod:`maps.offline` can inline everything. Every user-supplied text (names, ids) is
HTML-escaped before it reaches a popup or tooltip.

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

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np

from core.texts import t
from maps.basemaps import AMAP_URL, BASEMAPS, TIANDITU_URL, add_basemap, check_basemap
from maps.basemaps import prepare_layer as _prepare
from maps.html import Legend, PageStyle, esc
from maps.layers import (
    NETWORK_COLOUR,
    NO_DATA_COLOUR,
    SERVICE_AREA_COLOUR,
    SITE_COLOURS,
    UNCOVERED_COLOUR,
    add_areas,
    add_network,
    add_service_areas,
    add_uncovered,
    make_colormap,
)
from maps.sites import add_sites

__all__ = [
    "AMAP_URL", "BASEMAPS", "NETWORK_COLOUR", "NO_DATA_COLOUR", "SERVICE_AREA_COLOUR",
    "SITE_COLOURS", "TIANDITU_URL", "UNCOVERED_COLOUR", "build_map", "esc", "make_colormap",
]

#: Above this many edges the network is drawn only in the offline mode (tiles show streets).
MAX_NETWORK_EDGES_OVER_TILES = 20000


def _fit(m: folium.Map, layers: Sequence[gpd.GeoDataFrame]) -> None:
    """Zoom *m* to the joint bounds of *layers*."""
    if not layers:
        return
    tb = np.array([g.total_bounds for g in layers])
    minx, miny = np.nanmin(tb[:, 0]), np.nanmin(tb[:, 1])
    maxx, maxy = np.nanmax(tb[:, 2]), np.nanmax(tb[:, 3])
    if np.isfinite([minx, miny, maxx, maxy]).all():
        m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])


def _frame(basemap: str, height: str | int, tianditu_key: str | None) -> folium.Map:
    """The empty map: page style and base map."""
    # Without web tiles nothing is blurred by fractional zoom levels, so the district can fill
    # the frame; tiled base maps keep whole zoom levels.
    zoom_snap = 0.25 if basemap == "offline" else 1
    m = folium.Map(tiles=None, control_scale=True, height=height, zoom_start=14,
                   zoom_snap=zoom_snap)
    m.add_child(PageStyle())
    add_basemap(m, basemap, tianditu_key=tianditu_key)
    return m


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
    value_range: tuple[float, float] | None = None,
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
        ``capacity``, ``name`` and optionally ``existing_capacity`` (a proposed site that
        had some is enlarged); one symbol per service and status, sized on each service's
        own scale, a place of both services drawn once and ringed (:mod:`maps.sites`).
    service_areas : GeoDataFrame, optional
        Walking service-area polygons, optionally with ``minutes``, ``service`` and ``name``.
    uncovered_ids : iterable, optional
        Ids of areas with no service in reach; outlined in red.
    network_edges : GeoDataFrame, optional
        Street network lines; drawn in the ``offline`` mode (and under the others if given).
    basemap : {'osm', 'tianditu', 'amap', 'offline'}
        The base map (see the module notes).
    tianditu_key : str, optional
        The user's 天地图 key; required for ``tianditu``.
    lang : {'zh', 'en'}
        Language of the layer names, legend, tooltips and popups.
    extra_fields : mapping, optional
        Further area columns to show in the popup: column → label.
    height : str or int
        Map height (CSS), default the whole page.
    value_range : (float, float), optional
        Ends of the colour ramp instead of the values' own (one scale across several maps).

    Returns
    -------
    folium.Map
        A Leaflet-only map; render it offline with :func:`maps.offline.offline_html`.
    """
    check_basemap(basemap)
    areas = _prepare(areas, basemap=basemap)
    sites = _prepare(sites, basemap=basemap)
    service_areas = _prepare(service_areas, basemap=basemap)
    network_edges = _prepare(network_edges, basemap=basemap)
    m = _frame(basemap, height, tianditu_key)

    legend: list[str] = []
    if network_edges is not None and (basemap == "offline"
                                      or len(network_edges) < MAX_NETWORK_EDGES_OVER_TILES):
        legend += add_network(m, network_edges, lang=lang, show=basemap == "offline")
    if service_areas is not None:
        legend += add_service_areas(m, service_areas, lang=lang)
    if areas is not None:
        area_legend = add_areas(m, areas, value_col=value_col, value_kind=value_kind,
                                value_label=value_label, extra_fields=extra_fields, lang=lang,
                                value_range=value_range)
        if area_legend.ramp is not None:
            legend.insert(0, area_legend.ramp)
        legend += area_legend.rows
        legend += add_uncovered(m, areas, uncovered_ids or [], lang=lang)
    if sites is not None:
        legend += add_sites(m, sites, lang=lang)

    if legend:
        # a <details> block: the planner can fold the legend away on a small map
        m.add_child(Legend(f"<details open><summary><b>{esc(t('map.legend', lang))}</b>"
                           f"</summary>{''.join(legend)}</details>"))
    # the planner's layers set the view; the street network only when nothing else is drawn
    # (a demo network left beside uploaded areas must not widen the view to both)
    shown = [g for g in (areas, sites, service_areas) if g is not None and len(g)]
    _fit(m, shown or [g for g in (network_edges,) if g is not None and len(g)])
    folium.LayerControl(collapsed=True).add_to(m)
    return m
