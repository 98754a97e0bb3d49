"""Integer capacities: 托位 and beds come in whole units, m² does not (hand-derived optima)."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import JointSiting, MaxCoverage, MinCostProvision


def test_fractional_requirement_rounds_capacity_up():
    # One area needs 52.4 托位 and reaches one site (f = 10, c = 1 per place).  Whole places:
    # the site needs 53 (52 < 52.4), cost 10 + 53 = 63; amounts stay fractional (52.4).
    m = MinCostProvision.from_cost_matrix([0], [0], [5.0], [52.4], fixed_cost=10.0,
                                          unit_cost=1.0)
    r = m.solve(gap=0.0).result
    assert r.proven_optimal
    assert r.objective == pytest.approx(63.0)
    assert r.sites.loc[0, "capacity"] == 53.0
    assert r.assignments["amount"].sum() == pytest.approx(52.4)
    # m² of floor area are divisible: the caller passes integer_capacity=False
    m = MinCostProvision.from_cost_matrix([0], [0], [5.0], [52.4], fixed_cost=10.0,
                                          unit_cost=1.0, integer_capacity=False)
    r = m.solve(gap=0.0).result
    assert r.objective == pytest.approx(62.4)
    assert r.sites.loc[0, "capacity"] == pytest.approx(52.4)


def test_rounding_is_per_site_not_per_area():
    # Two areas of 20.3 each at one site: 40.6 -> 41 places (not 21 + 21 = 42); f 10, c 1.
    m = MinCostProvision.from_cost_matrix([0, 1], [0, 0], [3.0, 4.0], [20.3, 20.3],
                                          fixed_cost=10.0, unit_cost=1.0)
    r = m.solve(gap=0.0).result
    assert r.objective == pytest.approx(51.0)
    assert r.sites.loc[0, "capacity"] == 41.0


def test_enlargement_of_existing_site_in_whole_places():
    # Existing site holds 30; the area needs 52.4: enlarge by 23 (22.4 -> 23) for 5 + 2*23.
    m = MinCostProvision.from_cost_matrix([0], [0], [5.0], [52.4], fixed_cost=5.0,
                                          unit_cost=2.0, existing_capacity=30.0)
    r = m.solve(gap=0.0).result
    assert r.objective == pytest.approx(51.0)
    s = r.sites.iloc[0]
    assert s["new_capacity"] == 23.0 and s["capacity"] == 53.0 and s["action"] == "enlarged"


def test_rounding_changes_the_plan():
    # One area needs 10.2; s0 (f 0, c 1, at most 10.5 places -> 10 whole) and s1 (f 3, c 2).
    # Continuous: s0 takes 10.2 (10.5 >= 10.2), cost 10.2.  Whole places: s0 holds at most
    # 10, so 0.2 go to s1, which needs a whole place: 10 + 3 + 2 = 15 (s1 alone: 3 + 2*11
    # = 25).
    kw = dict(fixed_cost=[0.0, 3.0], unit_cost=[1.0, 2.0], max_capacity=[10.5, 100.0],
              n_sites=2)
    r = MinCostProvision.from_cost_matrix([0, 0], [0, 1], [2.0, 3.0], [10.2],
                                          integer_capacity=False, **kw).solve(gap=0.0).result
    assert r.objective == pytest.approx(10.2)
    assert not r.sites.loc[1, "open"]
    r = MinCostProvision.from_cost_matrix([0, 0], [0, 1], [2.0, 3.0], [10.2],
                                          **kw).solve(gap=0.0).result
    assert r.objective == pytest.approx(15.0)
    assert r.sites["capacity"].tolist() == [10.0, 1.0]


def test_min_capacity_rounded_up():
    # Minimum size 20.5 places -> 21 whole places; area needs 12: build 21 for 21 (c = 1).
    r = MinCostProvision.from_cost_matrix([0], [0], [1.0], [12.0], unit_cost=1.0,
                                          min_capacity=20.5).solve(gap=0.0).result
    assert r.objective == pytest.approx(21.0)
    assert r.sites.loc[0, "capacity"] == 21.0


def test_max_coverage_budget_buys_whole_places():
    # Budget 50.5 at 1 per place, no fixed cost, area needs 60: 50 whole places -> 50 served
    # (50.5 with divisible units).
    kw = dict(budget=50.5, unit_cost=1.0)
    r = MaxCoverage.from_cost_matrix([0], [0], [1.0], [60.0], **kw).solve(gap=0.0).result
    assert r.objective == pytest.approx(50.0)
    r = MaxCoverage.from_cost_matrix([0], [0], [1.0], [60.0], integer_capacity=False,
                                     **kw).solve(gap=0.0).result
    assert r.objective == pytest.approx(50.5)


def test_joint_siting_whole_places_for_childcare_only():
    # One area needs 52.4 托位 and 52.4 m²; one site, f 10 per service, c 1: 托位 round to
    # 53, m² stay 52.4: 10 + 53 + 10 + 52.4 = 125.4.
    m = JointSiting.from_cost_matrix([0], [0], [2.0], np.array([[52.4, 52.4]]),
                                     fixed_cost=10.0, unit_cost=1.0,
                                     integer_capacity=(True, False))
    r = m.solve(gap=0.0).result
    assert r.objective == pytest.approx(125.4)
    cap = r.sites.set_index("service")["capacity"]
    assert cap["childcare"] == 53.0 and cap["eldercare"] == pytest.approx(52.4)


def test_joint_cost_pays_no_shared_part_on_a_site_already_in_use() -> None:
    """One area, one site already holding 60 托位 and 60 m² (existing): nothing is built, the
    objective is 0, and the reported cost is 0 too (the shared fixed cost of 1,000 is paid
    only on sites opened by the plan, as in the model)."""
    m = JointSiting.from_cost_matrix([0], [0], [2.0], np.array([[50.0, 50.0]]),
                                     fixed_cost=10.0, unit_cost=1.0, existing_capacity=60.0,
                                     shared_fixed_cost=[1000.0])
    r = m.solve().result
    assert r.objective == pytest.approx(0.0)
    assert r.details["cost"] == pytest.approx(0.0)
