"""Every objective honours ``allow_unmet`` alike: hand-derived optima of p-median and maximum
coverage in the hard and the soft form, with the reason of every unmet requirement."""

from __future__ import annotations

import pytest

from errors import InfeasibleError
from optimizer import CAPACITY_IN_REACH, NO_SITE_IN_REACH, MaxCoverage, PMedian
from tests.test_optimizer import SOLVERS

# Areas a0, a1, a2 need 60, 50, 40; a3 needs 10 and reaches no site.  Sites s0, s1.
# Reach: a0 -> s0 (5 min), s1 (10); a1 -> s0 (8), s1 (3); a2 -> s1 (4).
ORIG = [0, 0, 1, 1, 2]
S = [0, 1, 0, 1, 1]
T = [5.0, 10.0, 8.0, 3.0, 4.0]
Q = [60.0, 50.0, 40.0, 10.0]
SITES_EXHAUSTED = "number of sites exhausted"


def _unmet(result) -> dict[int, tuple[float, str]]:
    return {int(r.id): (round(float(r.amount), 6), r.reason)
            for r in result.unmet.itertuples(index=False)}


@pytest.mark.parametrize("solver", SOLVERS)
def test_p_median_soft_serves_what_can_be_served(solver: str) -> None:
    # p = 1, unlimited capacity: s1 reaches a0..a2 (60*10 + 50*3 + 40*4 = 910); a3 reaches
    # nothing and is reported, not a reason to give up
    r = PMedian.from_cost_matrix(ORIG, S, T, Q, p=1, allow_unmet=True).solve(
        solver=solver).result
    assert r.objective == pytest.approx(910.0) and r.proven_optimal
    assert _unmet(r) == {3: (10.0, NO_SITE_IN_REACH)}
    assert r.details["most_servable"]["served"] == pytest.approx(150.0)
    # capacities (200, 60): s0 serves a0 + a1 = 110 at 60*5 + 50*8 = 700, s1 at most 60;
    # a2 reaches only s1, which p = 1 leaves closed
    r = PMedian.from_cost_matrix(ORIG, S, T, Q, p=1, max_capacity=[200, 60],
                                 allow_unmet=True).solve(solver=solver).result
    assert r.objective == pytest.approx(700.0)
    assert _unmet(r) == {2: (40.0, SITES_EXHAUSTED), 3: (10.0, NO_SITE_IN_REACH)}
    # capacities (60, 60): either site serves 60.  s0 at best 60 of a0 (300); s1 takes a1
    # (50*3) and 10 of a2 (10*4) = 190, so s1.  a0 could go to the closed s0 (sites
    # exhausted); a2 reaches only s1, full (capacity)
    r = PMedian.from_cost_matrix(ORIG, S, T, Q, p=1, max_capacity=[60, 60],
                                 allow_unmet=True).solve(solver=solver).result
    assert r.objective == pytest.approx(190.0)
    assert _unmet(r) == {0: (60.0, SITES_EXHAUSTED), 2: (30.0, CAPACITY_IN_REACH),
                         3: (10.0, NO_SITE_IN_REACH)}
    assert r.sites.set_index("id")["open"].tolist() == [False, True]
    if solver == "highs":  # the first step's sites start HiGHS, checked like a plan
        assert r.details["start"]["method"].startswith("maximum-coverage sites")
        assert "rejected" not in r.details["start"]


def test_p_median_hard_form_says_why() -> None:
    with pytest.raises(InfeasibleError, match=r"areas 3 have no site in reach \(requirement 10"):
        PMedian.from_cost_matrix(ORIG, S, T, Q, p=2).solve()
    # 150 needed; one site of 60 holds at most 60
    with pytest.raises(InfeasibleError, match="candidates hold at most 60"):
        PMedian.from_cost_matrix(ORIG, S, T, Q[:3], p=1, max_capacity=[60, 60]).solve()
    # with every area in reach the hard optimum is the classic one: p = 2 -> 610
    r = PMedian.from_cost_matrix(ORIG, S, T, Q[:3], p=2).solve().result
    assert r.objective == pytest.approx(610.0) and r.unmet.empty


@pytest.mark.parametrize("solver", SOLVERS)
def test_max_coverage_hard_and_soft(solver: str) -> None:
    # soft (the default): p = 1, capacities (100, 80) -> s0 covers 100 of a0 + a1; a2 reaches
    # only s1 (closed), a3 nothing
    r = MaxCoverage.from_cost_matrix(ORIG, S, T, Q, p=1, max_capacity=[100, 80]).solve(
        solver=solver).result
    assert r.objective == pytest.approx(100.0)
    un = _unmet(r)
    assert un[2] == (40.0, SITES_EXHAUSTED) and un[3] == (10.0, NO_SITE_IN_REACH)
    assert sum(a for a, _ in un.values()) == pytest.approx(60.0)
    # hard: a3 out of reach is named before any solver runs
    with pytest.raises(InfeasibleError, match=r"areas 3 have no site in reach"):
        MaxCoverage.from_cost_matrix(ORIG, S, T, Q, p=1, allow_unmet=False).solve(
            solver=solver)
    # hard, every area in reach: p = 2 serves all 150
    r = MaxCoverage.from_cost_matrix(ORIG, S, T, Q[:3], p=2, max_capacity=[100, 80],
                                     allow_unmet=False).solve(solver=solver).result
    assert r.objective == pytest.approx(150.0) and r.unmet.empty
    # hard, p = 1: 180 places in reach would do, one site cannot (100 or 80 < 150)
    with pytest.raises(InfeasibleError, match="no plan within 1 new sites serves every"):
        MaxCoverage.from_cost_matrix(ORIG, S, T, Q[:3], p=1, max_capacity=[100, 80],
                                     allow_unmet=False).solve(solver=solver)
    # hard, budget: f = (100, 120), c = 1 per place; serving 150 needs both sites
    # (100 + 120 + 150 = 370)
    with pytest.raises(InfeasibleError, match="a budget of 369 yuan"):
        MaxCoverage.from_cost_matrix(ORIG, S, T, Q[:3], budget=369, fixed_cost=[100, 120],
                                     unit_cost=1.0, max_capacity=[100, 80],
                                     allow_unmet=False).solve(solver=solver)
    r = MaxCoverage.from_cost_matrix(ORIG, S, T, Q[:3], budget=370, fixed_cost=[100, 120],
                                     unit_cost=1.0, max_capacity=[100, 80],
                                     allow_unmet=False).solve(solver=solver).result
    assert r.objective == pytest.approx(150.0)


def test_uncapacitated_max_coverage_hard_covering_form() -> None:
    # no capacity limit: s1 reaches a0..a2, so p = 1 serves all in the covering form
    r = MaxCoverage.from_cost_matrix(ORIG, S, T, Q[:3], p=1, allow_unmet=False).solve().result
    assert r.objective == pytest.approx(150.0) and r.details["formulation"] == "covering"
    # a2 -> s1 only, a0 -> s0 only: one site cannot cover both
    with pytest.raises(InfeasibleError, match="no plan within 1 new sites"):
        MaxCoverage.from_cost_matrix([0, 1], [0, 1], [1.0, 1.0], [5.0, 5.0], p=1,
                                     allow_unmet=False).solve()


def test_cbc_infeasible_before_branching_is_read_as_infeasible() -> None:
    # CBC prints no "Result -" line when presolve or preprocessing proves infeasibility
    from optimizer import parse_cbc_log

    assert parse_cbc_log("Problem is infeasible - 0.00 seconds\n")["result"].startswith(
        "infeasible")
    text = ("Continuous objective value is -150 - 0.00 seconds\n"
            "Pre-processing says infeasible or unbounded\n")
    assert parse_cbc_log(text)["result"].startswith("infeasible")
    # without a bounded relaxation it may be unbounded: not read as infeasible
    assert parse_cbc_log("Pre-processing says infeasible or unbounded\n")["result"] == ""


def test_a_remainder_below_one_whole_place_says_so() -> None:
    """10.4 托位 asked; one site, 100 per place, unmet at 150 per unit: 10 places are built
    (1,000) and the 0.4 left costs 60, less than an 11th place (100): the reason names it."""
    import numpy as np

    from optimizer import MinCostProvision

    m = MinCostProvision.from_cost_matrix(
        np.array([0]), np.array([0]), np.array([1.0]), np.array([10.4]), n_sites=1,
        fixed_cost=0.0, unit_cost=100.0, max_capacity=50.0, allow_unmet=True,
        unmet_penalty=150.0)
    m.solve()
    res = m.result
    assert res.objective == pytest.approx(1000.0 + 0.4 * 150.0)
    assert list(res.unmet["reason"]) == ["remainder below one whole place"]
    assert res.unmet["amount"].iloc[0] == pytest.approx(0.4)
