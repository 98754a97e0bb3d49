"""``python -m planning population``: residents per residential area from census totals.

Examples
--------
``python -m planning population --areas xiaoqu.gpkg --census jiedao.gpkg --buildings
buildings.gpkg --out areas_with_population.gpkg`` shares every 街道's census population among
its compounds by residential floor area; ``--from-osm city.osm.pbf`` builds the compounds and
buildings from OpenStreetMap instead of ``--areas``/``--buildings``. Writes the areas
(``OUT``), a summary per census unit (``OUT_units.csv``; in a GeoPackage also the layer
``census_units``) and the parameters and notes (``OUT_population.json``), all or none. Bad input
exits with status 2, prints every problem and writes nothing.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from core.fileio import json_text, spreadsheet_safe, write_outputs
from core.messages import Message, as_text
from errors import InputError
from geo import DEFAULT_STOREY_HEIGHT_M
from planning.population import METHODS, PopulationEstimate, estimate_population
from planning.target_year import DEFAULT_OCCUPANCY_RAMP, parse_ramp, residents_by_year

#: Formats of ``--out``.
OUT_SUFFIXES: dict[str, str] = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".csv": "CSV"}


def add_parser(subparsers: Any) -> None:
    """Register the ``population`` sub-command."""
    p = subparsers.add_parser(
        "population",
        help="estimate residents per residential area from census totals and buildings",
        description="Share each census unit's population (街道/社区, 第七次人口普查) among the "
                    "residential areas inside it in proportion to their residential floor "
                    "area (buildings × floors, or the area's households or floor-area "
                    "field; by land area without either). Areas with a population keep it. "
                    "Totals are conserved per unit; age groups (0–3, 60+) follow.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--areas", metavar="FILE",
                     help="residential areas (小区 polygons or points): GeoPackage, GeoJSON, "
                          "Shapefile or CSV")
    src.add_argument("--from-osm", metavar="FILE",
                     help="build the areas from landuse=residential polygons and gated "
                          "compounds of an OSM file (.osm/.osm.pbf), with its buildings")
    p.add_argument("--census", required=True, metavar="FILE",
                   help="census units (polygons) with id, population (常住人口) and optionally "
                        "age_0_3 / age_60_plus (0-3岁, 60岁及以上 …)")
    p.add_argument("--buildings", metavar="FILE",
                   help="building footprints with floors (层数, building:levels) or height "
                        "(高度); with --from-osm the OSM buildings are used unless given")
    p.add_argument("--floor-area-per-person", type=float, metavar="M2",
                   help="residential floor area per resident, m² (default: the profile's "
                        "floor_area_per_person_m2, 35 m² in GB 50180)")
    p.add_argument("--persons-per-household", type=float, metavar="N",
                   help="residents per household (default: the profile's)")
    p.add_argument("--profile", default="national", metavar="ID",
                   help="profile giving persons per household and floor area per person "
                        "(default: national)")
    p.add_argument("--storey-height", type=float, default=DEFAULT_STOREY_HEIGHT_M, metavar="M",
                   help=f"metres per storey for buildings known only by height (tool default "
                        f"{DEFAULT_STOREY_HEIGHT_M:g})")
    p.add_argument("--default-floors", type=float, metavar="N",
                   help="floors of buildings with neither floors nor height (default: the "
                        "median of the buildings that have them)")
    p.add_argument("--area-type", choices=("new", "old"),
                   help="area type of areas that give none (OSM areas give none)")
    p.add_argument("--drop-outside", action="store_true",
                   help="leave out (and list) areas outside every census unit instead of "
                        "failing; always so with --from-osm")
    p.add_argument("--target-year", type=int, metavar="YEAR",
                   help="also give residents_target_year: developments counted by their "
                        "completion_year and the occupancy ramp")
    p.add_argument("--ramp", metavar="SHARES",
                   help="occupancy by years since completion, e.g. '0,0.5,0.8,1' (tool default "
                        f"{','.join(f'{x:g}' for x in DEFAULT_OCCUPANCY_RAMP)})")
    p.add_argument("--crs", help="CRS of inputs that declare none (wgs84, cgcs2000, gcj02, "
                                 "bd09, EPSG:xxxx)")
    p.add_argument("--layer", help="layer of the areas file (default: residential_areas)")
    p.add_argument("--census-layer", help="layer of the census file")
    p.add_argument("--buildings-layer", help="layer of the buildings file")
    p.add_argument("--encoding", help="text encoding of the attribute tables, e.g. GBK")
    p.add_argument("--lang", choices=("zh", "en"), default=None,
                   help="language of what is printed (default: PLANNING_LANG, else en)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="areas with population: .gpkg, .geojson or .csv (written only when "
                        "the whole estimate succeeded)")
    p.set_defaults(func=run)


def output_paths(out: Path) -> dict[str, Path]:
    """The files a run writes: the areas, the summary per unit and the parameters/notes."""
    return {"areas": out, "units": out.with_name(f"{out.stem}_units.csv"),
            "json": out.with_name(f"{out.stem}_population.json")}


def _inputs(args: argparse.Namespace) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame,
                                               gpd.GeoDataFrame | None, str]:
    from geo import read_admin_units, read_areas, read_buildings

    census = read_admin_units(args.census, crs=args.crs, layer=args.census_layer,
                              encoding=args.encoding)
    buildings = None
    if args.buildings:
        buildings = read_buildings(args.buildings, crs=args.crs, layer=args.buildings_layer,
                                   encoding=args.encoding, storey_height_m=args.storey_height,
                                   default_floors=args.default_floors)
    if args.from_osm:
        import shapely

        from geo import read_osm_residential

        clip = shapely.box(*census.total_bounds)
        areas, osm_buildings = read_osm_residential(
            args.from_osm, clip=clip, storey_height_m=args.storey_height,
            default_floors=args.default_floors)
        if args.area_type:
            areas["area_type"] = args.area_type
        return areas, census, buildings if buildings is not None else osm_buildings, \
            str(args.from_osm)
    areas = read_areas(args.areas, crs=args.crs, layer=args.layer, encoding=args.encoding,
                       area_type=args.area_type, require_demand=False)
    return areas, census, buildings, str(args.areas)


def _writers(est: PopulationEstimate, census: gpd.GeoDataFrame, out: Path,
             data: dict[str, Any]) -> dict[str | os.PathLike[str], Callable[[Path], None]]:
    import pyogrio

    paths = output_paths(out)
    kind = OUT_SUFFIXES[out.suffix.lower()]
    areas = est.areas
    units = est.units

    def write_areas(tmp: Path) -> None:
        if kind == "CSV":
            frame = pd.DataFrame(areas.drop(columns=areas.geometry.name))
            frame["geometry"] = areas.geometry.to_wkt()
            spreadsheet_safe(frame).to_csv(tmp, index=False, encoding="utf-8-sig")
            return
        pyogrio.write_dataframe(areas, tmp, layer="residential_areas", driver=kind)
        if kind == "GPKG":
            layer = census[["id", census.geometry.name]].rename(columns={"id": "census_unit"})
            layer = gpd.GeoDataFrame(layer.merge(units, on="census_unit", how="left"),
                                     geometry=census.geometry.name, crs=census.crs)
            pyogrio.write_dataframe(layer, tmp, layer="census_units", driver=kind)

    def write_units(tmp: Path) -> None:
        spreadsheet_safe(units).to_csv(tmp, index=False, encoding="utf-8-sig")

    def write_json(tmp: Path) -> None:
        tmp.write_text(json_text(data), encoding="utf-8")

    return {paths["areas"]: write_areas, paths["units"]: write_units, paths["json"]: write_json}


def run(args: argparse.Namespace) -> int:
    """Read, estimate, write the three files and print the totals and notes."""
    from planning.profiles import load_profile

    out = Path(args.out)
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise InputError([f"--out {out}: unsupported format '{out.suffix or '(none)'}'; use "
                          f"one of {', '.join(OUT_SUFFIXES)}"])
    ramp = parse_ramp(args.ramp) if args.ramp else DEFAULT_OCCUPANCY_RAMP
    profile = load_profile(args.profile)
    pph = args.persons_per_household or profile.param("persons_per_household")
    fapp = args.floor_area_per_person or profile.param("floor_area_per_person_m2")
    areas, census, buildings, source = _inputs(args)
    est = estimate_population(
        areas, census, buildings=buildings, persons_per_household=pph,
        floor_area_per_person_m2=fapp,
        outside="drop" if (args.drop_outside or args.from_osm) else "error",
        areas_source=source, census_source=str(args.census))
    notes = [*areas.attrs.get("notes", []), *(buildings.attrs.get("notes", [])
                                             if buildings is not None else []), *est.notes]
    est.parameters.update({
        "profile": profile.id,
        "persons_per_household_source": "given" if args.persons_per_household
        else f"profile {profile.id}: persons_per_household",
        "floor_area_per_person_source": "given" if args.floor_area_per_person
        else f"profile {profile.id}: floor_area_per_person_m2",
        "storey_height_m": args.storey_height,
        "areas": source, "census": str(args.census),
        "buildings": str(args.buildings) if args.buildings else
        (f"{args.from_osm} (OSM buildings)" if args.from_osm else None),
    })
    if "area_type" in est.areas.columns and est.areas["area_type"].isna().all():
        # an empty column the reader added; written out, it would stand for a blank area type
        est.areas = est.areas.drop(columns="area_type")
    if args.target_year is not None:
        est.areas = residents_by_year(est.areas, args.target_year, ramp=ramp)
        est.parameters["target_year"] = args.target_year
        est.parameters["occupancy_ramp"] = est.areas.attrs["occupancy_ramp"]
    data = est.to_json()
    data["notes"] = [n.to_json() if hasattr(n, "to_json") else {"code": None, "text": str(n)}
                     for n in notes]
    write_outputs(_writers(est, census, out, data))
    from planning.cli import message_language

    lang = args.lang or message_language()
    print(format_summary(est, lang=lang, notes=notes))
    paths = output_paths(out)
    print(as_text(Message("population.wrote", {"paths": ", ".join(
        str(paths[k]) for k in ("areas", "units", "json"))}), lang))
    return 0


def format_summary(est: PopulationEstimate, *, lang: str = "en",
                   notes: list[Any] | None = None) -> str:
    """Totals, methods and notes as a few lines of text in ``lang``."""
    t = est.to_json()["totals"]
    methods = [Message("population.summary_method", {
        "method": Message(f"population.method_{m}"), "n": t["methods"][m]})
        for m in METHODS if t["methods"][m]]
    lines = [Message("population.summary", {
        "areas": t["areas"], "assigned": f"{t['assigned']:,.0f}",
        "census": f"{t['census_population']:,.0f}", "unassigned": f"{t['unassigned']:,.0f}",
        "methods": methods})]
    lines += [Message("population.summary_age", {"column": c,
                                                 "n": f"{est.areas[c].sum():,.0f}"})
              for c in est.age_columns]
    lines += [Message("population.summary_note", {"note": n})
              for n in (notes if notes is not None else est.notes)]
    return "\n".join(as_text(m, lang) for m in lines)
