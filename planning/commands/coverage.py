"""``python -m planning coverage``: who lives within the walking circle of a facility.

Examples
--------
``python -m planning coverage --profile hefei --areas areas.gpkg --facilities fac.gpkg
--network city.osm.pbf --out coverage.json`` writes, for each service, the population and
share within the service circle of at least one existing facility, by 街道 and overall, the
areas not covered, capacity per 1000 residents reachable (2SFCA) and per-area figures.
Each service's entry lists the areas not covered with their reason (``not_covered_reasons``:
on a street fragment not connected to the main network, off the network, nothing within the
circle) and, under ``unreached``, every area and facility that reaches nothing (see
:mod:`geo.unreached`); the console counts the areas not covered by reason.
``--demo`` runs on the embedded demo district. Minutes and walking speed come from the
profile (``{service}_service_minutes``; ``walking_speed_m_per_min``, or
``elderly_walking_speed_m_per_min`` for elder care); population from
:func:`planning.demand.compute_demand`.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd

from core.messages import Message, Quantity, format_number
from errors import InputError
from geo import Reach, coverage, travel_times
from planning.commands.access import read_network_for
from planning.commands.options import positive
from planning.demand import compute_demand
from planning.profiles import load_profile

SERVICES = ("childcare", "eldercare")
UNITS = {"childcare": "托位", "eldercare": "m²"}


def add_parser(subparsers: Any) -> None:
    """Register the ``coverage`` sub-command."""
    p = subparsers.add_parser(
        "coverage",
        help="population within the walking service circle of facilities, by 街道",
        description="Coverage of residential areas by existing facilities within the "
                    "profile's service-circle minutes along the street network, with 2SFCA "
                    "accessibility.",
    )
    p.add_argument("--profile", required=True, metavar="ID", help="profile id or .toml path")
    p.add_argument("--profile-dir", action="append", default=[], metavar="DIR",
                   help="further directory of profile files (repeatable)")
    p.add_argument("--areas", metavar="FILE", help="residential areas (polygons or points)")
    p.add_argument("--facilities", metavar="FILE", help="facilities (points or polygons)")
    p.add_argument("--network", metavar="FILE", help="OSM file or road-centreline layer")
    p.add_argument("--demo", action="store_true", help="run on the embedded demo district")
    p.add_argument("--service", choices=SERVICES, help="one service (default: both)")
    p.add_argument("--include-proposed", action="store_true",
                   help="count proposed facilities too (default: existing only)")
    p.add_argument("--decay", choices=("none", "linear", "gaussian"), default="none",
                   help="distance decay of the 2SFCA score")
    p.add_argument("--crs", help="CRS of the inputs when a file has none")
    p.add_argument("--drop-missing-coordinates", dest="drop_missing", action="store_true",
                   help="leave out rows without coordinates instead of refusing the file")
    p.add_argument("--max-snap", type=positive, default=200.0, metavar="M",
                   help="largest distance from a feature to the network, metres (default 200)")
    p.add_argument("--drop-unsnapped", action="store_true",
                   help="treat features off the network as unreachable (listed) instead of "
                        "failing")
    p.add_argument("--straight-line", action="store_true",
                   help="no network: straight-line distance (declared in the output)")
    p.add_argument("--out", metavar="FILE.json", required=True,
                   help="JSON report (written only on success)")
    from planning.commands.check import add_profile_options

    add_profile_options(p)
    p.set_defaults(func=run)


def _inputs(args: argparse.Namespace) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str | None]:
    if args.demo:
        from geo import demo_paths, load_demo

        d = load_demo()
        return d["areas"], d["facilities"], str(demo_paths()["network"])
    missing: list[Any] = [f"--{n}" for n in ("areas", "facilities") if getattr(args, n) is None]
    if args.network is None and not args.straight_line:
        missing.append(Message("planning.cli.network_or_straight"))
    if missing:
        raise InputError([Message("planning.cli.needs", {"command": "coverage",
                                                         "missing": missing})])
    from geo import read_areas, read_facilities

    drop = bool(getattr(args, "drop_missing", False))
    return (read_areas(args.areas, crs=args.crs, drop_missing_coordinates=drop),
            read_facilities(args.facilities, crs=args.crs, drop_missing_coordinates=drop),
            args.network)


def run(args: argparse.Namespace) -> int:
    """Compute coverage per service and write the JSON report."""
    out = Path(args.out)
    if out.suffix.lower() != ".json":
        raise InputError([Message("planning.cli.out_suffix", {"out": str(out),
                                                               "suffix": ".json"})])
    from planning.cli import message_language
    from planning.commands.check import adjust_profile

    profile = adjust_profile(load_profile(args.profile, extra_dirs=args.profile_dir), args)
    areas, facilities, net_path = _inputs(args)
    areas = compute_demand(areas, profile)
    services = [args.service] if args.service else list(SERVICES)
    statuses = ("existing", "proposed") if args.include_proposed else ("existing",)
    params = {
        s: (profile.param(f"{s}_service_minutes"),
            profile.param("elderly_walking_speed_m_per_min" if s == "eldercare"
                          else "walking_speed_m_per_min"))
        for s in services
    }
    net = None
    if net_path is not None and not args.straight_line:
        reach = max(m * v for m, v in params.values()) + args.max_snap
        net = read_network_for(net_path, [areas, facilities], reach_m=reach, crs=args.crs)
    report: dict[str, Any] = {
        "profile": profile.id,
        "network": None if net is None else {
            "source": net.info.get("source"), "nodes": net.n_nodes, "edges": net.n_edges,
            "fragments": net.info.get("fragments")},
        "services": {},
        "parameters_used": {pid: profile.parameter(pid).describe()
                            for pid in ("persons_per_household", "floor_area_per_person_m2")},
    }
    for s in services:
        minutes, speed = params[s]
        fac = facilities[(facilities["service"] == s) & facilities["status"].isin(statuses)]
        m_prm = profile.parameter(f"{s}_service_minutes")
        v_prm = profile.parameter("elderly_walking_speed_m_per_min" if s == "eldercare"
                                  else "walking_speed_m_per_min")
        # the circle a plan does not state is the tool's default, and says so
        entry: dict[str, Any] = {"minutes": minutes, "minutes_basis": m_prm.basis,
                                 "minutes_source": str(m_prm.source),
                                 "speed_m_per_min": speed, "speed_basis": v_prm.basis,
                                 "capacity_unit": UNITS[s], "facilities": int(len(fac))}
        if len(fac) == 0:
            entry["note"] = Message("planning.cli.no_facilities", {
                "statuses": "/".join(statuses),
                "service": Message(f"planning.service_{s}")}).to_json()
            pairs = None
        else:
            pairs = travel_times(net, areas, fac, reach=Reach(minutes, speed),
                                 max_snap_m=args.max_snap, drop_unsnapped=args.drop_unsnapped,
                                 fallback=args.straight_line)
            entry["method"] = pairs.attrs["method"]
            entry["unsnapped"] = pairs.attrs["unsnapped"]
            entry["unreached"] = [{"side": r["side"], "id": r["id"], "kind": r["kind"],
                                   **r["reason"].to_json()}
                                  for r in pairs.attrs.get("unreached", [])]
            res = coverage(areas, fac, pairs, reach=Reach(minutes, speed),
                           decay=None if args.decay == "none" else args.decay)
            entry.update(res.to_dict())
            o = res.overall
            lang = message_language()
            print(Message("planning.cli.coverage_line", {
                "service": Message(f"planning.service_{s}"),
                "covered": format_number(o["covered_population"], 0),
                "population": Quantity(o["population"], "residents", 0),
                "share": Quantity(100.0 * o["share"], "percent", 1),
                "minutes": Quantity(minutes, "minutes", 2), "facilities": len(fac),
                "not_covered": len(res.not_covered),
                "circle_basis": Message(f"policy.basis_{m_prm.basis}"),
                "source": m_prm.source.render(lang),
                "speed_basis": Message(f"policy.basis_{v_prm.basis}")}).render(lang))
            if res.reasons:
                print(not_covered_by_reason(res.reasons, lang))
        report["services"][s] = entry
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".json", dir=out.parent)
    os.close(fd)
    try:
        Path(tmp).write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str),
                             encoding="utf-8")
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"→ {out}")
    return 0


def not_covered_by_reason(reasons: list[dict[str, Any]], lang: str) -> str:
    """``areas not covered, by reason: isolated street fragment 2, …`` in ``lang``."""
    counts: dict[str, int] = {}
    for r in reasons:
        counts[r["kind"]] = counts.get(r["kind"], 0) + 1
    parts = [Message("geo.unreached.kind_count", {
        "kind": Message(f"geo.unreached.kind_{k}"), "n": n}).render(lang)
        for k, n in counts.items()]
    sep = "；" if lang == "zh" else "; "
    return "  " + Message("geo.unreached.not_covered_by_kind",
                          {"counts": sep.join(parts)}).render(lang)
