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

Map form (``--profile ID --areas FILE --sites FILE --network FILE --service S``, or
``--demo``): requirements from :func:`planning.demand.compute_demand`, walking times from
:func:`geo.access.travel_times`, reach and site limits from the profile; the chosen sites are
also written as GeoPackage / GeoJSON next to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from errors import InputError, ProblemCollector

OBJECTIVES = ("min-cost", "max-coverage", "min-time")
SITE_COLUMNS = ("id", "fixed_cost", "unit_cost", "min_capacity", "max_capacity",
                "existing_capacity")


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
    p.add_argument("--budget", type=float, help="budget for max-coverage")
    p.add_argument("--p", type=int, help="number of new sites (max-coverage, min-time)")
    p.add_argument("--minutes", type=float,
                   help="reach cutoff in minutes (default: every pair in the file; "
                        "map form: the profile's service circle)")
    p.add_argument("--allow-unmet", action="store_true", dest="allow_unmet",
                   help="min-cost: serve what can be served and report the rest as unmet")
    p.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    p.add_argument("--time-limit", type=float, dest="time_limit", help="seconds")
    p.add_argument("--gap", type=float, help="relative MIP gap (default 1e-4)")
    p.add_argument("--out", type=Path, required=True, help="result.json to write")
    g = p.add_argument_group("map form")
    g.add_argument("--profile", help="policy profile id (map form)")
    g.add_argument("--areas", type=Path, help="residential areas layer (map form)")
    g.add_argument("--network", type=Path, help="OSM file of the street network (map form)")
    g.add_argument("--service", choices=("childcare", "eldercare"), default="childcare")
    g.add_argument("--demo", action="store_true", help="run on the embedded demo district")
    p.set_defaults(func=run)


# --------------------------------------------------------------------------- table form

def _read_csv(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError([f"{what} file not found: {path}"], source=str(path))
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError([f"cannot read {what} CSV: {exc}"], source=str(path)) from exc


def _numbers(df: pd.DataFrame, col: str, c: ProblemCollector, source: str, *,
             allow_empty: bool = False, ids: pd.Series | None = None) -> np.ndarray:
    raw = df[col].str.strip()
    empty = raw == ""
    v = pd.to_numeric(raw.where(~empty), errors="coerce")
    label = ids if ids is not None else pd.Series(df.index + 2)
    bad = (~empty & v.isna()) | (empty & (not allow_empty))
    if bad.any():
        c.add("not a number" + ("" if allow_empty else " (empty)"), source=source, field=col,
              rows=label[bad].tolist())
    neg = v < 0
    if neg.any():
        c.add(f"must be >= 0; got {v[neg].tolist()[:10]}", source=source, field=col,
              rows=label[neg].tolist())
    return v.to_numpy(dtype=float)


def read_tables(demand_path: Path, sites_path: Path, times_path: Path
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read and validate the three CSV tables, raising one InputError with every problem."""
    demand = _read_csv(demand_path, "demand")
    sites = _read_csv(sites_path, "sites")
    times = _read_csv(times_path, "travel-time")
    c = ProblemCollector()
    for df, cols, path in ((demand, ("id", "demand"), demand_path), (sites, SITE_COLUMNS,
                           sites_path), (times, ("origin_id", "destination_id", "minutes"),
                                         times_path)):
        missing = [x for x in cols if x not in df.columns]
        if missing:
            c.add(f"missing column(s) {', '.join(missing)} (has {', '.join(df.columns)})",
                  source=str(path))
    c.raise_if_any()
    for df, path in ((demand, demand_path), (sites, sites_path)):
        dup = df["id"][df["id"].duplicated()]
        if len(dup):
            c.add("duplicate ids", source=str(path), field="id", rows=dup.unique().tolist())
        blank = df["id"].str.strip() == ""
        if blank.any():
            c.add("empty id (CSV line numbers)", source=str(path), field="id",
                  rows=(df.index[blank] + 2).tolist())
    out_d = pd.DataFrame({"id": demand["id"],
                          "demand": _numbers(demand, "demand", c, str(demand_path),
                                             ids=demand["id"])})
    out_s = pd.DataFrame({"id": sites["id"]})
    for col in SITE_COLUMNS[1:]:
        out_s[col] = _numbers(sites, col, c, str(sites_path), ids=sites["id"],
                              allow_empty=col in ("max_capacity", "min_capacity", "unit_cost",
                                                  "fixed_cost", "existing_capacity"))
    line = pd.Series(times.index + 2)
    unknown_o = ~times["origin_id"].isin(set(demand["id"]))
    if unknown_o.any():
        c.add(f"origin_id not in {demand_path.name}: "
              f"{', '.join(sorted(set(times['origin_id'][unknown_o]))[:10])} (CSV lines)",
              source=str(times_path), field="origin_id", rows=line[unknown_o].tolist())
    unknown_s = ~times["destination_id"].isin(set(sites["id"]))
    if unknown_s.any():
        c.add(f"destination_id not in {sites_path.name}: "
              f"{', '.join(sorted(set(times['destination_id'][unknown_s]))[:10])} (CSV lines)",
              source=str(times_path), field="destination_id", rows=line[unknown_s].tolist())
    mins = _numbers(times, "minutes", c, str(times_path))
    c.raise_if_any()
    out_t = pd.DataFrame({"origin_id": times["origin_id"],
                          "destination_id": times["destination_id"], "minutes": mins})
    return out_d, out_s, out_t


def build_model(objective: str, demand: pd.DataFrame, sites: pd.DataFrame,
                times: pd.DataFrame, *, budget: float | None, p: int | None,
                minutes: float | None, allow_unmet: bool = False,
                reach_label: str | None = None) -> Any:
    """The optimiser model for an objective, from validated frames."""
    from optimizer import MaxCoverage, MinCostProvision, PMedian

    label = reach_label or (f"within {minutes:g} minutes" if minutes else "in reach")
    common = {"demand_col": "demand", "max_cost": minutes, "reach_label": label}
    if objective == "min-cost":
        return MinCostProvision.from_geodataframe(demand, sites, times,
                                                  allow_unmet=allow_unmet, **common)
    if objective == "max-coverage":
        if budget is None and p is None:
            raise InputError(["--objective max-coverage needs --budget, --p or both"],
                             source="command line")
        return MaxCoverage.from_geodataframe(demand, sites, times, budget=budget, p=p,
                                             **common)
    if p is None:
        raise InputError(["--objective min-time needs --p (number of new sites)"],
                         source="command line")
    return PMedian.from_geodataframe(demand, sites, times, p=p, **common)


def result_json(result: Any) -> dict[str, Any]:
    """``result.json`` content: exactly the documented keys."""
    d = result.to_dict()
    keep = {"sites": ("id", "open", "capacity"), "assignments": ("origin_id", "site_id",
                                                                  "amount"),
            "unmet": ("id", "amount", "reason")}
    out = {k: d[k] for k in ("status", "proven_optimal", "objective", "bound", "gap",
                             "seconds")}
    for k, cols in keep.items():
        out[k] = [{c: r.get(c) for c in cols} for r in d[k]]
    return out


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON atomically (temp file, then replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def _summary(result: Any) -> str:
    opened = result.sites[result.sites["open"]] if len(result.sites) else result.sites
    gap = "n/a" if result.gap is None else f"{result.gap:.2%}"
    return (f"{result.status} (proven optimal: {result.proven_optimal}); objective "
            f"{result.objective}, bound {result.bound}, gap {gap}; {len(opened)} sites open; "
            f"{len(result.unmet)} areas with unmet requirement; {result.seconds:.2f} s")


def run(args: argparse.Namespace) -> int:
    """Run ``plan``."""
    if args.demo or args.profile or args.areas or args.network:
        return run_map(args)
    missing = [f"--{n.replace('_', '-')}" for n in ("demand", "sites", "travel_times")
               if getattr(args, n) is None]
    if missing:
        raise InputError([f"missing {', '.join(missing)} (or use the map form: --profile, "
                          "--areas, --sites, --network, or --demo)"], source="command line")
    demand, sites, times = read_tables(args.demand, args.sites, args.travel_times)
    model = build_model(args.objective, demand, sites, times, budget=args.budget, p=args.p,
                        minutes=args.minutes, allow_unmet=args.allow_unmet)
    model.solve(solver=args.solver, time_limit=args.time_limit, gap=args.gap)
    write_json(args.out, result_json(model.result))
    print(_summary(model.result))
    print(f"wrote {args.out}")
    return 0


def run_map(args: argparse.Namespace) -> int:
    """Map form: placeholder until written below."""
    raise InputError(["the map form is not available yet"], source="command line")
