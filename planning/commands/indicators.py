"""``python -m planning indicators``: city-wide indicators against the targets of the plan.

Examples
--------
``python -m planning indicators --profile chuzhou --demo --out ind.json`` computes, on the
embedded demo district, 托位 per 1000 residents, the 普惠 share of 托位, the share of residents
within each service circle and the 配建达标率 of the demo developments, each against the plan's
2025 target. With the planner's layers::

    python -m planning indicators --profile hefei --areas areas.gpkg \\
        --facilities facilities.gpkg [--developments devs.gpkg] [--health health.gpkg] \\
        [--network city.osm] --out indicators.xlsx

Without ``--network`` coverage is measured in a straight line (declared). ``--facilities`` may
be left out (e.g. a table of communities only): the indicators that need it are listed with the
reason. JSON: ``{"profile": ID, "indicators": [{"id", "name", "value", "target",
"target_year", "met", "unit", "source", "basis", ...}]}``; ``.xlsx`` renders the texts in
``--lang``. Bad input exits with status 2 and writes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.messages import Message
from errors import InputError
from planning.citywide import INDICATOR_SUFFIXES, IndicatorReport, citywide_indicators
from planning.commands.check import add_profile_options, adjust_profile
from planning.profiles import load_profile


def add_parser(subparsers: Any) -> None:
    """Register the ``indicators`` sub-command."""
    p = subparsers.add_parser(
        "indicators",
        help="city-wide indicators (托位 per 1000, 普惠 share, coverage, 配建达标率) against "
             "the plan's targets",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", required=True, metavar="ID", help="profile id or .toml path")
    p.add_argument("--profile-dir", action="append", default=[], metavar="DIR",
                   help="further directory of profile files (repeatable)")
    p.add_argument("--demo", action="store_true", help="run on the embedded demo district")
    p.add_argument("--areas", metavar="FILE", help="residential areas (polygons or points)")
    p.add_argument("--facilities", metavar="FILE",
                   help="facilities with service, status, capacity and kind")
    p.add_argument("--developments", metavar="FILE",
                   help="developments, for the 配建达标率 (optional)")
    p.add_argument("--health", metavar="FILE",
                   help="health facilities, for the 同址或邻近 rules (optional)")
    p.add_argument("--network", metavar="FILE",
                   help="OSM file of the street network (default: straight-line distance)")
    p.add_argument("--crs", help="CRS of the inputs when a file has none (wgs84, cgcs2000, "
                                 "gcj02, bd09, EPSG:xxxx)")
    p.add_argument("--area-type", choices=("new", "old"), dest="area_type",
                   help="area type of areas that give none")
    p.add_argument("--id-column", metavar="NAME", dest="id_column",
                   help="column of --areas holding the area id (e.g. lianjia_id)")
    p.add_argument("--skip-empty", action="store_true", dest="skip_empty",
                   help="drop areas without coordinates (listed) instead of failing")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the console and of the Excel texts")
    p.add_argument("--out", metavar="FILE", required=True,
                   help=f"{' or '.join(INDICATOR_SUFFIXES)} (written only on success)")
    add_profile_options(p)
    p.set_defaults(func=run)


def _inputs(args: argparse.Namespace) -> dict[str, Any]:
    if args.demo:
        from geo import demo_paths, load_demo

        d = load_demo()
        return {"areas": d["areas"], "facilities": d["facilities"],
                "developments": d["developments"], "health": None,
                "network": args.network or str(demo_paths()["network"])}
    if args.areas is None:
        raise InputError(["indicators needs --areas FILE (or --demo)"], source="command line")
    from geo import read_areas, read_developments, read_facilities

    fields = {args.id_column: "id"} if args.id_column else None
    return {
        "areas": read_areas(args.areas, crs=args.crs, fields=fields, area_type=args.area_type,
                            skip_empty=args.skip_empty),
        "facilities": (read_facilities(args.facilities, crs=args.crs)
                       if args.facilities else None),
        "developments": (read_developments(args.developments, crs=args.crs)
                         if args.developments else None),
        "health": read_facilities(args.health, crs=args.crs) if args.health else None,
        "network": args.network,
    }


def run(args: argparse.Namespace) -> int:
    """Compute the indicators, print them and write the report."""
    out = Path(args.out)
    if out.suffix.lower() not in INDICATOR_SUFFIXES:
        raise InputError([f"--out {out}: write one of {', '.join(INDICATOR_SUFFIXES)}"],
                         source="command line")
    profile = adjust_profile(load_profile(args.profile, extra_dirs=args.profile_dir), args)
    data = _inputs(args)
    network = None
    if data["network"] is not None:
        from planning.commands.access import read_network_for

        layers = [g for g in (data["areas"], data["facilities"]) if g is not None and len(g)]
        reach = max(profile.param(f"{s}_service_minutes") * profile.param(v)
                    for s, v in (("childcare", "walking_speed_m_per_min"),
                                 ("eldercare", "elderly_walking_speed_m_per_min")))
        network = read_network_for(data["network"], layers, reach_m=reach + 200.0,
                                   crs=args.crs)
    report = citywide_indicators(profile, data["areas"], facilities=data["facilities"],
                                 developments=data["developments"], health=data["health"],
                                 network=network)
    report.write(out, lang=args.lang)
    print(format_indicators(report, lang=args.lang))
    print(f"→ {out}")
    return 0


def format_indicators(report: IndicatorReport, *, lang: str = "zh") -> str:
    """One line per indicator: value, target and year, met or not, or why it is missing."""
    yes, no = (Message(f"policy.ind_{w}").render(lang) for w in ("met", "not_met"))
    lines = [f"profile {report.profile.id} ({report.profile.name})"]
    for i in report.indicators:
        unit = "%" if i.unit == "share" else f" {i.unit}"
        scale = 100.0 if i.unit == "share" else 1.0

        def show(v: float | None, scale: float = scale, unit: str = unit) -> str:
            return "—" if v is None else f"{v * scale:.4g}{unit}"

        target = "" if i.target is None else (
            f" / {show(i.target)}" + (f" ({i.target_year})" if i.target_year else ""))
        verdict = "" if i.met is None else f": {yes if i.met else no}"
        basis = ("" if i.basis is None
                 else f" [{Message(f'policy.basis_{i.basis}').render(lang)}]")
        why = "" if i.reason is None else f" — {i.reason.render(lang)}"
        lines.append(f"  {i.name.render(lang)}: {show(i.value)}{target}{verdict}{basis}{why}")
        for n in i.notes:
            lines.append(f"      {n.render(lang)}")
    return "\n".join(lines)
