"""Benchmark: a province-scale minimum-cost plan, one model against the decomposed one.

Instance: a generated province of 100,000 residential areas and 10,000 candidate and existing
sites — ten cities and counties of 5,000 to 20,000 areas (each one seeded city of
``bench_optimizer.city_instance``, one site per ten areas) laid 50 km apart, so that no walk
of 15 minutes crosses from one to another. The capacitated minimum-cost provision of the city
benchmark (soft form, whole 托位, fixed and unit costs, existing capacity) is solved to a
proven relative gap of 1 %:

* ``single``: one :class:`optimizer.MinCostProvision` on the whole province;
* ``decomposed``: :func:`optimizer.decompose.solve_min_cost_decomposed`, the groups of areas
  and sites that cannot reach each other solved one after another;
* ``dask``: the same on a local Dask cluster of ``--workers`` processes (127.0.0.1 only;
  :func:`planning.sweep.dask_client`).

Run::

    python benchmarks/bench_decompose.py                         # all three, 1% gap
    python benchmarks/bench_decompose.py --modes decomposed dask --workers 2
    python benchmarks/bench_decompose.py --scale 0.1             # a 10,000-area trial

Results go to benchmarks/results/decompose.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_optimizer import Instance, city_instance  # noqa: E402

from optimizer import MinCostProvision, solve_min_cost_decomposed  # noqa: E402

#: Areas of the province's cities and counties (100,000 in all), one site per ten areas.
PLACES = (20_000, 15_000, 10_000, 10_000, 10_000, 10_000, 7_500, 7_500, 5_000, 5_000)
SPACING_M = 50_000.0


def province(scale: float = 1.0, seed: int = 0) -> Instance:
    """Ten seeded cities side by side (their pairs never cross: they are 50 km apart)."""
    parts = [city_instance(max(50, int(n * scale)), max(5, int(n * scale) // 10),
                           seed=seed + k) for k, n in enumerate(PLACES)]
    n_off = np.cumsum([0] + [p.n for p in parts])
    m_off = np.cumsum([0] + [p.m for p in parts])

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    return Instance(
        n=int(n_off[-1]), m=int(m_off[-1]),
        origin=np.concatenate([p.origin + n_off[k] for k, p in enumerate(parts)]),
        site=np.concatenate([p.site + m_off[k] for k, p in enumerate(parts)]),
        minutes=cat("minutes"), demand=cat("demand"), fixed_cost=cat("fixed_cost"),
        unit_cost=cat("unit_cost"), min_capacity=cat("min_capacity"),
        max_capacity=cat("max_capacity"), existing_capacity=cat("existing_capacity"),
        cutoff=parts[0].cutoff)


def _site_kw(inst: Instance) -> dict:
    return {"n_sites": inst.m, "fixed_cost": inst.fixed_cost, "unit_cost": inst.unit_cost,
            "min_capacity": inst.min_capacity, "max_capacity": inst.max_capacity,
            "existing_capacity": inst.existing_capacity, "allow_unmet": True}


def run_single(inst: Instance, gap: float, time_limit: float | None) -> dict:
    t0 = time.perf_counter()
    model = MinCostProvision.from_cost_matrix(inst.origin, inst.site, inst.minutes,
                                              inst.demand, **_site_kw(inst))
    model.solve(gap=gap, time_limit=time_limit)
    r = model.result
    return {"mode": "single", "status": r.status, "proven_optimal": r.proven_optimal,
            "objective": r.objective, "bound": r.bound, "gap": r.gap,
            "cost": r.details.get("cost"), "seconds": time.perf_counter() - t0, "models": 1}


def run_decomposed(inst: Instance, gap: float, time_limit: float | None,
                   client=None, mode: str = "decomposed") -> dict:
    t0 = time.perf_counter()
    r, dec = solve_min_cost_decomposed(inst.origin, inst.site, inst.minutes, inst.demand,
                                       gap=gap, time_limit=time_limit, client=client,
                                       **_site_kw(inst))
    sizes = dec.sizes()
    return {"mode": mode, "status": r.status, "proven_optimal": r.proven_optimal,
            "objective": r.objective, "bound": r.bound, "gap": r.gap,
            "cost": r.details.get("cost"), "seconds": time.perf_counter() - t0,
            "groups": dec.n_groups, "models": r.details["decomposition"]["models"],
            "largest_group": {"areas": int(sizes["areas"].iloc[0]),
                              "sites": int(sizes["sites"].iloc[0])},
            "slowest_model_s": max(m["seconds"] for m in
                                   r.details["decomposition"]["per_model"])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modes", nargs="+", default=["decomposed", "dask", "single"],
                    choices=["single", "decomposed", "dask"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--time-limit", type=float, default=1800.0, dest="time_limit",
                    help="seconds per model (default 1800)")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                    "decompose.json")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    inst = province(args.scale, args.seed)
    gen = time.perf_counter() - t0
    print(f"province: {inst.n:,} areas x {inst.m:,} sites, {len(inst.origin):,} pairs "
          f"(generated in {gen:.1f} s)", flush=True)
    rows = []
    for mode in args.modes:
        if mode == "single":
            row = run_single(inst, args.gap, args.time_limit)
        elif mode == "decomposed":
            row = run_decomposed(inst, args.gap, args.time_limit)
        else:
            from planning.sweep import dask_client

            with dask_client(workers=args.workers) as client:
                row = run_decomposed(inst, args.gap, args.time_limit, client=client,
                                     mode=f"dask, {args.workers} workers")
        print(json.dumps(row), flush=True)
        rows.append(row)
    out = {"instance": {"areas": inst.n, "sites": inst.m, "pairs": int(len(inst.origin)),
                        "places": [int(n * args.scale) for n in PLACES],
                        "seed": args.seed, "gap": args.gap},
           "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
           "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print("\n| mode | status | gap | objective | seconds |\n|---|---|---|---|---|")
    for r in rows:
        gap = "n/a" if r["gap"] is None else f"{r['gap']:.2%}"
        obj = "n/a" if r["objective"] is None else f"{r['objective']:,.0f}"
        print(f"| {r['mode']} | {r['status']} | {gap} | {obj} | {r['seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
