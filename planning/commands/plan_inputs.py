"""The map form of ``plan``: its layer options, checked before anything is read, and read.

Shared by ``plan`` and ``sweep`` (see :mod:`planning.commands.plan`). Residential areas without
an area type get one only as the planner says (``--area-type`` for every blank row, or
``--new-since YEAR`` from the completion year), and a table of communities without candidate
sites can be planned with a candidate at every area (``--candidates-at-areas FILE``, the sizes
and costs per service being the planner's); each choice is recorded in the run's notes.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.messages import Message
from errors import InputError, ProblemCollector

SITE_SUFFIXES = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}


def add_layer_options(g: Any) -> None:
    """``--area-type``, ``--new-since`` and ``--candidates-at-areas`` on an argument group."""
    g.add_argument("--area-type", choices=("new", "old"), dest="area_type",
                   help="area type (新建 / 老旧) of residential areas that give none (with "
                        "--new-since: of those without a completion year); recorded in the "
                        "notes")
    g.add_argument("--new-since", type=int, metavar="YEAR", dest="new_since",
                   help="areas without an area type are new when completed in or after YEAR "
                        "(their completion_year / 建成年份), old before; recorded in the notes")
    g.add_argument("--id-column", metavar="NAME", dest="id_column",
                   help="column of --areas holding the areas' ids (e.g. lianjia_id) when it is "
                        "not one the reader knows (id, 编号 …)")
    g.add_argument("--candidates-at-areas", type=Path, metavar="FILE.csv",
                   dest="candidates_at_areas",
                   help="a candidate site at every residential area (provision inside the "
                        "compound), with the sizes and costs per service from FILE: columns "
                        "service, fixed_cost, unit_cost, min_capacity, max_capacity[, kind]")


def _default_beside(out: Path, suffix: str) -> Path:
    return out.with_name(f"{out.stem}{suffix}")


def map_inputs(args: argparse.Namespace, supply_figures: Any) -> dict[str, Any]:
    """Check every map-form input before reading anything; one InputError with all problems."""
    from planning.profiles import DEFAULT_PROFILE, load_profile

    c = ProblemCollector(source="command line")
    profile_id = args.profile or (DEFAULT_PROFILE if args.demo else None)
    profile = None
    if profile_id is None:
        c.add(Message("planning.cli.needs_profile"))
    else:
        try:
            profile = supply_figures(load_profile(profile_id), args)
        except InputError as exc:  # ProfileError: unknown id or bad file
            for prob in exc.problems:
                c.add(prob.message, field="--profile")
    at_areas = getattr(args, "candidates_at_areas", None)
    if not args.demo:
        given = (("--areas", args.areas), ("--sites", args.sites),
                 ("--candidates-at-areas", at_areas))
        for flag, path in given:
            if path is not None and not Path(path).exists():
                c.add(Message("planning.cli.file_not_found", {"flag": flag, "path": str(path)}))
        if args.areas is None:
            c.add(Message("planning.cli.needs_file", {"flag": "--areas"}))
        if args.sites is None and at_areas is None:
            c.add(Message("planning.cli.needs_sites"))
        if args.network is None and not args.straight_line:
            c.add(Message("planning.cli.needs_network"))
        elif args.network is not None and not Path(args.network).exists():
            c.add(Message("planning.cli.file_not_found",
                          {"flag": "--network", "path": str(args.network)}))
    if getattr(args, "new_since", None) is not None and getattr(args, "area_type", None) is None:
        c.add(Message("planning.cli.new_since_needs_type"), field="--new-since")
    out = args.out
    sites_out = getattr(args, "sites_out", None) or _default_beside(out, "_sites.gpkg")
    map_out = getattr(args, "map_out", None) or _default_beside(out, "_map.html")
    for flag, path, suffixes in (
            ("--sites-out", sites_out, tuple(SITE_SUFFIXES)),
            ("--map-out", map_out, (".html", ".htm")),
            ("--out", out, (".json",)),
            ("--report", getattr(args, "report", None), (".pdf",)),
            ("--excel", getattr(args, "excel", None), (".xlsx",)),
            ("--figure", getattr(args, "figure", None), (".png", ".pdf"))):
        if path is not None and Path(path).suffix.lower() not in suffixes:
            c.add(Message("planning.cli.write_suffix", {
                "flag": flag, "path": str(path), "suffixes": " / ".join(suffixes)}))
    for name, v in (("--minutes", args.minutes), ("--speed", args.speed),
                    ("--budget", getattr(args, "budget", None)),
                    ("--childcare-per-1000", getattr(args, "childcare_per_1000", None)),
                    ("--eldercare-per-100-households",
                     getattr(args, "eldercare_per_100_households", None))):
        if v is not None and not v > 0:
            c.add(Message("planning.cli.must_be_positive", {"flag": name, "value": v}))
    c.raise_if_any()
    return {"profile": profile, "sites_out": sites_out, "map_out": map_out}


def read_layers(args: argparse.Namespace) -> tuple[Any, Any, Any, str | None]:
    """(areas, existing facilities, candidate sites, network path) of the map form."""
    if args.demo:
        from geo import demo_paths, load_demo

        d = load_demo()
        net = None if args.straight_line else str(demo_paths()["network"])
        return d["areas"], d["facilities"], d["candidates"], net
    from geo import read_areas, read_facilities
    from planning.sites import split_sites

    drop = bool(getattr(args, "drop_missing", False))
    area_type = getattr(args, "area_type", None)
    new_since = getattr(args, "new_since", None)
    # blank area types stay blank here, to be filled (and recorded) as the planner said
    id_column = getattr(args, "id_column", None)
    areas = read_areas(args.areas, crs=args.crs, layer=args.areas_layer,
                       fields={id_column: "id"} if id_column else None,
                       drop_missing_coordinates=drop)
    if area_type is not None and "area_type" in areas.columns \
            and areas["area_type"].isna().any():
        from planning.uploads import fill_area_type

        areas = fill_area_type(areas, default=area_type, cutoff_year=new_since)
    existing = candidates = None
    if args.sites is not None:
        sites = read_facilities(args.sites, crs=args.crs, layer=args.sites_layer,
                                require_status=True, drop_missing_coordinates=drop)
        existing, candidates = split_sites(sites, source=str(args.sites))
    at_areas = getattr(args, "candidates_at_areas", None)
    if at_areas is not None:
        import pandas as pd

        from planning.area_candidates import candidates_at_areas, check_candidate_template
        from planning.commands.plan_tables import read_csv_table
        from planning.params import ScenarioParams

        services = ScenarioParams(service=getattr(args, "service", "childcare")).services
        template = check_candidate_template(read_csv_table(at_areas, "--candidates-at-areas"),
                                            services, source=str(at_areas))
        more = candidates_at_areas(areas, template, source=str(at_areas))
        if candidates is not None and len(candidates):
            notes = more.attrs["notes"]
            more = type(more)(pd.concat([candidates, more], ignore_index=True), crs=more.crs)
            more.attrs["notes"] = [*candidates.attrs.get("notes", []), *notes]
        candidates = more
    return areas, existing, candidates, None if args.straight_line else str(args.network)
