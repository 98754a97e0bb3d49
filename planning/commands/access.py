"""``python -m planning access``: walking times of every (origin, destination) pair in reach.

Examples
--------
``python -m planning access --network city.osm.pbf --origins areas.gpkg --destinations
sites.gpkg --minutes 15 --out pairs.csv`` writes ``origin_id,destination_id,minutes`` for every
pair within 15 minutes. ``--demo`` uses the embedded demo district (areas to existing
facilities and candidate sites). Without ``--minutes``/``--speed`` the service-circle minutes
and walking speed of ``--profile`` (default ``national``) are used.

Beside the pairs, ``<out>_unreached.csv`` lists every origin with no destination in reach and
every destination no origin reaches, with the reason (``side,id,kind,code,reason``: a street
fragment not connected to the main network, off the network, nothing within the limit; see
:mod:`geo.unreached`); both files are written, or neither. The console names the first few.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from core.fileio import spreadsheet_safe, write_outputs
from core.messages import Message, Quantity
from core.texts import value_label
from errors import InputError
from geo import WGS84, Reach, WalkNetwork, load_network, travel_times, unreached_frame
from planning.commands.options import positive

SERVICES = ("childcare", "eldercare")


def add_parser(subparsers: Any) -> None:
    """Register the ``access`` sub-command."""
    p = subparsers.add_parser(
        "access",
        help="walking times of every origin–destination pair within a cutoff",
        description="Walking times along the street network (OSM .osm/.osm.pbf or a "
                    "road-centreline layer) for every pair within the cutoff; polygons "
                    "reach the network at gates or boundary points.",
    )
    p.add_argument("--network", metavar="FILE",
                   help="OSM file (.osm, .osm.pbf) or road-centreline layer (GeoPackage, "
                        "Shapefile)")
    p.add_argument("--origins", metavar="FILE", help="points or polygons with an id field")
    p.add_argument("--destinations", metavar="FILE", help="points or polygons with an id field")
    p.add_argument("--demo", action="store_true",
                   help="embedded demo district: residential areas → facilities + candidates")
    p.add_argument("--minutes", type=positive,
                   help="cutoff minutes (default: the profile's service-circle minutes)")
    p.add_argument("--speed", type=positive, metavar="M_PER_MIN",
                   help="walking speed in m/min (default: the profile's walking speed)")
    p.add_argument("--profile", default="national", metavar="ID",
                   help="profile giving the default minutes and speed (default: national)")
    p.add_argument("--service", choices=SERVICES, default="childcare",
                   help="whose minutes/speed to take from the profile (eldercare: the elderly "
                        "walking speed)")
    p.add_argument("--crs", help="CRS of origins/destinations/network when a file has none "
                                 "(wgs84, cgcs2000, gcj02, bd09, EPSG:xxxx)")
    p.add_argument("--id-field", default="id", help="id column of origins and destinations")
    p.add_argument("--max-snap", type=positive, default=200.0, metavar="M",
                   help="largest distance from a feature to the network, metres (default 200)")
    p.add_argument("--boundary-spacing", type=positive, default=75.0, metavar="M",
                   help="spacing of access points along polygon boundaries without gates")
    p.add_argument("--drop-unsnapped", action="store_true",
                   help="leave out (and list) features off the network instead of failing")
    p.add_argument("--straight-line", action="store_true",
                   help="no network: use straight-line distance (declared in the output)")
    p.add_argument("--out", metavar="FILE.csv", required=True,
                   help="CSV of origin_id,destination_id,minutes (written only on success), "
                        "and beside it FILE_unreached.csv: what reaches nothing, and why")
    p.set_defaults(func=run)


def _profile_defaults(args: argparse.Namespace) -> tuple[float, float]:
    minutes, speed = args.minutes, args.speed
    args.basis_note = ""
    if minutes is None or speed is None:
        from planning.profiles import load_profile

        prof = load_profile(args.profile)
        from planning.cli import message_language

        lang = message_language()
        notes = []
        if minutes is None:
            m = prof.parameter(f"{args.service}_service_minutes")
            minutes = m.value
            notes.append(Message("planning.cli.circle_basis", {
                "basis": Message(f"policy.basis_{m.basis}"),
                "source": m.source.render(lang)}).render(lang))
        if speed is None:
            v = prof.parameter("elderly_walking_speed_m_per_min" if args.service == "eldercare"
                               else "walking_speed_m_per_min")
            speed = v.value
            notes.append(Message("planning.cli.speed_basis", {
                "basis": Message(f"policy.basis_{v.basis}")}).render(lang))
        args.basis_note = ("；" if lang == "zh" else "; ").join(notes)
    return float(minutes), float(speed)


def read_network_for(
    path: str | Path, layers: list[gpd.GeoDataFrame], *, reach_m: float, crs: str | None = None
) -> WalkNetwork:
    """Read a network clipped to the layers' extent plus ``reach_m`` (exact for the cutoff)."""
    box = shapely.box(*pd.concat([g.to_crs(WGS84).geometry for g in layers]).total_bounds)
    return load_network(path, clip=box, margin_m=reach_m, crs=crs)


def _inputs(args: argparse.Namespace) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str | None]:
    if args.demo:
        from geo import demo_paths, load_demo

        d = load_demo()
        dest = pd.concat([d["facilities"], d["candidates"]], ignore_index=True)
        dest = gpd.GeoDataFrame(dest[["id", "geometry"]], geometry="geometry",
                                crs=d["facilities"].crs)
        return d["areas"][["id", "geometry"]], dest, str(demo_paths()["network"])
    missing: list[Any] = [f"--{n}" for n in ("origins", "destinations")
                          if getattr(args, n) is None]
    if args.network is None and not args.straight_line:
        missing.append(Message("planning.cli.network_or_straight"))
    if missing:
        raise InputError([Message("planning.cli.needs", {"command": "access",
                                                         "missing": missing})])
    from geo import read_points_or_polygons

    o = read_points_or_polygons(args.origins, crs=args.crs, id_field=args.id_field)
    d = read_points_or_polygons(args.destinations, crs=args.crs, id_field=args.id_field)
    return o, d, args.network


def run(args: argparse.Namespace) -> int:
    """Read, compute, write the pairs CSV and print a summary."""
    out = Path(args.out)
    if out.suffix.lower() != ".csv":
        raise InputError([Message("planning.cli.out_suffix", {"out": str(out),
                                                               "suffix": ".csv"})])
    minutes, speed = _profile_defaults(args)
    origins, dests, net_path = _inputs(args)
    net = None
    if net_path is not None and not args.straight_line:
        net = read_network_for(net_path, [origins, dests], reach_m=minutes * speed + args.max_snap,
                               crs=args.crs)
    pairs = travel_times(net, origins, dests, reach=Reach(minutes, speed),
                         max_snap_m=args.max_snap, boundary_spacing_m=args.boundary_spacing,
                         drop_unsnapped=args.drop_unsnapped, fallback=args.straight_line)
    from planning.cli import message_language

    lang = message_language()
    why = unreached_frame(pairs, lang)
    why_path = unreached_path(out)
    write_outputs({
        # ids and names from the planner's files must not run as formulas in a spreadsheet
        out: lambda tmp: spreadsheet_safe(pairs[["origin_id", "destination_id", "minutes"]])
        .to_csv(tmp, index=False, encoding="utf-8"),
        why_path: lambda tmp: spreadsheet_safe(why).to_csv(tmp, index=False, encoding="utf-8"),
    })
    lost = pairs.attrs["unsnapped"]
    print(Message("planning.cli.access_pairs", {
        "pairs": len(pairs), "minutes": Quantity(minutes, "minutes", 2),
        "speed": Quantity(speed, "m_per_min", 2),
        "method": value_label(pairs.attrs["method"], lang), "origins": len(origins),
        "destinations": len(dests), "out": str(out)}).render(lang))
    if getattr(args, "basis_note", ""):
        print(args.basis_note)
    if net is not None:
        print(Message("planning.cli.network", {"network": repr(net)}).render(lang))
    if lost["origins"] or lost["destinations"]:
        print(Message("planning.cli.left_out", {
            "max_snap": Quantity(args.max_snap, "metres", 1),
            "origins": _ids(lost["origins"]), "destinations": _ids(lost["destinations"]),
        }).render(lang))
    print(unreached_summary(why, why_path, lang))
    return 0


def _ids(found: Any) -> Any:
    """Ids left out as a list (shown joined, the first twenty), or a count as it is."""
    return [str(i) for i in found] if isinstance(found, list | tuple | set) else found


#: Unreached features named one by one on the console (the CSV has them all).
SHOWN = 10


def unreached_path(out: Path) -> Path:
    """Where the reasons of the unreached features of ``out`` are written."""
    return out.with_name(f"{out.stem}_unreached.csv")


def unreached_summary(why: pd.DataFrame, path: Path | None, lang: str) -> str:
    """Counts of what reaches nothing, then the first :data:`SHOWN` with their reasons."""
    n = why["side"].value_counts()
    lines = [Message("geo.unreached.summary", {
        "origins": int(n.get("origins", 0)), "destinations": int(n.get("destinations", 0)),
        "path": str(path) if path is not None else "-"}).render(lang)]
    for row in why.head(SHOWN).itertuples():
        lines.append("  " + Message(f"geo.unreached.line_{row.side}",
                                    {"id": row.id, "reason": row.reason}).render(lang))
    if len(why) > SHOWN:
        lines.append("  " + Message("geo.unreached.more", {"n": len(why) - SHOWN}).render(lang))
    return "\n".join(lines)
