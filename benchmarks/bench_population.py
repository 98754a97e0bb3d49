"""Benchmark: the dasymetric population estimate at city scale (not a timed test).

Run ``python benchmarks/bench_population.py [--areas 10000] [--buildings 300000] [--repeat 3]``.

Synthetic, seeded inputs in EPSG:32650 (metres):

- census units: a 10 × 10 grid of 1.2 km squares (100 街道), each with a population and the
  0–3 and 60+ age groups;
- residential areas: a grid of 100 × 100 compounds of 110 m × 110 m on a 120 m pitch (10,000
  areas), offset so that every unit border cuts through a row of compounds (about 1,700 of
  them straddle two or four units); one in ten has a given population, one in ten households;
- buildings: 30 footprints of 10–25 m per compound with 2–33 floors (300,000 buildings),
  one in twenty flagged non-residential.

Timed: :func:`planning.population.estimate_population` end to end (reprojection to the local
metric CRS, overlap check of the units, area × unit pieces, building points to areas and
units, weights, shares, largest-remainder rounding, age groups, the summary). Not timed:
building the inputs. Results go to ``benchmarks/results/population.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CRS = "EPSG:32650"
X0, Y0 = 600_000.0, 3_500_000.0


def inputs(n_areas: int, n_buildings: int, seed: int = 7):
    """Census units, areas and buildings as described in the module docstring."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    side = int(round(np.sqrt(n_areas)))
    pitch, size = 120.0, 110.0
    extent = side * pitch
    n_units_side = 10
    # unit borders 50 m off the compound grid, the outer ones widened to cover every compound
    edges = X0 - 50 + np.arange(n_units_side + 1) * extent / n_units_side
    edges[0], edges[-1] = X0 - 10, X0 + extent + 10
    ux, uy = np.meshgrid(np.arange(n_units_side), np.arange(n_units_side))
    ux, uy = ux.ravel(), uy.ravel()
    units = gpd.GeoDataFrame({
        "id": [f"S{i:03d}" for i in range(len(ux))],
        "population": rng.integers(20_000, 120_000, len(ux)),
    }, geometry=shapely.box(edges[ux], edges[uy] - X0 + Y0, edges[ux + 1],
                            edges[uy + 1] - X0 + Y0), crs=CRS)
    units["age_0_3"] = (units["population"] * rng.uniform(0.02, 0.04, len(units))).round()
    units["age_60_plus"] = (units["population"] * rng.uniform(0.15, 0.3, len(units))).round()
    ax, ay = np.meshgrid(np.arange(side), np.arange(side))
    ax, ay = ax.ravel(), ay.ravel()
    x0 = X0 + ax * pitch
    y0 = Y0 + ay * pitch
    geoms = shapely.box(x0, y0, x0 + size, y0 + size)
    pop = np.full(len(geoms), np.nan)
    hh = np.full(len(geoms), np.nan)
    pick = rng.random(len(geoms))
    pop[pick < 0.1] = rng.integers(200, 1_500, int((pick < 0.1).sum()))
    hh[(pick >= 0.1) & (pick < 0.2)] = rng.integers(100, 1_200,
                                                    int(((pick >= 0.1) & (pick < 0.2)).sum()))
    areas = gpd.GeoDataFrame({"id": [f"A{i}" for i in range(len(geoms))], "population": pop,
                              "households": hh}, geometry=geoms, crs=CRS)
    per = n_buildings // len(geoms)
    owner = np.repeat(np.arange(len(geoms)), per)
    bx = x0[owner] + rng.uniform(2, size - 27, len(owner))
    by = y0[owner] + rng.uniform(2, size - 27, len(owner))
    w = rng.uniform(10, 25, len(owner))
    h = rng.uniform(10, 25, len(owner))
    buildings = gpd.GeoDataFrame({
        "id": [f"B{i}" for i in range(len(owner))],
        "floors": rng.integers(2, 34, len(owner)).astype(float),
        "residential": rng.random(len(owner)) > 0.05,
    }, geometry=shapely.box(bx, by, bx + w, by + h), crs=CRS)
    return units, areas, buildings


def main(argv: list[str] | None = None) -> int:
    from planning.population import estimate_population

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", type=int, default=10_000)
    ap.add_argument("--buildings", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "population.json"))
    args = ap.parse_args(argv)
    t = time.perf_counter()
    units, areas, buildings = inputs(args.areas, args.buildings)
    build_s = time.perf_counter() - t
    times = []
    est = None
    for _ in range(args.repeat):
        t = time.perf_counter()
        est = estimate_population(areas, units, buildings=buildings, persons_per_household=2.62,
                                  floor_area_per_person_m2=35.0)
        times.append(time.perf_counter() - t)
    assert est is not None
    u = est.units
    straddling = int(est.areas["census_shares"].notna().sum())
    conserved = bool((u.loc[u["areas"] > 0, "assigned"]
                      == u.loc[u["areas"] > 0, "census_population"]).all())
    result = {
        "areas": len(areas), "buildings": len(buildings), "census_units": len(units),
        "straddling_areas": straddling,
        "seconds": sorted(times)[len(times) // 2], "runs_s": [round(x, 3) for x in times],
        "inputs_build_s": round(build_s, 3),
        "assigned": float(u["assigned"].sum()), "census": float(u["census_population"].sum()),
        "totals_conserved": conserved,
        "methods": {m: int((est.areas["population_method"] == m).sum())
                    for m in ("given", "households", "floor_area", "area")},
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
