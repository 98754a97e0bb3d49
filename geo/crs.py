"""Coordinate reference systems: resolving names, the Chinese web-map datums, sanity checks.

Everything the tool reads ends up in WGS84 (EPSG:4326). Besides EPSG-coded systems
(WGS84, CGCS2000 EPSG:4490, CGCS2000 Gauss-Krüger zones EPSG:4513–4554, UTM …) it accepts
the two obfuscated datums of Chinese web maps when the user names them:

GCJ-02 (国测局坐标; 高德/腾讯/天地图-China tiles) and BD-09 (百度坐标), whose published
formulas live in :mod:`geo.datums` (and are re-exported here).

CGCS2000 and WGS84 differ by a few centimetres; geographic CGCS2000 coordinates are taken as
WGS84 without a shift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.exceptions import CRSError as PyprojCRSError

from core.messages import Message
from errors import CRSError, Problem
from geo.datums import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

__all__ = [
    "GCJ02",
    "BD09",
    "WGS84",
    "CHINA_BOUNDS",
    "out_of_china",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "wgs84_to_bd09",
    "resolve_crs",
    "crs_label",
    "to_wgs84",
    "check_coordinates",
    "local_metric_crs",
    "metric_crs_at",
]

GCJ02 = "gcj02"
BD09 = "bd09"
WGS84 = pyproj.CRS.from_epsg(4326)
CGCS2000 = pyproj.CRS.from_epsg(4490)

# China's extent with a margin (lon_min, lat_min, lon_max, lat_max); used for sanity checks
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)

_ALIASES: dict[str, str | int] = {
    "wgs84": 4326, "wgs_84": 4326, "wgs-84": 4326, "wgs 84": 4326, "4326": 4326,
    "epsg:4326": 4326,
    "cgcs2000": 4490, "cgcs_2000": 4490, "china2000": 4490, "china 2000": 4490,
    "国家2000": 4490, "2000国家大地坐标系": 4490, "4490": 4490, "epsg:4490": 4490,
    "gcj02": GCJ02, "gcj-02": GCJ02, "gcj_02": GCJ02, "gcj": GCJ02, "mars": GCJ02,
    "火星坐标": GCJ02, "国测局": GCJ02, "amap": GCJ02, "gaode": GCJ02, "高德": GCJ02,
    "bd09": BD09, "bd-09": BD09, "bd_09": BD09, "bd09ll": BD09, "baidu": BD09, "百度": BD09,
}



@dataclass(frozen=True)
class CRSOverride:
    """A CRS the planner applies even over the one a file declares (``--crs-override``).

    A plain ``crs`` only fills in files that declare none; a file whose declared CRS differs
    is an error, so that a careless option never moves correct coordinates. GeoJSON always
    declares WGS84, so GCJ-02 or BD-09 GeoJSON (高德, 百度 exports) needs this on purpose.
    """

    crs: Any


def resolve_crs(name: Any) -> pyproj.CRS | str | None:
    """Resolve a user's CRS name.

    Parameters
    ----------
    name : str, int, pyproj.CRS or None
        ``'wgs84'``, ``'cgcs2000'``, ``'gcj02'``, ``'bd09'`` (and Chinese or other common
        spellings), ``'EPSG:4549'``, ``4549``, a WKT/PROJ string, or a :class:`pyproj.CRS`.

    Returns
    -------
    pyproj.CRS, ``'gcj02'``, ``'bd09'`` or None
        None when ``name`` is None.

    Raises
    ------
    errors.CRSError
        When the name is not understood (Baidu Mercator ``bd09mc`` included: convert it to
        BD-09 lon/lat first).
    """
    if isinstance(name, CRSOverride):
        name = name.crs
    if name is None:
        return None
    if isinstance(name, pyproj.CRS):
        return name
    if isinstance(name, int):
        key: str = str(name)
    else:
        key = str(name).strip()
    alias = _ALIASES.get(key.lower())
    if alias in (GCJ02, BD09):
        return str(alias)
    if isinstance(alias, int):
        return pyproj.CRS.from_epsg(alias)
    if key.lower() in ("bd09mc", "bd09_mc", "baidu_mercator"):
        raise CRSError([Problem(Message("geo.crs.baidu_mercator", {"name": repr(name)}))])
    try:
        resolved = pyproj.CRS.from_user_input(int(key) if key.isdigit() else key)
    except (PyprojCRSError, ValueError, TypeError) as exc:
        raise CRSError([Problem(Message("geo.crs.not_understood",
                                        {"name": repr(name), "error": str(exc)}))]) from None
    ellipsoid = resolved.ellipsoid
    if ellipsoid is None or abs(ellipsoid.semi_major_metre - 6_378_137.0) > 20_000.0:
        raise CRSError([Problem(Message("geo.crs.not_earth",
                                        {"name": repr(name), "crs": resolved.name}))])
    return resolved


def crs_label(crs: pyproj.CRS | str | None) -> str:
    """Short human-readable name of a resolved CRS (``'EPSG:4549'``, ``'gcj02'``…)."""
    if crs is None:
        return "none"
    if isinstance(crs, str):
        return crs
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def _is_chinese_datum(crs: pyproj.CRS) -> bool:
    geodetic = crs.geodetic_crs
    datum = (geodetic.datum.name if geodetic is not None and geodetic.datum is not None
             else "") or ""
    d = datum.lower()
    return any(k in d for k in ("china 2000", "china_2000", "xian 1980", "xian_1980",
                                "beijing 1954", "beijing_1954", "new beijing"))


def _sample(xs: np.ndarray, ys: np.ndarray, mask: np.ndarray, n: int = 3) -> str:
    idx = np.flatnonzero(mask)[:n]
    return ", ".join(f"({xs[i]:.6g}, {ys[i]:.6g})" for i in idx)


def check_coordinates(
    xs: np.ndarray, ys: np.ndarray, crs: pyproj.CRS | str, *, source: str
) -> None:
    """Raise :class:`errors.CRSError` when coordinates cannot be in ``crs``.

    Checks: geographic coordinates within ±180/±90 (and within China for GCJ-02, BD-09 and
    Chinese-datum systems); projected coordinates not all small enough to be degrees, and,
    once transformed, inside the CRS's area of use (with a margin) and inside China for
    Chinese-datum systems.

    Parameters
    ----------
    xs, ys : numpy.ndarray
        Coordinates (vertices) to test; NaNs are ignored.
    crs : pyproj.CRS or 'gcj02' or 'bd09'
        The CRS the coordinates are said to be in.
    source : str
        File name for the message.
    """
    xs = np.asarray(xs, dtype="float64")
    ys = np.asarray(ys, dtype="float64")
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    if xs.size == 0:
        return
    label = crs_label(crs)
    problems: list[Message] = []
    geographic = isinstance(crs, str) or crs.is_geographic
    if geographic:
        bad = (np.abs(xs) > 180) | (np.abs(ys) > 90)
        if bad.any():
            swapped = bool(((np.abs(xs[bad]) <= 90) & (np.abs(ys[bad]) <= 180)).all())
            guess = Message("geo.crs.guess_swapped" if swapped else "geo.crs.guess_projected")
            problems.append(Message("geo.crs.not_degrees", {
                "n": int(bad.sum()), "crs": label, "sample": _sample(xs, ys, bad),
                "guess": guess}))
        elif isinstance(crs, str) or _is_chinese_datum(crs):
            x0, y0, x1, y1 = CHINA_BOUNDS
            bad = (xs < x0) | (xs > x1) | (ys < y0) | (ys > y1)
            if bad.any():
                flipped = (ys[bad] >= x0) & (ys[bad] <= x1) & (xs[bad] >= y0) & (xs[bad] <= y1)
                code = ("geo.crs.outside_china_swapped" if flipped.all()
                        else "geo.crs.outside_china")
                problems.append(Message(code, {"n": int(bad.sum()), "crs": label,
                                               "sample": _sample(xs, ys, bad)}))
    elif isinstance(crs, pyproj.CRS):
        small = (np.abs(xs) <= 180) & (np.abs(ys) <= 90)
        if small.all():
            problems.append(Message("geo.crs.degrees_not_metres",
                                    {"crs": label, "sample": _sample(xs, ys, small)}))
        else:
            tr = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
            with np.errstate(all="ignore"):
                lon, lat = tr.transform(xs, ys)
            lon = np.asarray(lon)
            lat = np.asarray(lat)
            bad = ~(np.isfinite(lon) & np.isfinite(lat))
            aou = crs.area_of_use
            if aou is not None and not bad.all():
                margin = 3.0
                bad |= (lon < aou.west - margin) | (lon > aou.east + margin) | (
                    lat < aou.south - margin) | (lat > aou.north + margin)
            if _is_chinese_datum(crs):
                x0, y0, x1, y1 = CHINA_BOUNDS
                bad |= (lon < x0) | (lon > x1) | (lat < y0) | (lat > y1)
            if bad.any():
                where = f" ({aou.name})" if aou is not None else ""
                problems.append(Message("geo.crs.outside_area_of_use", {
                    "n": int(bad.sum()), "crs": label, "area": where,
                    "sample": _sample(xs, ys, bad)}))
    if problems:
        raise CRSError([Problem(p, source=source) for p in problems], source=source)


def _shift(geoms: np.ndarray, func: Any) -> np.ndarray:
    def transformation(coords: np.ndarray) -> np.ndarray:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    shifted: np.ndarray = shapely.transform(geoms, transformation)
    return shifted


def to_wgs84(
    gdf: gpd.GeoDataFrame, *, crs: Any = None, source: str
) -> gpd.GeoDataFrame:
    """Bring a frame to WGS84 (EPSG:4326), checking that its coordinates fit its CRS.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Frame as read; its ``.crs`` is the file's declaration (may be None).
    crs : str, int or pyproj.CRS, optional
        The user's statement of the coordinates' CRS (see :func:`resolve_crs`). It is
        required when the file declares none, and it must be given for GCJ-02 / BD-09 data
        (files cannot declare those). When the file declares a different CRS it is an error,
        unless ``crs`` is a :class:`CRSOverride`: then the user's wins and the override is
        recorded in ``attrs['repairs']``.
    source : str
        File name for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame in EPSG:4326; ``attrs['source_crs']`` names the CRS it came from.

    Raises
    ------
    errors.CRSError
        No CRS at all, an unknown CRS, or coordinates that cannot be in the CRS.
    """
    override = isinstance(crs, CRSOverride)
    user = resolve_crs(crs)
    declared = gdf.crs
    attrs = dict(gdf.attrs)
    repairs = list(attrs.get("repairs", []))
    if user is None and declared is None:
        raise CRSError([Problem(Message("geo.crs.missing"), source=source)], source=source)
    target = user if user is not None else declared
    if user is not None and declared is not None:
        same = (not isinstance(user, str)) and pyproj.CRS(declared).equals(user)
        if not same and not override:
            raise CRSError([Problem(Message("geo.crs.conflict", {
                "declared": crs_label(pyproj.CRS(declared)),
                "given": crs_label(user) if not isinstance(user, str) else user}),
                source=source)], source=source)
        if not same:
            if isinstance(user, str) and not pyproj.CRS(declared).is_geographic:
                raise CRSError([Problem(Message("geo.crs.datum_vs_projected", {
                    "crs": repr(crs), "datum": user,
                    "declared": crs_label(pyproj.CRS(declared))}), source=source)],
                    source=source)
            repairs.append(Message("geo.crs.overridden", {
                "declared": crs_label(pyproj.CRS(declared)), "given": crs_label(target)}))
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if present.any():
        coords = shapely.get_coordinates(geoms[present])
        check_coordinates(coords[:, 0], coords[:, 1], target, source=source)
    frame = gpd.GeoDataFrame(gdf.drop(columns=gdf.geometry.name), geometry=list(geoms),
                             crs=None)
    if isinstance(target, str):
        func = gcj02_to_wgs84 if target == GCJ02 else bd09_to_wgs84
        frame = frame.set_geometry(_shift(geoms, func), crs=WGS84)
    else:
        target_crs = pyproj.CRS(target)
        if target_crs.equals(WGS84) or target_crs.equals(CGCS2000):
            # CGCS2000 lon/lat coincide with WGS84 to a few centimetres: no shift
            frame = frame.set_crs(WGS84, allow_override=True)
        else:
            frame = frame.set_crs(target_crs).to_crs(WGS84)
    attrs["repairs"] = repairs
    attrs["source_crs"] = crs_label(target)
    frame.attrs = attrs
    return frame


def local_metric_crs(gdf: gpd.GeoDataFrame | Any) -> pyproj.CRS:
    """UTM zone (WGS84) of the centre of a frame's extent, for measuring in metres.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or GeoSeries
        Any CRS; a frame without CRS is taken as already projected only if it is not lon/lat —
        to be safe, a missing CRS raises.

    Returns
    -------
    pyproj.CRS
        EPSG:326zz (north) or EPSG:327zz (south).
    """
    if gdf.crs is None:
        raise CRSError([Problem(Message("geo.crs.no_metric_for_unknown"))])
    g = gdf if pyproj.CRS(gdf.crs).equals(WGS84) else gdf.to_crs(WGS84)
    x0, y0, x1, y1 = g.total_bounds
    if not np.all(np.isfinite([x0, y0, x1, y1])):
        raise CRSError([Problem(Message("geo.crs.no_metric_for_empty"))])
    lon = (x0 + x1) / 2.0
    lat = (y0 + y1) / 2.0
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def metric_crs_at(lon: Any, lat: Any) -> pyproj.CRS:
    """The metric CRS of :func:`local_metric_crs` for the extent of WGS84 points.

    Parameters
    ----------
    lon, lat : array-like of float
        WGS84 longitudes and latitudes (or one of each).

    Returns
    -------
    pyproj.CRS
        The UTM zone of the centre of their extent.
    """
    pts = gpd.GeoSeries(shapely.points(np.atleast_1d(lon), np.atleast_1d(lat)), crs=WGS84)
    return local_metric_crs(pts)
