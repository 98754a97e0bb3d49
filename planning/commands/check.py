"""``python -m planning check``: 配建 compliance of proposed developments under a profile.

Examples
--------
``python -m planning check --profile hefei --developments devs.gpkg --out report.json``
(also ``.csv`` / ``.xlsx``); ``python -m planning check --profile hefei --demo`` checks the
demo district's developments. Bad input exits with status 2, prints every problem and writes
nothing; ``--strict`` makes a non-compliant or incomplete development exit with status 1.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from errors import InputError
from planning.compliance import OUTPUT_SUFFIXES, ComplianceReport, check_developments
from planning.profiles import load_profile


def add_parser(subparsers: Any) -> None:
    """Register the ``check`` sub-command."""
    p = subparsers.add_parser(
        "check",
        help="check proposed developments for 配建 compliance with a policy profile",
        description="Check each development against every rule of the profile that applies to "
                    "it: 托位 per 1000 residents, elder-care m² per 100 households, minimum "
                    "elder-care site area, maximum 托位 per child-care site … with the "
                    "required figure (before rounding), what is provided, the shortfall and "
                    "the source of every rule.",
    )
    p.add_argument("--profile", required=True, metavar="ID",
                   help="profile id (national, chuzhou, xuanhan, quzhou, hefei, suizhou, or "
                        "your own) or the path of a .toml profile")
    p.add_argument("--profile-dir", action="append", default=[], metavar="DIR",
                   help="further directory of profile files (repeatable)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--developments", metavar="FILE",
                     help="developments: GeoPackage, GeoJSON, Shapefile or CSV (geometry "
                          "optional)")
    src.add_argument("--demo", action="store_true",
                     help="check the embedded demo district's developments")
    p.add_argument("--crs", help="CRS of the coordinates (wgs84, cgcs2000, gcj02, bd09, "
                                 "EPSG:xxxx) when the file has none or it is wrong")
    p.add_argument("--layer", help="layer of a multi-layer file (default: developments)")
    p.add_argument("--encoding", help="text encoding of the attribute table, e.g. GBK")
    p.add_argument("--out", metavar="FILE",
                   help=f"write the report ({', '.join(OUTPUT_SUFFIXES)}); written only when "
                        "the whole check succeeded")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1 when a development is not compliant")
    p.set_defaults(func=run)


def _read(args: argparse.Namespace) -> tuple[Any, str]:
    if args.demo:
        try:
            demo = importlib.import_module("geo.demo")
        except ModuleNotFoundError as exc:
            raise InputError([f"the demo data are not available ({exc})"]) from None
        data = demo.load_demo()
        return data["developments"], "demo: developments"
    io = importlib.import_module("geo.io")
    devs = io.read_developments(args.developments, crs=args.crs, layer=args.layer,
                                encoding=args.encoding)
    return devs, str(args.developments)


def run(args: argparse.Namespace) -> int:
    """Read, check, print a summary and write the report."""
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError([f"--out {out}: unsupported format '{out.suffix or '(none)'}'; use "
                          f"one of {', '.join(OUTPUT_SUFFIXES)}"])
    profile = load_profile(args.profile, extra_dirs=args.profile_dir)
    devs, source = _read(args)
    report = check_developments(devs, profile, source=source)
    if out is not None:
        report.write(out)
    print(format_summary(report))
    if out is not None:
        print(f"report written to {out}")
    if args.strict and not all(d.compliant for d in report.developments):
        return 1
    return 0


def format_summary(report: ComplianceReport) -> str:
    """A short text table: one line per development, one per failing rule."""
    d = report.to_dict()
    s = d["summary"]
    lines = [f"profile {report.profile.id} ({report.profile.name}); input {report.source}",
             f"{s['developments']} developments: {s['compliant']} compliant, "
             f"{s['non_compliant']} non-compliant, {s['incomplete']} incomplete"]
    for dev in report.developments:
        lines.append(f"  {dev.id} {dev.name} [{dev.area_type}, population "
                     f"{dev.population:,.0f}]: {dev.status}")
        for r in dev.rules:
            if r.status == "failed":
                word = "excess" if r.comparison == "at_most" else "short by"
                lines.append(f"      {r.rule}: required {r.required:g} {r.unit}, provided "
                             f"{r.provided:g}, {word} {r.shortfall:.6g}")
            elif r.status == "not_provided":
                lines.append(f"      {r.rule}: not evaluated — {r.reason}")
        for x in dev.not_checked:
            lines.append(f"      ({x['kind']} not checked: {x['reason']})")
    return "\n".join(lines)
