"""Base maps and the preparation of overlays for them.

``osm``       OpenStreetMap tiles (WGS84 overlays).
``tianditu``  天地图 vector tiles ``vec_w`` + labels ``cva_w`` (web mercator, WGS84/CGCS2000
              coordinates line up); needs the user's key (``tk``).
``amap``      高德 tiles, which are drawn in GCJ-02: every overlay is shifted WGS84 → GCJ-02
              with :func:`geo.crs.wgs84_to_gcj02` so that it lines up.
``offline``   no tiles at all; the street network is drawn from the data instead.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import shapely

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


def check_basemap(basemap: str) -> None:
    """Raise ``ValueError`` unless *basemap* is one of :data:`BASEMAPS`."""
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {BASEMAPS}, got {basemap!r}")


def shift_gcj(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return *gdf* (EPSG:4326) with every coordinate shifted WGS84 → GCJ-02.

    Parameters
    ----------
    gdf : GeoDataFrame
        A layer in EPSG:4326.

    Returns
    -------
    GeoDataFrame
        A copy drawn in GCJ-02 (for the 高德 tiles).
    """
    from geo import wgs84_to_gcj02

    def _tf(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])

    out = gdf.copy()
    out["geometry"] = shapely.transform(np.asarray(gdf.geometry.values), _tf)
    return out


def prepare_layer(gdf: gpd.GeoDataFrame | None, *, basemap: str) -> gpd.GeoDataFrame | None:
    """A layer ready to draw on *basemap*: in EPSG:4326, no empty shapes, shifted for 高德.

    Parameters
    ----------
    gdf : GeoDataFrame, optional
        The layer as read (any CRS).
    basemap : str
        One of :data:`BASEMAPS`.

    Returns
    -------
    GeoDataFrame or None
        None for a missing or empty layer.

    Raises
    ------
    errors.CRSError
        When the layer has no CRS.
    """
    if gdf is None or len(gdf) == 0:
        return None
    if gdf.crs is None:
        from errors import CRSError

        raise CRSError(["layer has no CRS; read it with geo.io so that it is in EPSG:4326"])
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    if basemap == "amap":
        gdf = shift_gcj(gdf)
    return gdf


def add_basemap(m: folium.Map, basemap: str, *, tianditu_key: str | None) -> None:
    """Add the tile layers of *basemap* to *m* (none for ``offline``).

    Raises
    ------
    errors.InputError
        For ``tianditu`` without a key.
    ValueError
        For an unknown base map.
    """
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
    else:
        check_basemap(basemap)
