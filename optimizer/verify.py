"""Independent verification of a solution, from the input arrays only (not the MILP)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.messages import Message, Quantity
from errors import SolverError
from optimizer.messages import bullets
from optimizer.rules import SideRules, count_shortfalls

TOL = 1e-5


def _tol(x: np.ndarray | float) -> np.ndarray:
    return np.asarray(TOL * np.maximum(1.0, np.abs(x)))


def verify(
    pairs_origin: np.ndarray,
    pairs_site: np.ndarray,
    demand: np.ndarray,
    *,
    assign_origin: np.ndarray,
    assign_site: np.ndarray,
    assign_amount: np.ndarray,
    unmet: np.ndarray,
    capacity: np.ndarray,
    existing_capacity: np.ndarray,
    opened: np.ndarray,
    min_capacity: np.ndarray | None = None,
    max_capacity: np.ndarray | None = None,
    mode: str = "cover",
    label: str | Message = "",
    raise_on_error: bool = True,
) -> list[Message]:
    """Check a solution against the problem it claims to solve.

    Checks that every assignment is between an area and a site within reach and is not
    negative; that no site serves more than its capacity and a site not opened (or
    enlarged) keeps its existing capacity; that opened sites' capacities lie within their
    bounds; and that every requirement is served or reported unmet (``mode='cover'``), or
    that no area is served beyond its requirement (``mode='coverage'``).

    Returns
    -------
    list of Message
        The violations (empty when the solution is valid).

    Raises
    ------
    SolverError
        When there are violations and ``raise_on_error`` is true.
    """
    demand = np.asarray(demand, dtype=float)
    n, m = len(demand), len(capacity)
    problems: list[Message] = []
    ao = np.asarray(assign_origin, dtype=np.int64)
    asi = np.asarray(assign_site, dtype=np.int64)
    am = np.asarray(assign_amount, dtype=float)
    reach = np.unique(np.asarray(pairs_origin, np.int64) * m + np.asarray(pairs_site, np.int64))
    out = ~np.isin(ao * m + asi, reach)
    if out.any():
        k = np.flatnonzero(out)[:10]
        problems.append(Message("optimizer.verify.out_of_reach", {"pairs": [
            Message("optimizer.verify.pair", {"area": int(ao[i]), "site": int(asi[i])})
            for i in k]}))
    if (am < -TOL).any():
        problems.append(Message("optimizer.verify.negative", {"n": int((am < -TOL).sum())}))
    load = np.bincount(asi, weights=am, minlength=m)
    over = np.flatnonzero(load > capacity + _tol(capacity))
    if len(over):
        problems.append(Message("optimizer.verify.over_capacity", {"sites": [
            Message("optimizer.verify.load", {"site": int(j), "load": float(load[j]),
                                              "capacity": float(capacity[j])})
            for j in over[:10]]}))
    e = np.asarray(existing_capacity, dtype=float)
    closed = ~np.asarray(opened, dtype=bool)
    with np.errstate(invalid="ignore"):
        diff = np.where(capacity == e, 0.0, np.abs(capacity - e))
    bad = np.flatnonzero(closed & (diff > _tol(e)))
    if len(bad):
        problems.append(Message("optimizer.verify.closed_changed", {"sites": bad[:10].tolist()}))
    added = np.asarray(opened, dtype=bool) & (capacity > e + _tol(e))
    if min_capacity is not None:
        lo = np.asarray(min_capacity, dtype=float)
        bad = np.flatnonzero(added & (capacity < lo - _tol(lo)))
        if len(bad):
            problems.append(Message("optimizer.verify.below_min", {"sites": bad[:10].tolist()}))
    if max_capacity is not None:
        hi = np.asarray(max_capacity, dtype=float)
        bad = np.flatnonzero(added & (capacity > np.maximum(hi, e) + _tol(hi)))
        if len(bad):
            problems.append(Message("optimizer.verify.above_max", {"sites": bad[:10].tolist()}))
    served = np.bincount(ao, weights=am, minlength=n)
    un = np.asarray(unmet, dtype=float)
    if mode == "cover":
        short = np.flatnonzero(served + un < demand - _tol(demand))
        if len(short):
            problems.append(Message("optimizer.verify.unaccounted",
                                    {"areas": short[:10].tolist()}))
    overs = np.flatnonzero(served > demand + _tol(demand))
    if len(overs):
        problems.append(Message("optimizer.verify.over_served", {"areas": overs[:10].tolist()}))
    if problems and raise_on_error:
        raise SolverError(failed(label, problems))
    return problems


def count_lines(rules: SideRules, short: list[tuple[int, int, int, int]]) -> list[Message]:
    """One line per group short of a site-count rule (the first 20), naming the rule."""
    labels = [r.label or str(k + 1) for k, r in enumerate(rules.count_rules)]
    return [Message("optimizer.count_rule.short", {
        "rule": labels[r], "group": g, "need": Quantity(need, "sites", 0),
        "have": Quantity(have, "sites", 0)}) for r, g, need, have in short[:20]]


def verify_counts(rules: SideRules, is_open: np.ndarray, *, label: str | Message = "",
                  raise_on_error: bool = True) -> list[Message]:
    """Check a plan's open sites (existing ones included) against the site-count rules.

    Returns
    -------
    list of Message
        One problem naming every group short of a rule (empty when all hold).

    Raises
    ------
    SolverError
        When a rule fails and ``raise_on_error`` is true.
    """
    short = count_shortfalls(rules, np.asarray(is_open, dtype=bool))
    problems = ([Message("optimizer.verify.count_rules",
                         {"problems": bullets(count_lines(rules, short))})] if short else [])
    if problems and raise_on_error:
        raise SolverError(failed(label, problems))
    return problems


def failed(label: str | Message, problems: list[Message]) -> Message:
    """The message of a solution that failed verification, one problem per line."""
    of: Any = Message("optimizer.verify.of", {"label": label}) if label else ""
    return Message("optimizer.verify.failed", {"label": of, "problems": bullets(problems)})
