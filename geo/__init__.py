"""Spatial input/output, CRS, walking network, travel times, service areas, coverage.

The names other layers use are exported here, so that no other layer needs geo's internals:

- reading inputs: :func:`read_areas`, :func:`read_developments`, :func:`read_facilities`,
  :func:`read_admin_units`, :func:`read_points_or_polygons`, :func:`read_layer`,
  :func:`parse_number_list`;
- coordinates: :data:`WGS84`, :func:`resolve_crs`, :func:`to_wgs84`, :func:`local_metric_crs`,
  :func:`wgs84_to_gcj02` (and the other datum shifts in :mod:`geo.crs`);
- the walking network: :class:`WalkNetwork`, :func:`load_network`;
- measuring: :class:`Reach`, :func:`travel_times`, :func:`service_areas`,
  :func:`coverage`, :func:`two_step_fca`;
- the demo district: :func:`load_demo`, :func:`demo_paths`.
"""

from __future__ import annotations

from geo.access import travel_times
from geo.centrelines import load_network
from geo.coverage import CoverageResult, coverage, two_step_fca
from geo.crs import (
    WGS84,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    local_metric_crs,
    resolve_crs,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from geo.demo import DEMO_DIR, demo_paths, load_demo
from geo.io import (
    parse_number_list,
    read_admin_units,
    read_areas,
    read_developments,
    read_facilities,
    read_layer,
    read_points_or_polygons,
)
from geo.network import WalkNetwork
from geo.reach import DEFAULT_REACH, Reach
from geo.service_areas import DEFAULT_BANDS, dissolve_service_areas, service_areas

__all__ = [
    "DEFAULT_BANDS",
    "DEFAULT_REACH",
    "DEMO_DIR",
    "WGS84",
    "CoverageResult",
    "Reach",
    "WalkNetwork",
    "bd09_to_wgs84",
    "coverage",
    "demo_paths",
    "dissolve_service_areas",
    "gcj02_to_wgs84",
    "load_demo",
    "load_network",
    "local_metric_crs",
    "parse_number_list",
    "read_admin_units",
    "read_areas",
    "read_developments",
    "read_facilities",
    "read_layer",
    "read_points_or_polygons",
    "resolve_crs",
    "service_areas",
    "to_wgs84",
    "travel_times",
    "two_step_fca",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
