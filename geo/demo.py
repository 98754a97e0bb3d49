"""The embedded demo district (SYNTHETIC data, see data/README.md).

The files in ``data/demo/`` are made by ``python data/generate_demo.py``; they are read here
through the same readers as users' files, so the demo exercises :mod:`geo.io`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geo.io import read_admin_units, read_areas, read_developments, read_facilities

__all__ = ["DEMO_DIR", "demo_paths", "load_demo"]

DEMO_DIR: Path = Path(__file__).resolve().parents[1] / "data" / "demo"


def demo_paths(demo_dir: Path | str | None = None) -> dict[str, Path]:
    """Paths of the demo files.

    Parameters
    ----------
    demo_dir : path, optional
        Directory holding the files; :data:`DEMO_DIR` by default.

    Returns
    -------
    dict
        ``'network'``: ``district.osm`` (OSM XML streets with gates), ``'gpkg'``:
        ``district.gpkg`` (layers residential_areas, admin_units, facilities,
        candidate_sites, developments).
    """
    d = Path(demo_dir) if demo_dir is not None else DEMO_DIR
    return {"network": d / "district.osm", "gpkg": d / "district.gpkg"}


def load_demo(demo_dir: Path | str | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Read every layer of the demo district, validated, in EPSG:4326.

    Returns
    -------
    dict of GeoDataFrame
        ``'areas'`` (residential compounds), ``'developments'`` (proposed), ``'facilities'``
        (existing child-care and elder-care), ``'candidates'`` (candidate sites, one row per
        site and service; ``site_id`` groups the rows of one site), ``'admin_units'`` (街道).
    """
    gpkg = demo_paths(demo_dir)["gpkg"]
    return {
        "areas": read_areas(gpkg, layer="residential_areas"),
        "developments": read_developments(gpkg, layer="developments"),
        "facilities": read_facilities(gpkg, layer="facilities"),
        "candidates": read_facilities(gpkg, layer="candidate_sites"),
        "admin_units": read_admin_units(gpkg, layer="admin_units"),
    }
