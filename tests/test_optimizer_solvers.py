"""Solver plumbing: a silent HiGHS, and the LP-rounding warm start giving the same optima."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from optimizer import MaxCoverage, MinCostProvision, PMedian

ROOT = Path(__file__).resolve().parents[1]


def test_highs_prints_nothing_unless_asked():
    # highspy.Highs() prints its banner on construction; with msg=False nothing may reach
    # stdout (a fresh process: the banner is printed once per process)
    code = ("from optimizer import MinCostProvision\n"
            "m = MinCostProvision.from_cost_matrix([0], [0], [1.0], [5.0], fixed_cost=1.0,"
            " unit_cost=1.0)\n"
            "print(m.solve().result.objective)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout == "6.0\n"
    loud = subprocess.run([sys.executable, "-c", code.replace("solve()", "solve(msg=True)")],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    assert "HiGHS" in loud.stdout


def _city(seed: int):
    from benchmarks.bench_optimizer import city_instance, restrict

    return restrict(city_instance(300, 90, seed=seed))


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow),
                                  pytest.param(2, marks=pytest.mark.slow)])
def test_warm_start_same_optimum(seed):
    # the LP relaxation with lazy linking rows + rounding + MIP start must not change the
    # optimum (gap 0: HiGHS has to prove it) on capacitated instances with fractional
    # requirements
    inst = _city(seed)
    q = inst.demand + 0.3
    kw = dict(n_sites=inst.m, fixed_cost=inst.fixed_cost, unit_cost=inst.unit_cost,
              min_capacity=inst.min_capacity, max_capacity=inst.max_capacity,
              existing_capacity=inst.existing_capacity, allow_unmet=True)
    objs = []
    for ws in (False, True):
        m = MinCostProvision.from_cost_matrix(inst.origin, inst.site, inst.minutes, q, **kw)
        r = m.solve(gap=0.0, warm_start=ws).result
        assert r.proven_optimal
        objs.append(r.objective)
        assert (r.sites["new_capacity"] == np.round(r.sites["new_capacity"])).all()
    assert objs[1] == pytest.approx(objs[0], rel=1e-9)
    # capacitated max coverage (p rule: rounding may break it; the MIP still solves it)
    objs = []
    for ws in (False, True):
        m = MaxCoverage.from_cost_matrix(inst.origin, inst.site, inst.minutes, q, p=8,
                                         **{k: v for k, v in kw.items() if k != "allow_unmet"})
        objs.append(m.solve(gap=0.0, warm_start=ws).result.objective)
    assert objs[1] == pytest.approx(objs[0], rel=1e-9)


def test_warm_start_stops_at_the_lp_bound_when_within_gap():
    # one site must open (f 10, c 1) for 52.4: LP bound 10 + 52.4 = 62.4; rounding gives 63,
    # gap 0.6/63 = 0.95% -> accepted at gap 1%, with the LP value as the bound
    m = MinCostProvision.from_cost_matrix([0], [0], [5.0], [52.4], fixed_cost=10.0,
                                          unit_cost=1.0)
    r = m.solve(gap=0.01, warm_start=True).result
    assert r.status == "optimal" and r.proven_optimal
    assert r.objective == pytest.approx(63.0)
    assert r.bound == pytest.approx(62.4)
    assert r.gap == pytest.approx(0.6 / 63)
    assert "LP rounding" in r.details["solver_status"]
    # at a tighter gap the MIP runs and proves 63 itself
    r = m.solve(gap=1e-4, warm_start=True).result
    assert r.objective == pytest.approx(63.0) and r.bound == pytest.approx(63.0)


def test_warm_start_p_median_unchanged():
    inst = _city(0)
    objs = [PMedian.from_cost_matrix(inst.origin, inst.site, inst.minutes, inst.demand,
                                     n_sites=inst.m, p=30).solve(gap=0.0, warm_start=ws)
            .result.objective for ws in (False, True)]
    assert objs[1] == pytest.approx(objs[0], rel=1e-9)


def test_set_cover_reductions_hand_derived():
    # a0 reaches s0, s1; a1 reaches s1, s2; a2 reaches s2, s3 (fixed cost 1 each).  s0 is
    # dominated by s1 and s3 by s2 (same cost, smaller reach); then a0 and a2 have one site
    # left, which must open, and nothing remains for the solver: 2 sites, s1 and s2.
    o, s = [0, 0, 1, 1, 2, 2], [0, 1, 1, 2, 2, 3]
    r = MinCostProvision.from_cost_matrix(o, s, [1.0] * 6, [1.0, 1.0, 1.0],
                                          fixed_cost=1.0).solve().result
    assert r.objective == 2.0 and r.sites["open"].tolist() == [False, True, True, False]
    assert r.details["rows"] == 0
    # s1 dearer (5): s0 is no longer dominated; best is s0 + s2 = 2
    r = MinCostProvision.from_cost_matrix(o, s, [1.0] * 6, [1.0, 1.0, 1.0],
                                          fixed_cost=[1.0, 5.0, 1.0, 1.0]).solve().result
    assert r.objective == 2.0 and r.sites["open"].tolist() == [True, False, True, False]
    # coverage with p = 1: s1 and s2 each cover two areas (demands 3, 2, 4): s2 covers 6
    r = MaxCoverage.from_cost_matrix(o, s, [1.0] * 6, [3.0, 2.0, 4.0], p=1).solve().result
    assert r.objective == 6.0 and r.sites["open"].tolist() == [False, False, True, False]
