"""Benchmark: a sweep of 16 scenarios on Dask with 1 and 2 workers (speed-up), and in-process.

Cases:

* ``demo``: the embedded demo district (71 areas, OSM network), child care, maximum coverage,
  ``--vary budget=<8 values> --vary minutes=10,15`` (16 runs);
* ``city``: the generated city of ``bench_travel_times`` (a 300,000-node street grid,
  10,000 residential areas, 3,000 candidate sites; populations and costs seeded here), child
  care, maximum coverage with ``--vary p=<8 values> --vary minutes=10,15`` (16 runs).

Each configuration runs :func:`planning.sweep.run_sweep` end to end — shared requirements and
walking times computed once, scattered, 16 tasks, rows gathered — on a local cluster of
``--workers`` processes started inside the timing (``workers 0`` = one by one in this process,
no Dask), and checks that every configuration returns the same rows (runs stopped by the time limit
are not proven, and their incumbent depends on how fast the machine was: they may differ,
and are listed).

Run::

    python benchmarks/bench_sweep.py                   # demo, workers 0 1 2
    python benchmarks/bench_sweep.py --case city --workers 1 2

Results go to benchmarks/results/sweep_<case>.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from planning.params import ScenarioParams  # noqa: E402
from planning.profiles import DEFAULT_PROFILE, load_profile  # noqa: E402
from planning.sweep import run_sweep  # noqa: E402


def demo_case():
    from geo.demo import demo_paths, load_demo
    from planning.commands.access import read_network_for

    d = load_demo()
    net = read_network_for(str(demo_paths()["network"]),
                           [d["areas"], d["facilities"], d["candidates"]], reach_m=1100.0)
    vary = {"budget": [5e5, 1e6, 2e6, 3e6, 4e6, 6e6, 8e6, 1.2e7], "minutes": [10.0, 15.0]}
    return d["areas"], d["facilities"], d["candidates"], net, vary


def city_case(seed: int = 11):
    import geopandas as gpd
    from bench_travel_times import city_layers, city_network

    net = city_network()
    areas, sites = city_layers(net)
    rng = np.random.default_rng(seed)
    n, m = len(areas), len(sites)
    areas = areas.assign(name=areas["id"], population=np.round(rng.lognormal(np.log(1500),
                                                                              0.5, n)),
                         households=np.nan, area_type=rng.choice(["new", "old"], n),
                         admin_unit=None).to_crs(4326)
    cand = gpd.GeoDataFrame({
        "id": sites["id"], "name": sites["id"], "service": "childcare", "status": "candidate",
        "fixed_cost": np.round(rng.uniform(1e6, 3e6, m), -3),
        "unit_cost": np.round(rng.uniform(1e4, 3e4, m), -2), "min_capacity": 0.0,
        "max_capacity": rng.choice([60.0, 90.0, 120.0, 150.0], m), "capacity": np.nan,
        "kind": None, "admin_unit": None}, geometry=sites.geometry.values,
        crs=sites.crs).to_crs(4326)
    vary = {"p": [25, 50, 100, 150, 200, 300, 400, 600], "minutes": [10.0, 15.0]}
    return areas, None, cand, net, vary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", choices=("demo", "city"), default="demo")
    ap.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--time-limit", type=float, default=120.0, dest="time_limit")
    ap.add_argument("--gap", type=float, default=None)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    areas, facilities, candidates, net, vary = demo_case() if args.case == "demo" \
        else city_case()
    load_s = time.perf_counter() - t0
    profile = load_profile(DEFAULT_PROFILE)
    base = ScenarioParams(service="childcare", objective="max_coverage",
                          time_limit=args.time_limit, gap=args.gap, side_rules=False)
    n_runs = int(np.prod([len(v) for v in vary.values()]))
    print(f"case {args.case}: {len(areas):,} areas, {n_runs} runs (inputs read in "
          f"{load_s:.1f} s)", flush=True)
    rows, reference = [], None
    for w in args.workers:
        t0 = time.perf_counter()
        start = 0.0
        kw = {"areas": areas, "facilities": facilities, "candidates": candidates,
              "network": net, "profile": profile, "base": base, "vary": vary,
              "progress": lambda d, t, r: print(f"  [{d}/{t}] {r['params']} {r['status']} "
                                                f"{r['seconds']:.1f} s", flush=True)}
        if w == 0:
            res = run_sweep(**kw, workers=0)
        else:
            from planning.sweep import dask_client

            with dask_client(workers=w) as client:
                start = time.perf_counter() - t0
                res = run_sweep(**kw, client=client)
        wall = time.perf_counter() - t0
        runs = res["runs"]
        same = [{k: v for k, v in r.items() if k != "seconds"} for r in runs]
        if reference is None:
            reference = same
        row = {"workers": w, "seconds": wall, "cluster_start_seconds": start,
               "sweep_seconds": wall - start,
               "run_seconds_sum": float(sum(r["seconds"] for r in runs)),
               "proven": sum(bool(r["proven_optimal"]) for r in runs),
               "failed": sum(r["status"] == "failed" for r in runs),
               "same_rows_as_first": same == reference,
               "runs_differing_from_first": [
                   {"index": a["index"], "params": a["params"], "status": [a["status"],
                                                                           b["status"]]}
                   for a, b in zip(same, reference, strict=True) if a != b]}
        print(json.dumps(row), flush=True)
        rows.append(row)
    base_row = next((r for r in rows if r["workers"] == 1), rows[0])
    for r in rows:
        r["speed_up_vs_1_worker"] = base_row["seconds"] / r["seconds"]
    out = {"case": args.case, "runs": n_runs, "vary": vary,
           "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                       "load_average": os.getloadavg()},
           "rows": rows}
    path = ROOT / "benchmarks" / "results" / f"sweep_{args.case}.json"
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print("\n| workers | seconds (cluster start) | sum of run seconds | proven | speed-up vs 1 "
          "worker | same rows |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['workers'] or 'in-process'} | {r['seconds']:.1f} "
              f"({r['cluster_start_seconds']:.1f}) | "
              f"{r['run_seconds_sum']:.1f} | {r['proven']}/{n_runs} | "
              f"{r['speed_up_vs_1_worker']:.2f}× | {r['same_rows_as_first']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
