"""``sweep``: one scenario per combination of varied parameters, as Dask tasks.

::

    python -m planning sweep --demo --service childcare --objective max-coverage \\
        --vary budget=1e6,2e6,4e6,8e6 --workers 2 --out sweep.json --figure curve.png
    python -m planning sweep --profile hefei --areas areas.gpkg --sites sites.gpkg \\
        --network district.osm --objective min-cost --vary minutes=10,15 \\
        --vary childcare_per_1000=6,8,10 --scheduler tcp://10.0.0.5:8786 --out sweep.json

The inputs are the map form of ``plan`` (``--demo``, or ``--profile``, ``--areas``,
``--sites``, ``--network`` / ``--straight-line``); ``--budget``, ``--p``, ``--minutes`` and
``--speed`` set what the scenarios share. Each ``--vary NAME=V1,V2,…`` varies one parameter
(``budget``, ``p``, ``minutes``, ``speed``, ``childcare_per_1000[_new|_old]``,
``eldercare_per_100_households[_new|_old]``, ``target_year``); every combination is one run.
The network, the walking times and the requirements are computed once and scattered to the
workers (:mod:`planning.sweep`). Runs go to a local Dask cluster of ``--workers`` processes
(default: the machine's cores; ``0`` runs them one by one in this process) or to the scheduler
at ``--scheduler``.

``sweep.json`` holds ``{"base", "vary", "profile", "method", "workers", "seconds", "runs"}``;
each run (in the order of the combinations, the first ``--vary`` varying slowest) has
``params``, ``status``, ``proven_optimal``, ``gap``, ``objective``, ``cost``,
``covered_share``, ``required`` and ``unmet`` (with their units) per service, ``sites``,
``proposed_sites``, ``seconds`` and the run's ``notes``; a run that failed has status
``failed`` and its ``error``. ``--figure`` writes the cost–coverage curve (budget–coverage or
sites–coverage when a maximum-coverage sweep varies the budget or p) as PNG or PDF. Both files
are written together or not at all.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

from core.fileio import json_text, write_outputs
from core.messages import Message, as_text
from core.vocab import OBJECTIVE_CLI
from errors import InputError, ProblemCollector

#: Most local workers --workers may ask for.
MAX_LOCAL_WORKERS = 64
_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx)://[^\s/:]+(:\d+)?$")


def add_parser(subparsers: Any) -> None:
    """Register the ``sweep`` sub-command."""
    p = subparsers.add_parser(
        "sweep", help="run one scenario per combination of varied parameters (Dask)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_input_arguments(p)
    p.add_argument("--objective", choices=tuple(OBJECTIVE_CLI), default="min-cost")
    p.add_argument("--vary", action="append", default=[], metavar="NAME=V1,V2,…",
                   help="a parameter and its values (repeat for more parameters)")
    p.add_argument("--budget", type=float, help="budget of every run (max-coverage)")
    p.add_argument("--p", type=int, help="number of new sites of every run")
    p.add_argument("--minutes", type=float, help="service circle of every run (minutes)")
    p.add_argument("--speed", type=float, metavar="M_PER_MIN", help="walking speed (m/min)")
    p.add_argument("--allow-unmet", action=argparse.BooleanOptionalAction, dest="allow_unmet",
                   default=True,
                   help="every objective (min-cost, p-median, max-coverage): serve what can be "
                        "served and report the rest as unmet with its reason; "
                        "--no-allow-unmet asks for every requirement to be served (default: on)")
    p.add_argument("--side-rules", action=argparse.BooleanOptionalAction, dest="side_rules",
                   default=None, help="apply the profile's site-count rules")
    p.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    p.add_argument("--time-limit", type=float, dest="time_limit", default=60.0,
                   help="seconds per run (default 60)")
    p.add_argument("--gap", type=float, help="relative MIP gap of every run")
    add_dask_arguments(p)
    p.add_argument("--max-runs", type=int, dest="max_runs", default=None,
                   help="most combinations to run (default 400)")
    p.add_argument("--out", type=Path, required=True, help="sweep.json to write")
    p.add_argument("--figure", type=Path, help="the curve as .png or .pdf")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the figure and the messages")
    p.set_defaults(func=run)


def add_input_arguments(p: Any) -> None:
    """The map-form inputs (as ``plan``'s)."""
    g = p.add_argument_group("inputs (the map form of plan)")
    g.add_argument("--demo", action="store_true", help="the embedded demo district")
    g.add_argument("--profile", help="policy profile id")
    g.add_argument("--areas", type=Path, help="residential areas layer")
    g.add_argument("--sites", type=Path, help="existing facilities and candidate sites layer")
    g.add_argument("--network", type=Path, help="OSM file of the street network")
    g.add_argument("--straight-line", action="store_true", dest="straight_line",
                   help="no network: straight-line distances (declared in the output)")
    g.add_argument("--crs", help="CRS of the layers when a file has none")
    g.add_argument("--areas-layer", dest="areas_layer", help="layer of --areas (GeoPackage)")
    g.add_argument("--sites-layer", dest="sites_layer", help="layer of --sites (GeoPackage)")
    g.add_argument("--service", choices=("childcare", "eldercare", "both"),
                   default="childcare")


def add_dask_arguments(p: Any) -> None:
    """``--workers`` / ``--scheduler``."""
    g = p.add_argument_group("where the runs go (Dask)")
    g.add_argument("--workers", type=int,
                   help="local worker processes (default: the machine's cores; 0: one by one "
                        "in this process)")
    g.add_argument("--scheduler", help="address of a Dask scheduler, tcp://HOST:PORT")


def check_dask_arguments(args: argparse.Namespace, c: ProblemCollector) -> None:
    """Record problems of ``--workers`` / ``--scheduler``."""
    if args.workers is not None and args.scheduler:
        c.add(Message("sweep.workers_and_scheduler"))
    if args.workers is not None and not 0 <= args.workers <= MAX_LOCAL_WORKERS:
        c.add(Message("sweep.workers_range", {"max": MAX_LOCAL_WORKERS, "value": args.workers}))
    if args.scheduler and not _ADDRESS.match(args.scheduler):
        c.add(Message("sweep.scheduler_address", {"value": args.scheduler}))


def default_workers(args: argparse.Namespace) -> int | None:
    """``--workers``, else the machine's cores when no scheduler is given."""
    if args.scheduler:
        return None
    return args.workers if args.workers is not None else max(1, os.cpu_count() or 1)


def check_inputs(args: argparse.Namespace, c: ProblemCollector) -> Any:
    """Record problems of the map-form inputs; the profile, when it loads."""
    from planning.profiles import DEFAULT_PROFILE, load_profile

    profile = None
    profile_id = args.profile or (DEFAULT_PROFILE if args.demo else None)
    if not args.demo and (args.areas is None or args.sites is None or profile_id is None
                          or (args.network is None and not args.straight_line)):
        c.add(Message("sweep.needs_inputs"))
    for flag, path in (("--areas", args.areas), ("--sites", args.sites),
                       ("--network", args.network)):
        if path is not None and not args.demo and not Path(path).exists():
            c.add(Message("sweep.file_missing", {"flag": flag, "path": str(path)}))
    if profile_id is not None:
        try:
            profile = load_profile(profile_id)
        except InputError as exc:
            for prob in exc.problems:
                c.add(prob.message, field="--profile")
    return profile


def read_inputs(args: argparse.Namespace, reach_m: float) -> tuple[Any, Any, Any, Any]:
    """(areas, existing facilities, candidate sites, network or None)."""
    from planning.commands.access import read_network_for
    from planning.commands.plan_inputs import read_layers

    areas, existing, candidates, net_path = read_layers(args)
    network = None
    if net_path is not None:
        layers = [g for g in (areas, existing, candidates) if g is not None and len(g)]
        network = read_network_for(net_path, layers, reach_m=reach_m + 200.0, crs=args.crs)
    return areas, existing, candidates, network


def run(args: argparse.Namespace) -> int:
    """Run ``sweep``."""
    from planning.params import ScenarioParams
    from planning.sweep import (
        MAX_RUNS,
        combinations,
        parse_vary,
        run_sweep,
        scenario_params,
        summary,
        widest_reach_m,
    )

    c = ProblemCollector(source="command line")
    profile = check_inputs(args, c)
    check_dask_arguments(args, c)
    if args.out.suffix.lower() != ".json":
        c.add(Message("sweep.out_suffix", {"flag": "--out", "path": str(args.out),
                                           "suffix": ".json"}))
    if args.figure is not None and args.figure.suffix.lower() not in (".png", ".pdf"):
        c.add(Message("sweep.out_suffix", {"flag": "--figure", "path": str(args.figure),
                                           "suffix": ".png / .pdf"}))
    vary: dict[str, list[Any]] = {}
    try:
        vary = parse_vary(args.vary)
    except InputError as exc:
        c.problems.extend(exc.problems)
    base = ScenarioParams(
        service=args.service, objective=OBJECTIVE_CLI[args.objective], budget=args.budget,
        p=args.p, minutes=args.minutes, speed_m_per_min=args.speed,
        allow_unmet=bool(args.allow_unmet), time_limit=args.time_limit, gap=args.gap,
        solver=args.solver, side_rules=args.side_rules)
    c.raise_if_any()
    assert profile is not None
    combos = combinations(vary)
    max_runs = args.max_runs or MAX_RUNS
    if len(combos) > max_runs:
        raise InputError([Message("sweep.too_many", {"n": len(combos), "limit": max_runs})],
                         source="--vary")
    for combo in combos:  # every combination's parameters checked before reading anything
        scenario_params(base, combo).validate()
    areas, existing, candidates, network = read_inputs(
        args, widest_reach_m(base, combos, profile))

    def show(done: int, total: int, row: dict[str, Any]) -> None:
        state = row["status"] + ("" if row["status"] == "failed" or row["proven_optimal"]
                                 else " (not proven)")
        print(f"[{done}/{total}] run {row['index']} {row['params']}: {state}", flush=True)

    result = run_sweep(areas=areas, facilities=existing, candidates=candidates,
                       network=network, profile=profile, base=base, vary=vary,
                       workers=default_workers(args), scheduler=args.scheduler,
                       progress=show, max_runs=max_runs)
    writers: dict[str | os.PathLike[str], Any] = {args.out: _text_writer(json_text(result))}
    if args.figure is not None:
        from maps.curves import curve_png

        data = curve_png(result, lang=args.lang, fmt=args.figure.suffix.lower().lstrip("."))
        writers[args.figure] = _bytes_writer(data)
    write_outputs(writers)
    for row in result["runs"]:
        if row["status"] == "failed":
            print(Message("sweep.run_failed", {
                "index": row["index"], "params": str(row["params"]),
                "error": as_text(row["error"], args.lang)}).render(args.lang))
    print(summary(result).render(args.lang))
    print(Message("planning.cli.wrote", {"paths": ", ".join(str(p) for p in writers)}).render(
        args.lang))
    return 0


def _text_writer(text: str) -> Any:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return write


def _bytes_writer(data: bytes) -> Any:
    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return write
