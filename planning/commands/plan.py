"""``plan``: choose sites with the optimiser, from CSV tables or from map layers and a profile.

Table form::

    python -m planning plan --demand demand.csv --sites sites.csv \\
        --travel-times times.csv --objective min-cost --out result.json

``demand.csv`` has ``id,demand``; ``sites.csv`` has ``id,fixed_cost,unit_cost,min_capacity,
max_capacity,existing_capacity`` (an empty ``max_capacity`` means no upper bound); the
travel-time file has ``origin_id,destination_id,minutes``.  ``result.json`` holds
``status``, ``proven_optimal``, ``objective``, ``bound``, ``gap``, ``seconds``, ``sites``
(``id``, ``open``, ``capacity``), ``assignments`` (``origin_id``, ``site_id``, ``amount``)
and ``unmet`` (``id``, ``amount``, ``reason``).

Map form::

    python -m planning plan --profile hefei --areas areas.gpkg --sites sites.gpkg \\
        --network district.osm --service childcare --out result.json
    python -m planning plan --demo --service both --out out/result.json

runs :func:`planning.runs.run_scenario`, the same path as the app's Scenarios page:
requirements from :func:`planning.demand.compute_demand`, walking times from
:func:`geo.access.travel_times`, reach (``--minutes``, ``--speed``; default the profile's
``<service>_service_minutes`` and walking speed, the elderly's for elder care), site-size and
site-count rules from the profile.  ``--sites`` holds existing facilities (``status`` =
existing) and candidate sites (``status`` = candidate) of both services.  Besides
``result.json`` (the keys above, plus ``service``, ``profile``, ``method``, ``cutoffs``,
``indicators``, ``rules_applied`` with each rule's source, ``notes``, ``solver``) it writes the
existing and proposed sites as GeoPackage or GeoJSON (``--sites-out``, default
``<out>_sites.gpkg``) and a self-contained offline HTML map (``--map-out``, default
``<out>_map.html``).  The map form serves what it can and reports the rest as unmet unless
``--no-allow-unmet`` is given.  ``--demo`` runs on the embedded demo district (profile
``hefei`` unless ``--profile`` says otherwise).

Where the profile has no demand figure for a service in an area type of the input (Xuanhan's
elder care, Suizhou's old areas) the map form stops with status 2, names the missing rule and
writes nothing: demand there is unknown, not zero. ``--childcare-per-1000 X`` and
``--eldercare-per-100-households X`` supply a figure for the area types the plan states none
for (the result lists it as the planner's figure); ``--apply-default RULE_ID`` applies a tool
default on purpose; ``--persons-per-household X`` sets the conversion of households to
residents. ``--target-year YEAR`` counts developments from their ``completion_year`` by an
occupancy ramp (``--occupancy-ramp``, a stated tool default otherwise); ``--demand-basis need``
plans child care on children under three (``age_0_3``) × the enrolment rate
(``--enrolment-rate``, else the profile's). ``result.json`` records all of them under
``demand``, with the demand rules applied and the policy and need demand per 街道 and service.
The basis of every walking circle (the plan's, or the tool's 15-minute default) is
in ``cutoffs`` and the notes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from core.fileio import json_safe, json_text, write_json, write_outputs
from core.messages import Message
from core.vocab import OBJECTIVE_CLI
from errors import InputError
from planning.commands.options import count, fraction, positive
from planning.commands.plan_inputs import (
    SITE_SUFFIXES,
    add_layer_options,
    map_inputs,
    read_layers,
)
from planning.commands.plan_tables import build_model, read_tables, result_json, summary
from planning.indicators import has_plan

OBJECTIVES = tuple(OBJECTIVE_CLI)
def add_parser(subparsers: Any) -> None:
    """Register the ``plan`` sub-command."""
    p = subparsers.add_parser(
        "plan", help="choose sites and capacities (min-cost, max-coverage or min-time)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--demand", type=Path, help="CSV with id,demand")
    p.add_argument("--sites", type=Path, help="CSV (table form) or map layer of sites")
    p.add_argument("--travel-times", type=Path, dest="travel_times",
                   help="CSV with origin_id,destination_id,minutes")
    p.add_argument("--objective", choices=OBJECTIVES, default="min-cost")
    p.add_argument("--budget", type=positive, help="budget for max-coverage")
    p.add_argument("--p", type=count, help="number of new sites (max-coverage, min-time)")
    p.add_argument("--minutes", type=positive,
                   help="reach cutoff in minutes (default: every pair in the file; "
                        "map form: the profile's service circle)")
    p.add_argument("--allow-unmet", action=argparse.BooleanOptionalAction, dest="allow_unmet",
                   default=None,
                   help="serve what can be served and report the rest as unmet with its "
                        "reason (default: on for the map form; for the table form off, "
                        "except max-coverage)")
    p.add_argument("--continuous-capacity", action="store_true", dest="continuous_capacity",
                   help="table form: capacities may be fractional (e.g. m² of floor area); "
                        "by default sites get whole units (托位, beds)")
    p.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    p.add_argument("--time-limit", type=positive, dest="time_limit", help="seconds")
    p.add_argument("--gap", type=fraction, help="relative MIP gap (default 1e-4)")
    p.add_argument("--out", type=Path, required=True, help="result.json to write")
    g = p.add_argument_group("map form")
    g.add_argument("--profile", help="policy profile id (map form)")
    g.add_argument("--areas", type=Path, help="residential areas layer (map form)")
    g.add_argument("--network", type=Path, help="OSM file of the street network (map form)")
    g.add_argument("--service", choices=("childcare", "eldercare", "both"),
                   default="childcare",
                   help="both: child care and elder care sited jointly on shared sites")
    g.add_argument("--demo", action="store_true", help="run on the embedded demo district")
    g.add_argument("--crs", help="CRS of the layers when a file has none (wgs84, cgcs2000, "
                                 "gcj02, bd09, EPSG:xxxx)")
    g.add_argument("--areas-layer", dest="areas_layer", help="layer of --areas (GeoPackage)")
    g.add_argument("--drop-missing-coordinates", dest="drop_missing", action="store_true",
                   help="leave out rows without coordinates (listed in the notes) instead of "
                        "refusing the file")
    g.add_argument("--sites-layer", dest="sites_layer", help="layer of --sites (GeoPackage)")
    add_layer_options(g)
    g.add_argument("--speed", type=positive, metavar="M_PER_MIN",
                   help="walking speed in m/min (default: the profile's, elderly for elder care)")
    g.add_argument("--straight-line", action="store_true", dest="straight_line",
                   help="no network: straight-line distances (declared in result.json)")
    g.add_argument("--side-rules", action=argparse.BooleanOptionalAction, dest="side_rules",
                   default=None,
                   help="apply the profile's per-街道 / per-population site-count rules "
                        "(default: on where the profile has them)")
    g.add_argument("--sites-out", type=Path, dest="sites_out",
                   help="chosen sites as .gpkg or .geojson (default: <out>_sites.gpkg)")
    g.add_argument("--map-out", type=Path, dest="map_out",
                   help="offline HTML map (default: <out>_map.html)")
    g.add_argument("--lang", choices=("zh", "en"), default="zh", help="map language")
    g.add_argument("--report", type=Path, help="planning-report PDF (the export page's)")
    g.add_argument("--name", help="scenario name on the report, Excel and figure (default: "
                                  "place · service · objective)")
    g.add_argument("--excel", type=Path, help="Excel workbook of the results (.xlsx)")
    g.add_argument("--figure", type=Path,
                   help="static map figure with legend, scale bar, north arrow (.png or .pdf)")
    g.add_argument("--share-rules", action="store_true", dest="share_rules",
                   help="apply the profile's shares of 托位 by kind (普惠 >60 %% …) as side "
                        "rules: the open sites of that kind hold at least that share")
    g.add_argument("--childcare-per-1000", type=float, metavar="X", dest="childcare_per_1000",
                   help="托位 per 1000 residents for the area types the plan states no figure "
                        "for (the result says it is the planner's figure)")
    g.add_argument("--eldercare-per-100-households", type=float, metavar="X",
                   dest="eldercare_per_100_households",
                   help="elder-care m² per 100 households for the area types the plan states "
                        "no figure for (e.g. Xuanhan)")
    from planning.commands.check import add_profile_options
    from planning.target_year import DEFAULT_OCCUPANCY_RAMP

    add_profile_options(g)
    g.add_argument("--target-year", type=int, metavar="YEAR", dest="target_year",
                   help="plan for this year: developments count from their completion_year by "
                        "the occupancy ramp (later ones count 0)")
    g.add_argument("--occupancy-ramp", type=_ramp, metavar="SHARES", dest="occupancy_ramp",
                   help="occupancy by years since completion, e.g. '0,0.5,0.8,1' (tool default "
                        f"{','.join(f'{x:g}' for x in DEFAULT_OCCUPANCY_RAMP)})")
    g.add_argument("--demand-basis", choices=("policy", "need"), default="policy",
                   dest="demand_basis",
                   help="child-care demand from the policy rate per 1000 residents (default) or "
                        "from need: children under three (age_0_3) × the enrolment rate")
    g.add_argument("--enrolment-rate", type=fraction, metavar="RATE", dest="enrolment_rate",
                   help="入托率 for need-based demand, e.g. 0.15 (default: the profile's)")
    p.set_defaults(func=run)


def supply_figures(profile: Any, args: argparse.Namespace) -> Any:
    """The profile with the run's options: adopted defaults, persons per household, and the
    planner's demand figures for area types the plan states none for (the app's path too:
    :func:`planning.run_demand.planner_profile`)."""
    from planning.run_demand import PLANNER_FIGURES, planner_profile

    return planner_profile(
        profile, persons_per_household=getattr(args, "persons_per_household", None),
        apply_default=getattr(args, "apply_default", None) or [],
        **{k: getattr(args, k, None) for k in PLANNER_FIGURES})


def _ramp(text: str) -> tuple[float, ...]:
    """``--occupancy-ramp``: shares by years since completion (argparse reports a bad one)."""
    from planning.target_year import parse_ramp

    try:
        return parse_ramp(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc.problems[0])) from None


def run(args: argparse.Namespace) -> int:
    """Run ``plan``."""
    if args.demo or args.profile or args.areas or args.network or args.straight_line:
        return run_map(args)
    missing = [f"--{n.replace('_', '-')}" for n in ("demand", "sites", "travel_times")
               if getattr(args, n) is None]
    if missing:
        raise InputError([f"missing {', '.join(missing)} (or use the map form: --profile, "
                          "--areas, --sites, --network, or --demo)"], source="command line")
    demand, sites, times = read_tables(args.demand, args.sites, args.travel_times)
    model = build_model(args.objective, demand, sites, times, budget=args.budget, p=args.p,
                        minutes=args.minutes, allow_unmet=args.allow_unmet,
                        integer_capacity=not args.continuous_capacity)
    model.solve(solver=args.solver, time_limit=args.time_limit, gap=args.gap)
    data = result_json(model.result)
    if not has_plan(model.result):
        # no plan is never a plan: no sites, assignments or unmet figures
        data.update(no_plan=True, sites=None, assignments=None, unmet=None)
        return _write_no_plan(args.out, data, [Message("planning.no_plan",
                                                       {"status": model.result.status})])
    write_json(args.out, data)  # atomic: core.fileio
    from planning.cli import message_language

    print(summary(model.result))
    print(Message("planning.cli.wrote", {"paths": str(args.out)}).render(message_language()))
    return 0


# --------------------------------------------------------------------------- map form

def _top_level(run: Any) -> dict[str, Any]:
    """status, proven_optimal, objective, bound, gap, seconds over the run's solves."""
    solves = list(run.solver.values())
    if len(solves) == 1:
        s = solves[0]
        return {k: s.get(k) for k in ("status", "proven_optimal", "objective", "bound", "gap",
                                      "seconds")}
    statuses = {s["status"] for s in solves}
    gaps = [s["gap"] for s in solves if s.get("gap") is not None]
    return {"status": statuses.pop() if len(statuses) == 1 else ", ".join(sorted(statuses)),
            "proven_optimal": all(s["proven_optimal"] for s in solves),
            "objective": None, "bound": None, "gap": max(gaps) if gaps else None,
            "seconds": float(sum(s.get("seconds") or 0.0 for s in solves))}


def map_result_json(run: Any, *, profile_id: str, outputs: dict[str, str]) -> dict[str, Any]:
    """``result.json`` of the map form: the table form's keys first, then the run's extras."""
    all_sites = run.all_sites if run.all_sites is not None else run.sites
    site_cols = [c for c in ("id", "open", "capacity", "service", "site_id", "status",
                             "existing_capacity", "new_capacity", "cost", "size_rule")
                 if c in all_sites.columns]
    a_cols = [c for c in ("origin_id", "site_id", "amount", "minutes", "service")
              if c in run.assignments.columns]
    u_cols = [c for c in ("id", "amount", "reason", "service") if c in run.unmet.columns]
    out = _top_level(run)
    out["seconds"] = round(float(out["seconds"] or 0.0), 3)
    out |= {
        "sites": all_sites[site_cols].to_dict("records"),
        "assignments": run.assignments[a_cols].to_dict("records"),
        "unmet": run.unmet[u_cols].to_dict("records"),
        "service": run.params["service"], "objective_kind": run.params["objective"],
        "profile": profile_id, "method": run.method,
        "cutoffs": {s: {**c, **run.params.get("cutoff_basis", {}).get(s, {})}
                    for s, c in run.params["cutoffs"].items()},
        "parameters_used": run.params.get("parameters_used", {}),
        "side_rules_applied": run.params.get("side_rules_applied"),
        "indicators": run.indicators, "rules_applied": run.rules, "notes": run.notes,
        "solver": run.solver, "outputs": outputs,
        "demand": demand_record(run),
    }
    if run.joint_sites is not None:
        out["joint_sites"] = run.joint_sites.to_dict("records")
    return json_safe(out)


def demand_record(run: Any) -> dict[str, Any]:
    """What the run's demand rests on: target year and ramp, basis, rules, totals per 街道."""
    p = run.params
    table = run.demand_table
    return {"target_year": p.get("target_year"), "occupancy_ramp": p.get("occupancy_ramp"),
            "target_year_used": p.get("target_year_used"),
            "demand_basis": p.get("demand_basis", "policy"),
            "enrolment_rate": p.get("enrolment_rate"),
            "persons_per_household": p.get("parameters_used", {}).get("persons_per_household"),
            "rules": run.demand_rules,
            "totals": table.to_dict("records") if table is not None else []}


def site_output_layer(run: Any) -> Any:
    """Existing and proposed sites with capacities and costs (for GeoPackage / GeoJSON)."""
    layer = run.site_layer.copy()
    extra = [c for c in ("site_id", "existing_capacity", "new_capacity", "cost", "size_rule")
             if c in run.sites.columns]
    return layer.merge(run.sites[["id", "service", *extra]], on=["id", "service"], how="left")


def _no_plan(run: Any, args: argparse.Namespace, profile_id: str) -> int:
    """A run without a plan: result.json says so (status, reason, requirement), no figures.

    The sites and map files are not written (existing ones stay as they were).
    """
    data = {**_top_level(run), "no_plan": True, "sites": None, "assignments": None,
            "unmet": None, "service": run.params["service"],
            "objective_kind": run.params["objective"], "profile": profile_id,
            "indicators": run.indicators, "solver": run.solver, "notes": run.notes}
    reasons = [v["reason"] for k, v in run.indicators.items()
               if k != "total" and v.get("no_plan")]
    return _write_no_plan(args.out, data, reasons)


#: Exit status of a run that ended without a plan. Not 2: the input was valid and result.json
#: is written (with the status and reason only); 2 means bad input, with nothing written.
NO_PLAN_EXIT = 1


def _write_no_plan(out: Path, data: dict[str, Any], reasons: list[Message]) -> int:
    """Write the status-only result.json, say why there is no plan, return the exit status."""
    from planning.cli import message_language

    write_json(out, data)
    lang = message_language()
    for reason in reasons:
        print(Message("planning.cli.error_line", {"text": reason}).render(lang), file=sys.stderr)
    print(Message("planning.cli.wrote_status_only", {"path": str(out)}).render(lang))
    return NO_PLAN_EXIT


def _site_writer(layer: Any, path: Path) -> Any:
    """A writer of the sites layer for :func:`core.fileio.write_outputs`."""
    from maps.export import write_gpkg

    def write(tmp: Path) -> None:
        if SITE_SUFFIXES[path.suffix.lower()] == "GPKG":
            write_gpkg({"sites": layer}, tmp)
        else:
            layer.to_file(tmp, driver="GeoJSON")

    return write


def _title(args: argparse.Namespace, profile: Any) -> str:
    """The report's scenario name: ``--name``, else place, service and objective."""
    if getattr(args, "name", None):
        return str(args.name)
    from core.texts import t

    def short(text: str) -> str:  # the name without its explanation in brackets
        return text.split(" / ")[0].split("（")[0].split(" (")[0].strip()

    objective = OBJECTIVE_CLI.get(args.objective, args.objective)
    return " · ".join(x for x in (short(str(getattr(profile, "name", None) or "")),
                                  short(t(f"sc.{args.service}", args.lang)),
                                  short(t(f"sc.obj.{objective}", args.lang))) if x)


def _export_writers(args: argparse.Namespace, run: Any, profile: Any,
                    network: Any) -> dict[Path, Any]:
    """Writers of ``--report``, ``--excel`` and ``--figure``: the export page's own files."""
    wanted = {k: v for k, v in (("report", args.report), ("xlsx", args.excel),
                                ("figure", args.figure)) if v is not None}
    if not wanted:
        return {}
    from maps.bundle import scenario_bundle

    files = scenario_bundle(run=run, name=_title(args, profile), profile=profile, lang=args.lang,
                            network_edges=network.to_gdf() if network is not None else None)
    if "figure" in wanted:
        files["figure"] = files["pdf_fig"] if wanted["figure"].suffix.lower() == ".pdf" \
            else files["png"]
    return {Path(path): _bytes_writer(files[key]) for key, path in wanted.items()}


def _bytes_writer(content: bytes) -> Any:
    def write(tmp: Path) -> None:
        tmp.write_bytes(content)

    return write


def _text_writer(text: str) -> Any:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return write


def run_map(args: argparse.Namespace) -> int:
    """Map form: one scenario through :func:`planning.runs.run_scenario`, then the files."""
    from maps.folium_map import build_map
    from maps.offline import offline_html
    from maps.sites import plan_site_layer
    from planning.cli import message_language
    from planning.commands.access import read_network_for
    from planning.params import ScenarioParams
    from planning.runs import run_scenario

    checked = map_inputs(args, supply_figures)
    profile = checked["profile"]
    params = ScenarioParams(
        service=args.service, objective=OBJECTIVE_CLI[args.objective], budget=args.budget,
        p=args.p, minutes=args.minutes, speed_m_per_min=args.speed,
        allow_unmet=True if args.allow_unmet is None else bool(args.allow_unmet),
        time_limit=args.time_limit, gap=args.gap, solver=args.solver,
        side_rules=args.side_rules, share_rules=bool(getattr(args, "share_rules", False)),
        target_year=getattr(args, "target_year", None),
        occupancy_ramp=getattr(args, "occupancy_ramp", None),
        demand_basis=getattr(args, "demand_basis", "policy") or "policy",
        enrolment_rate=getattr(args, "enrolment_rate", None),
        persons_per_household=getattr(args, "persons_per_household", None),
        childcare_per_1000=getattr(args, "childcare_per_1000", None),
        eldercare_per_100_households=getattr(args, "eldercare_per_100_households", None))
    params.validate()
    areas, existing, candidates, net_path = read_layers(args)
    network = None
    if net_path is not None:
        reach = max(params.reach(profile, s).metres for s in params.services)
        layers = [g for g in (areas, existing, candidates) if g is not None and len(g)]
        network = read_network_for(net_path, layers, reach_m=reach + 200.0, crs=args.crs)
    run = run_scenario(areas=areas, facilities=existing, candidates=candidates,
                       network=network, profile=profile, params=params)
    if run.indicators["total"].get("no_plan"):
        return _no_plan(run, args, profile.id)
    # render everything before writing anything
    from planning.summaries import shortfall_layers, uncovered_ids

    by = shortfall_layers(run.areas, args.lang)
    # the areas ringed are those short of the service whose measure colours the map
    uncovered = uncovered_ids(run.areas, by[0][0])
    html = offline_html(build_map(
        areas=run.areas, value_col=by[0][0], value_label=by[0][1], value_kind="shortfall",
        sites=plan_site_layer(run.site_layer, run.sites), service_areas=run.service_areas,
        uncovered_ids=uncovered,
        network_edges=network.to_gdf() if network is not None else None,
        basemap="offline", lang=args.lang))
    layer = site_output_layer(run)
    outputs = {"sites": str(checked["sites_out"]), "map": str(checked["map_out"])}
    data = map_result_json(run, profile_id=profile.id, outputs=outputs)
    writers = {checked["sites_out"]: _site_writer(layer, checked["sites_out"]),
               checked["map_out"]: _text_writer(html),
               args.out: _text_writer(json_text(data))}
    writers.update(_export_writers(args, run, profile, network))
    # every file or none: a failure leaves earlier outputs as they were
    write_outputs(writers)
    from planning.commands.plan_console import console_lines

    written = [str(p) for p in writers]
    for line in console_lines(run, data, params.services, written, message_language()):
        print(line)
    return 0
