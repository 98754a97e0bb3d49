"""Spatial input/output, CRS, walking network, travel times, service areas, coverage.

The names other layers use are exported here, so that no other layer needs geo's internals:

- reading inputs: :func:`read_areas`, :func:`read_developments`, :func:`read_facilities`,
  :func:`read_admin_units`, :func:`read_points_or_polygons`, :func:`read_layer`,
  :func:`layer_columns`, :func:`parse_number_list`,
  and the column-name aliases :data:`FIELD_ALIASES` / :func:`canonical_field` /
  :func:`normalise_key`;
- buildings and OSM residential areas (population estimates): :func:`read_buildings`,
  :data:`DEFAULT_STOREY_HEIGHT_M`, :func:`read_osm_residential`;
- coordinates: :data:`WGS84`, :func:`resolve_crs`, :func:`to_wgs84`, :func:`local_metric_crs`,
  :func:`wgs84_to_gcj02` (and the other datum shifts in :mod:`geo.crs`);
- the walking network: :class:`WalkNetwork`, :func:`load_network`;
- measuring: :class:`Reach`, :func:`travel_times`, :func:`service_areas`,
  :func:`coverage`, :func:`two_step_fca`, and why a feature reaches nothing:
  :func:`unreached_frame` (of a travel-time table's ``attrs['unreached']``) and
  :func:`fragment_note` (the areas alone on isolated street fragments, for a plan's notes);
- the demo district: :func:`load_demo`, :func:`demo_paths`.

The readers and the demo are imported on first use, so that importing the measures (say the
network) does not load GDAL with them. (The other names are imported at once: two of them,
``coverage`` and ``service_areas``, share their module's name and must be bound here first.)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from geo.access import travel_times
from geo.centrelines import load_network
from geo.coverage import CoverageResult, coverage, two_step_fca
from geo.crs import (
    WGS84,
    CRSOverride,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    local_metric_crs,
    resolve_crs,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from geo.fields import FIELD_ALIASES, canonical_field, normalise_key
from geo.network import WalkNetwork
from geo.reach import DEFAULT_REACH, Reach
from geo.service_areas import DEFAULT_BANDS, dissolve_service_areas, service_areas
from geo.unreached import ISOLATED_FRAGMENT, fragment_note, unreached_frame

if TYPE_CHECKING:
    from geo.buildings import DEFAULT_STOREY_HEIGHT_M, read_buildings
    from geo.demo import DEMO_DIR, demo_paths, load_demo
    from geo.files import layer_columns
    from geo.io import (
        parse_number_list,
        read_admin_units,
        read_areas,
        read_developments,
        read_facilities,
        read_layer,
        read_points_or_polygons,
    )
    from geo.osm_landuse import read_osm_residential

#: Names imported on first use: the file readers load GDAL, which the measures do not need.
_EXPORTS: dict[str, str] = {
    "DEFAULT_STOREY_HEIGHT_M": "geo.buildings",
    "DEMO_DIR": "geo.demo",
    "demo_paths": "geo.demo",
    "layer_columns": "geo.files",
    "load_demo": "geo.demo",
    "parse_number_list": "geo.io",
    "read_admin_units": "geo.io",
    "read_areas": "geo.io",
    "read_buildings": "geo.buildings",
    "read_developments": "geo.io",
    "read_facilities": "geo.io",
    "read_layer": "geo.io",
    "read_osm_residential": "geo.osm_landuse",
    "read_points_or_polygons": "geo.io",
}

__all__ = [
    "ISOLATED_FRAGMENT",
    "DEFAULT_BANDS",
    "DEFAULT_REACH",
    "DEFAULT_STOREY_HEIGHT_M",
    "DEMO_DIR",
    "FIELD_ALIASES",
    "WGS84",
    "CoverageResult",
    "Reach",
    "WalkNetwork",
    "bd09_to_wgs84",
    "canonical_field",
    "coverage",
    "demo_paths",
    "dissolve_service_areas",
    "fragment_note",
    "gcj02_to_wgs84",
    "layer_columns",
    "load_demo",
    "load_network",
    "CRSOverride",
    "local_metric_crs",
    "normalise_key",
    "parse_number_list",
    "read_admin_units",
    "read_areas",
    "read_buildings",
    "read_developments",
    "read_facilities",
    "read_layer",
    "read_osm_residential",
    "read_points_or_polygons",
    "resolve_crs",
    "service_areas",
    "to_wgs84",
    "travel_times",
    "two_step_fca",
    "unreached_frame",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazily imported ones included."""
    return sorted({*globals(), *_EXPORTS})
