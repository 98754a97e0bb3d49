"""Coordinate reference systems: resolving names, the Chinese web-map datums, sanity checks.

Everything the tool reads ends up in WGS84 (EPSG:4326). Besides EPSG-coded systems
(WGS84, CGCS2000 EPSG:4490, CGCS2000 Gauss-Krüger zones EPSG:4513–4554, UTM …) it accepts
the two obfuscated datums of Chinese web maps when the user names them:

* GCJ-02 (国测局坐标, "Mars coordinates"; 高德/腾讯/天地图-China tiles) — WGS84 shifted by a
  published nonlinear offset of up to a few hundred metres, applied only inside China;
* BD-09 (百度坐标) — GCJ-02 with a further published rotation-and-offset.

The forward formulas are the published ones (as in e.g. eviltransform / coordtransform); the
inverses are computed by fixed-point iteration of the forward formula, which converges to well
under a centimetre in a few steps. All functions are vectorised over numpy arrays.

CGCS2000 and WGS84 differ by a few centimetres; geographic CGCS2000 coordinates are taken as
WGS84 without a shift.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.exceptions import CRSError as PyprojCRSError

from core.messages import Message
from errors import CRSError, Problem

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

# Constants of the published GCJ-02 / BD-09 formulas (a datum definition, not policy figures).
_A = 6378245.0  # semi-major axis of Krasovsky 1940, used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
# rough box outside which GCJ-02 is the identity (the usual convention of the formula's users)
_GCJ_BOX = (72.004, 0.8293, 137.8347, 55.8271)
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


def _as_arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    if lon_a.shape != lat_a.shape:
        raise ValueError(f"lon and lat have different shapes {lon_a.shape} and {lat_a.shape}")
    return lon_a, lat_a


def out_of_china(lon: Any, lat: Any) -> np.ndarray:
    """True where a point lies outside the box in which GCJ-02 shifts coordinates."""
    lon_a, lat_a = _as_arrays(lon, lat)
    x0, y0, x1, y1 = _GCJ_BOX
    return ~((lon_a >= x0) & (lon_a <= x1) & (lat_a >= y0) & (lat_a <= y1))


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (degrees) at WGS84 points, zero outside China."""
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat = dlat + common
    dlat = dlat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon = dlon + common
    dlon = dlon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 → GCJ-02 (the published forward formula; identity outside China).

    Parameters
    ----------
    lon, lat : array-like of float
        WGS84 longitude and latitude in degrees.

    Returns
    -------
    lon, lat : numpy.ndarray
        GCJ-02 coordinates.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    dlon, dlat = _gcj_delta(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(
    lon: Any, lat: Any, *, tol_deg: float = 1e-10, max_iter: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS84 by fixed-point iteration of the forward formula.

    The offset varies slowly, so ``w ← w + (g − forward(w))`` converges in a few steps to
    ``tol_deg`` (1e-10° ≈ 0.01 mm); identity outside China.

    Parameters
    ----------
    lon, lat : array-like of float
        GCJ-02 longitude and latitude in degrees.
    tol_deg : float, optional
        Stop when every point moves less than this (degrees).
    max_iter : int, optional
        Iteration cap.
    """
    g_lon, g_lat = _as_arrays(lon, lat)
    dlon, dlat = _gcj_delta(g_lon, g_lat)
    w_lon, w_lat = g_lon - dlon, g_lat - dlat
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - f_lon, g_lat - f_lat
        w_lon = w_lon + e_lon
        w_lat = w_lat + e_lat
        err = np.nanmax(np.abs(np.concatenate([e_lon.ravel(), e_lat.ravel()])), initial=0.0)
        if err < tol_deg:
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → BD-09 (the published forward formula)."""
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_approx(x_bd: np.ndarray, y_bd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = x_bd - 0.0065
    y = y_bd - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02(
    lon: Any, lat: Any, *, tol_deg: float = 1e-10, max_iter: int = 20
) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → GCJ-02: the published approximate inverse, refined by iterating the forward.

    The published inverse alone is off by up to a few decimetres; the refinement makes
    ``gcj02_to_bd09(bd09_to_gcj02(p)) == p`` to ``tol_deg``.
    """
    b_lon, b_lat = _as_arrays(lon, lat)
    g_lon, g_lat = _bd09_to_gcj02_approx(b_lon, b_lat)
    for _ in range(max_iter):
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        e_lon, e_lat = b_lon - f_lon, b_lat - f_lat
        g_lon = g_lon + e_lon
        g_lat = g_lat + e_lat
        err = np.nanmax(np.abs(np.concatenate([e_lon.ravel(), e_lat.ravel()])), initial=0.0)
        if err < tol_deg:
            break
    return g_lon, g_lat


def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → GCJ-02 → WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 → GCJ-02 → BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


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
        (files cannot declare those). When both are present the user's wins and the override
        is recorded in ``attrs['repairs']``.
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
    user = resolve_crs(crs)
    declared = gdf.crs
    attrs = dict(gdf.attrs)
    repairs = list(attrs.get("repairs", []))
    if user is None and declared is None:
        raise CRSError([Problem(Message("geo.crs.missing"), source=source)], source=source)
    target = user if user is not None else declared
    if user is not None and declared is not None:
        same = (not isinstance(user, str)) and pyproj.CRS(declared).equals(user)
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
