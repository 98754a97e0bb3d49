"""The two obfuscated datums of Chinese web maps, and their published formulas.

* GCJ-02 (国测局坐标, "Mars coordinates"; 高德/腾讯/天地图-China tiles) — WGS84 shifted by a
  published nonlinear offset of up to a few hundred metres, applied only inside China;
* BD-09 (百度坐标) — GCJ-02 with a further published rotation-and-offset.

The forward formulas are the published ones (as in e.g. eviltransform / coordtransform); the
inverses are computed by fixed-point iteration of the forward formula, which converges to well
under a centimetre in a few steps. All functions are vectorised over numpy arrays.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "out_of_china",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "wgs84_to_bd09",
]

# Constants of the published GCJ-02 / BD-09 formulas (a datum definition, not policy figures).
_A = 6378245.0  # semi-major axis of Krasovsky 1940, used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
# rough box outside which GCJ-02 is the identity (the usual convention of the formula's users)
_GCJ_BOX = (72.004, 0.8293, 137.8347, 55.8271)


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

