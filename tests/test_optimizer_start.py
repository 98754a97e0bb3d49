"""Heuristic starting plans (optimizer.heuristics): hand-derived small cases, and on random
instances the start is feasible and the proven optimum is the same with and without it."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import LinearProgram, MaxCoverage, MinCostProvision, PMedian, heuristics
from optimizer import solve_program as solve


def _instance(seed: int, n: int = 60, m: int = 25, radius: float = 0.3):
    """Random points in the unit square; pairs within ``radius`` (minutes = 10 x distance)."""
    rng = np.random.default_rng(seed)
    a = rng.random((n, 2))
    s = np.vstack([a[rng.choice(n, m // 2, replace=False)], rng.random((m - m // 2, 2))])
    d = np.linalg.norm(a[:, None] - s[None], axis=2)
    o, j = np.nonzero(d <= radius)
    reach = np.bincount(o, minlength=n) > 0
    keep = reach[o]
    new = np.cumsum(reach) - 1
    demand = np.round(rng.uniform(1, 20, int(reach.sum())))
    return new[o[keep]], j[keep], 10 * d[o[keep], j[keep]], demand, m, rng


# --------------------------------------------------------------------------- heuristics


def test_greedy_cover_takes_the_site_covering_all_and_drops_redundant_ones():
    # classes 0..3; site 0 reaches {0,1}, site 1 {2,3}, site 2 {0,1,2,3}: one site suffices
    row = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    col = np.array([0, 0, 1, 1, 2, 2, 2, 2])
    op = heuristics.greedy_cover(row, col, 4, 3, cost=np.ones(3),
                                 allowed=np.ones(3, bool))
    assert op.tolist() == [False, False, True]
    # site 2 costs 3 > 1 + 1: the two cheap sites are cheaper per class covered
    op = heuristics.greedy_cover(row, col, 4, 3, cost=np.array([1.0, 1.0, 3.0]),
                                 allowed=np.ones(3, bool))
    assert op.tolist() == [True, True, False]
    # a forced site stays; the class no allowed site reaches makes the cover impossible
    op = heuristics.greedy_cover(row, col, 4, 3, cost=np.ones(3),
                                 allowed=np.array([True, True, False]),
                                 forced=np.array([True, False, False]))
    assert op.tolist() == [True, True, False]
    assert heuristics.greedy_cover(np.array([0]), np.array([0]), 2, 1, cost=np.ones(1),
                                   allowed=np.ones(1, bool)) is None


def test_max_coverage_swap_beats_greedy():
    # weights c0 = 2, c1 = 3, c2 = 3, c3 = 2; site A = {c1, c2} (6), B = {c0, c1} (5),
    # C = {c2, c3} (5); p = 2.  Greedy takes A, then B or C (+2) = 8; the swap A -> the other
    # one gives B + C = 10, the optimum.
    row = np.array([1, 2, 0, 1, 2, 3])
    col = np.array([0, 0, 1, 1, 2, 2])
    w = np.array([2.0, 3.0, 3.0, 2.0])
    greedy = heuristics.max_coverage(row, col, w, 4, 3, allowed=np.ones(3, bool), p=2,
                                     seconds=0.0)
    assert greedy[0] and greedy.sum() == 2
    op = heuristics.max_coverage(row, col, w, 4, 3, allowed=np.ones(3, bool), p=2)
    assert op.tolist() == [False, True, True]


def test_max_coverage_never_below_greedy_nor_above_enumeration():
    rng = np.random.default_rng(3)
    for _ in range(20):
        n, m, p = 8, 6, 2
        inc = rng.random((n, m)) < 0.35
        row, col = np.nonzero(inc)
        w = rng.integers(1, 9, n).astype(float)
        ones = np.ones(m, bool)
        g = heuristics.max_coverage(row, col, w, n, m, allowed=ones, p=p, seconds=0.0)
        op = heuristics.max_coverage(row, col, w, n, m, allowed=ones, p=p)
        got, base = (w[inc[:, x].any(axis=1)].sum() for x in (op, g))
        best = max(w[inc[:, [a, b]].any(axis=1)].sum() for a in range(m) for b in range(m))
        assert op.sum() <= p and base <= got <= best


def test_max_coverage_respects_budget():
    row = np.array([0, 1, 2, 2])
    col = np.array([0, 0, 1, 2])
    w = np.array([4.0, 4.0, 5.0])
    op = heuristics.max_coverage(row, col, w, 3, 3, allowed=np.ones(3, bool), budget=3.0,
                                 cost=np.array([3.0, 1.0, 2.0]))
    assert float(np.array([3.0, 1.0, 2.0]) @ op) <= 3.0
    assert op.tolist() == [True, False, False]  # 8 covered for 3 beats 5 for 1 or 2


def test_pmedian_interchange_finds_the_line_optimum():
    # areas at 0, 1, 2, 10, 11, 12 on a line (demand 1), sites at every area, p = 2:
    # optimum opens 1 and 11 (total 4 minutes); all pairs within reach
    x = np.array([0.0, 1, 2, 10, 11, 12])
    k, j = np.meshgrid(np.arange(6), np.arange(6), indexing="ij")
    k, j = k.ravel(), j.ravel()
    t = np.abs(x[k] - x[j])
    op = heuristics.pmedian(k, j, t, np.ones(6), 6, allowed=np.ones(6, bool), p=2)
    assert np.flatnonzero(op).tolist() == [1, 4]


def test_pmedian_covers_first_when_p_barely_suffices():
    # three clusters each reachable only from its own sites; p = 3 must pick one per cluster
    # although the big cluster would like two
    k = np.array([0, 0, 1, 1, 2, 3, 4])
    j = np.array([0, 1, 0, 1, 2, 3, 4])
    t = np.array([0.0, 5.0, 5.0, 0.0, 1.0, 1.0, 1.0])
    q = np.array([100.0, 100.0, 1.0, 1.0, 1.0])
    op = heuristics.pmedian(k, j, t, q, 5, allowed=np.ones(5, bool), p=3)
    assert op is None  # four separate groups need four sites
    op = heuristics.pmedian(k, j, t, q, 5, allowed=np.ones(5, bool), p=4)
    assert op[2:].all() and op[:2].sum() == 1


# --------------------------------------------------------------------------- models


def _same_optimum(model_factory):
    with_start = model_factory().solve(gap=0.0, start=True).result
    without = model_factory().solve(gap=0.0, start=False).result
    assert with_start.proven_optimal and without.proven_optimal
    assert with_start.objective == pytest.approx(without.objective)
    assert without.details["start"]["method"] is None
    return with_start


@pytest.mark.parametrize("seed", range(4))
def test_lscp_start_is_feasible_and_optimum_unchanged(seed):
    o, j, t, q, m, rng = _instance(seed)
    cost = np.round(rng.uniform(1, 3, m))
    for fixed in (1.0, cost):
        res = _same_optimum(lambda f=fixed: MinCostProvision.from_cost_matrix(
            o, j, t, np.ones(len(q)), n_sites=m, fixed_cost=f, unit_cost=0.0))
        st = res.details["start"]
        assert st["method"].startswith("greedy set cover")
        assert "rejected" not in st
        assert st["objective"] >= res.objective - 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_mclp_start_is_feasible_and_optimum_unchanged(seed):
    o, j, t, q, m, rng = _instance(seed, radius=0.2)
    fixed = np.round(rng.uniform(1, 5, m))
    for kw in ({"p": 3}, {"budget": 8.0, "fixed_cost": fixed},
               {"p": 2, "budget": 6.0, "fixed_cost": fixed}):
        res = _same_optimum(lambda kw=kw: MaxCoverage.from_cost_matrix(
            o, j, t, q, n_sites=m, **kw))
        st = res.details["start"]
        assert st["method"].startswith("lazy greedy")
        assert "rejected" not in st
        assert st["objective"] <= res.objective + 1e-9  # a plan, below the maximum


@pytest.mark.parametrize("seed", range(4))
def test_pmedian_start_is_feasible_and_optimum_unchanged(seed):
    o, j, t, q, m, rng = _instance(seed, radius=0.45)
    res = _same_optimum(lambda: PMedian.from_cost_matrix(o, j, t, q, n_sites=m, p=4))
    st = res.details["start"]
    assert st["method"] == "greedy add + interchange (Teitz-Bart)"
    assert st["objective"] >= res.objective - 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_capacitated_pmedian_start_uses_the_transport_lp(seed):
    o, j, t, q, m, rng = _instance(seed, radius=0.45)
    cap = np.full(m, np.ceil(q.sum() / 4))  # 5 sites of a quarter of the demand each
    res = _same_optimum(lambda: PMedian.from_cost_matrix(o, j, t, q, n_sites=m, p=5,
                                                         max_capacity=cap))
    st = res.details["start"]
    assert st["method"] is None or st["method"].startswith("greedy add")
    if st["method"] is not None and "rejected" not in st:
        assert st["objective"] >= res.objective - 1e-9
    load = res.assignments.groupby("site_id")["amount"].sum()
    assert (load <= cap[0] + 1e-6).all()


def test_capacitated_pmedian_start_repairs_assignment_by_transport_lp():
    # areas 0 and 1 (demand 10 each) reach sites 0 (1 and 1 minute) and 1 (2 and 3
    # minutes), each of capacity 10; area 2 (demand 1) reaches only site 2.  p = 3.  Nearest
    # assignment sends both big areas to site 0 (20 > 10), so the start's assignment comes
    # from the transport LP: area 1 -> site 0 (10), area 0 -> site 1 (20), area 2 (1) = 31.
    o = np.array([0, 0, 1, 1, 2])
    j = np.array([0, 1, 0, 1, 2])
    t = np.array([1.0, 2.0, 1.0, 3.0, 1.0])
    q = np.array([10.0, 10.0, 1.0])
    cap = np.array([10.0, 10.0, 1.0, 100.0])
    res = _same_optimum(lambda: PMedian.from_cost_matrix(o, j, t, q, n_sites=4, p=3,
                                                         max_capacity=cap))
    assert res.objective == pytest.approx(31.0)
    st = res.details["start"]
    assert st["method"].endswith("assignment by the transport LP")
    assert st["objective"] == pytest.approx(31.0)


def test_capacitated_pmedian_without_a_feasible_start_still_solves():
    # as above but site 1 is far from area 1 and near area 0 only, and p = 3 forces one
    # of sites 1 or 3; the capacity-blind heuristic may choose sites whose transport LP is
    # infeasible: then no start is given, and the optimum is the same
    o = np.array([0, 0, 1, 1, 1, 2])
    j = np.array([0, 1, 0, 3, 2, 2])
    t = np.array([1.0, 9.0, 1.0, 9.0, 8.0, 1.0])
    q = np.array([10.0, 10.0, 1.0])
    cap = np.array([10.0, 10.0, 11.0, 10.0])
    res = _same_optimum(lambda: PMedian.from_cost_matrix(o, j, t, q, n_sites=4, p=3,
                                                         max_capacity=cap))
    # best: site 0 (area 0 or 1), site 2 (area 2 + area 1 at 8), site 1 or 3 idle:
    # area 0 -> 0 (10), area 1 -> 2 (80), area 2 -> 2 (1) = 91
    assert res.objective == pytest.approx(91.0)


def test_solver_rejects_an_infeasible_start():
    # min y0 + y1 s.t. y0 + y1 >= 1; the start (0, 0) violates the row and is ignored
    lp = LinearProgram()
    y = lp.add_cols(2, cost=1.0, upper=1.0, integer=True)
    lp.add_rows(1, np.zeros(2, np.int64), y, 1.0, lower=1.0)
    out = solve(lp, start=np.zeros(2))
    assert out.proven_optimal and out.objective == pytest.approx(1.0)
    out = solve(lp, start=np.array([1.0, 0.0]))
    assert out.proven_optimal and out.objective == pytest.approx(1.0)
