"""The table form of ``plan``: demand, sites and walking times as CSV, the model, result.json.

See :mod:`planning.commands.plan` for the command's usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from errors import InputError, ProblemCollector

SITE_COLUMNS = ("id", "fixed_cost", "unit_cost", "min_capacity", "max_capacity",
                "existing_capacity")


def read_csv_table(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError([f"{what} file not found: {path}"], source=str(path))
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError as exc:
        raise InputError([f"the {what} CSV is empty (no header, no rows)"],
                         source=str(path)) from exc
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
    demand = read_csv_table(demand_path, "demand")
    sites = read_csv_table(sites_path, "sites")
    times = read_csv_table(times_path, "travel-time")
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
                minutes: float | None, allow_unmet: bool | None = None,
                reach_label: str | None = None, integer_capacity: bool = True) -> Any:
    """The optimiser model for a command-line objective, from validated frames.

    ``allow_unmet=None`` (no ``--allow-unmet`` flag) keeps the model's default: hard for
    min-cost and min-time, soft for max-coverage.
    """
    from planning.objectives import build_model as registry_model
    from planning.objectives import objective_from_cli

    if objective == "max-coverage" and budget is None and p is None:
        raise InputError(["--objective max-coverage needs --budget, --p or both"],
                         source="command line")
    if objective == "min-time" and p is None:
        raise InputError(["--objective min-time needs --p (number of new sites)"],
                         source="command line")
    from core.messages import Message
    from optimizer import reach_within

    label = reach_label or (reach_within(minutes) if minutes
                            else Message("optimizer.reach.in_reach"))
    return registry_model(objective_from_cli(objective).name, demand, sites, times,
                          budget=budget, p=p, allow_unmet=allow_unmet, demand_col="demand",
                          max_cost=minutes, reach_label=label,
                          integer_capacity=integer_capacity)


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


def summary(result: Any) -> str:
    opened = result.sites[result.sites["open"]] if len(result.sites) else result.sites
    gap = "n/a" if result.gap is None else f"{result.gap:.2%}"
    return (f"{result.status} (proven optimal: {result.proven_optimal}); objective "
            f"{result.objective}, bound {result.bound}, gap {gap}; {len(opened)} sites open; "
            f"{len(result.unmet)} areas with unmet requirement; {result.seconds:.2f} s")


