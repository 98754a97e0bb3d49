"""Optimiser: hand-derived optima, infeasible cases, status, brute force, and spopt parity."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from errors import CRSError, InfeasibleError, InputError
from optimizer import (
    JointSiting,
    MaxCoverage,
    MinCostProvision,
    PMedian,
    SideRules,
    parse_cbc_log,
    sites_required_per_group,
)

# Tiny instance used by several tests.  Areas a0, a1, a2 with requirements 60, 50, 40;
# sites s0, s1.  Reach: a0 -> s0 (5 min), s1 (10); a1 -> s0 (8), s1 (3); a2 -> s1 (4).
ORIG = [0, 0, 1, 1, 2]
S = [0, 1, 0, 1, 1]
T = [5.0, 10.0, 8.0, 3.0, 4.0]
Q = [60.0, 50.0, 40.0]


def _cbc_available() -> bool:
    from optimizer import cbc_path

    try:
        cbc_path()
    except Exception:
        return False
    return True


SOLVERS = ["highs", pytest.param("cbc", marks=pytest.mark.skipif(
    not _cbc_available(), reason="cbc not installed (apt-get install coinor-cbc)"))]


@pytest.mark.parametrize("solver", SOLVERS)
def test_min_cost_hand_derived(solver):
    # f = (100, 120), c = (1, 1), U = (150, 150).  a2 reaches only s1, so s1 opens (120).
    # s1 alone can hold 60+50+40 = 150 <= 150 for 120 + 150*1 = 270.  Adding s0 costs 100
    # more and saves no units (each unit costs 1 anywhere): optimum 270, s1 only, 150 places.
    m = MinCostProvision.from_cost_matrix(ORIG, S, T, Q, fixed_cost=[100, 120],
                                          unit_cost=[1, 1], max_capacity=[150, 150],
                                          site_ids=np.array(["s0", "s1"]))
    r = m.solve(solver=solver).result
    assert r.status == "optimal" and r.proven_optimal
    assert r.objective == pytest.approx(270.0)
    assert r.bound == pytest.approx(270.0, rel=1e-4)
    assert r.sites.set_index("id").loc["s1", "capacity"] == pytest.approx(150)
    assert not r.sites.set_index("id").loc["s0", "open"]
    assert r.unmet.empty
    a = r.assignments.set_index("origin_id")
    assert a.loc[1, "minutes"] == 3.0  # merged areas keep their own walking times


def test_min_cost_capacity_forces_two_sites_and_existing_counted():
    # U = (100, 100): 150 places need both sites?  s1 has existing 30 places (e), so s1 can
    # reach 100 total (70 new).  Option A: s1 enlarged to 100 (f 120 + 70) + s0 new with
    # 50 places (f 100 + 50) = 340.  a2 (40) must sit at s1.  Any plan needs 150 - 30 = 120
    # new places (cost 120) and both sites (s1 alone holds 100 < 150): 100+120+120 = 340.
    m = MinCostProvision.from_cost_matrix(ORIG, S, T, Q, fixed_cost=[100, 120], unit_cost=1.0,
                                          max_capacity=[100, 100], existing_capacity=[0, 30])
    r = m.solve().result
    assert r.objective == pytest.approx(340.0)
    sites = r.sites.set_index("id")
    assert sites.loc[1, "action"] == "enlarged" and sites.loc[0, "action"] == "new"
    assert sites["capacity"].sum() == pytest.approx(150.0)


def test_min_capacity_bound_and_cheaper_existing():
    # Existing site s1 already holds 150 places: nothing to build, cost 0.
    m = MinCostProvision.from_cost_matrix(ORIG, S, T, Q, fixed_cost=[100, 120], unit_cost=1.0,
                                          max_capacity=150, existing_capacity=[0, 150])
    r = m.solve().result
    assert r.objective == pytest.approx(0.0)
    # L = 200 > U -> input error naming the field
    with pytest.raises(InputError, match="min_capacity exceeds max_capacity"):
        MinCostProvision.from_cost_matrix(ORIG, S, T, Q, min_capacity=200, max_capacity=150)


def test_infeasible_message_has_numbers():
    # a3 (10) has no site; s0+s1 hold at most 50+60 = 110 of the 150 the others need.
    m = MinCostProvision.from_cost_matrix(ORIG, S, T, Q + [10.0], fixed_cost=[100, 120],
                                          max_capacity=[50, 60],
                                          area_ids=np.array(["A", "B", "C", "D"]),
                                          reach_label="within 15 minutes")
    with pytest.raises(InfeasibleError) as exc:
        m.solve()
    msg = str(exc.value)
    assert "areas D have no site within 15 minutes" in msg
    assert "demand in reach of area A is 150, capacity in reach is 110" in msg
    # area C alone reaches s1 only: 40 <= 60 is fine, so it is not named
    assert "area C" not in msg


def test_soft_form_reports_why():
    m = MinCostProvision.from_cost_matrix(ORIG, S, T, Q + [10.0], fixed_cost=[100, 120],
                                          max_capacity=[50, 60], allow_unmet=True)
    r = m.solve().result
    un = r.unmet.set_index("id")
    assert un.loc[3, "reason"] == "no site within reach"
    assert un.loc[3, "amount"] == pytest.approx(10.0)
    # 150 needed by a0..a2, 110 available: 40 unmet, all where capacity is exhausted
    assert un["amount"].sum() == pytest.approx(50.0)
    assert set(un.drop(index=3)["reason"]) == {"capacity in reach insufficient"}
    assert r.sites["capacity"].sum() == pytest.approx(110.0)


def test_max_coverage_capacitated():
    # p = 1, U = (100, 80).  s0 covers a0, a1 (110) up to 100; s1 covers all (150) up to 80.
    # Best: s0 with 100 covered.
    m = MaxCoverage.from_cost_matrix(ORIG, S, T, Q, p=1, max_capacity=[100, 80])
    r = m.solve().result
    assert r.objective == pytest.approx(100.0) and r.proven_optimal
    assert r.unmet["amount"].sum() == pytest.approx(50.0)
    # budget 150 with f = (100, 120), c = 1: s0 + 50 places = 150 -> 50 covered; s1 + 30
    # places = 150 -> 30.  Optimum 50.
    m = MaxCoverage.from_cost_matrix(ORIG, S, T, Q, budget=150, fixed_cost=[100, 120],
                                     unit_cost=1.0, max_capacity=[100, 80])
    assert m.solve().result.objective == pytest.approx(50.0)


def test_max_coverage_uncapacitated_is_mclp():
    # No capacity: p = 1 -> s1 reaches everyone: 150.
    r = MaxCoverage.from_cost_matrix(ORIG, S, T, Q, p=1).solve().result
    assert r.objective == pytest.approx(150.0)
    assert r.details["formulation"] == "covering"


def test_p_median_hand_derived():
    # p = 1: only s1 reaches a2, so s1: 60*10 + 50*3 + 40*4 = 910.
    r = PMedian.from_cost_matrix(ORIG, S, T, Q, p=1).solve().result
    assert r.objective == pytest.approx(910.0)
    # p = 2: a0 -> s0 (300), a1 -> s1 (150), a2 -> s1 (160) = 610
    r = PMedian.from_cost_matrix(ORIG, S, T, Q, p=2).solve().result
    assert r.objective == pytest.approx(610.0)
    # capacitated p = 2, U = (200, 60): s1 takes a2 (40) + 20 of a1 (60); a1's other 30 to
    # s0 at 8 min: 300 + 20*3 + 30*8 + 160 = 760
    r = PMedian.from_cost_matrix(ORIG, S, T, Q, p=2, max_capacity=[200, 60]).solve().result
    assert r.objective == pytest.approx(760.0)


def test_p_median_infeasible():
    # p = 1: a2 forces s1 (60 places) but 150 are needed; found by the solver
    with pytest.raises(InfeasibleError, match="no choice of p = 1 new sites"):
        PMedian.from_cost_matrix(ORIG, S, T, Q, p=1, max_capacity=[200, 60]).solve()
    # caught before solving: 150 needed, the largest site holds 60
    with pytest.raises(InfeasibleError, match="hold at most 60"):
        PMedian.from_cost_matrix(ORIG, S, T, Q, p=1, max_capacity=[60, 60]).solve()
    with pytest.raises(InputError, match="p must be between 0"):
        PMedian.from_cost_matrix(ORIG, S, T, Q, p=3)


def test_joint_siting_shared_fixed_cost():
    # Two services on the same two sites.  Child care: a0 needs 10 (reaches s0 only);
    # elder care: a1 needs 10 (reaches s0 and s1).  Shared cost F = (100, 100), per-service
    # fixed cost 10, no unit cost.  Opening both on s0 costs 100 + 10 + 10 = 120; separately
    # (s0 child, s1 elder) 100 + 10 + 100 + 10 = 220.  Optimum 120, one shared site.
    o = [0, 1, 1]
    s = [0, 0, 1]
    t = [5.0, 5.0, 2.0]
    q = np.array([[10.0, 0.0], [0.0, 10.0]])
    m = JointSiting.from_cost_matrix(o, s, t, q, fixed_cost=10.0, unit_cost=0.0,
                                     shared_fixed_cost=[100.0, 100.0])
    r = m.solve().result
    assert r.objective == pytest.approx(120.0)
    assert r.details["shared_sites"] == [0]
    # with a floor-area limit at s0 (area 15, one unit = 1 m²), both cannot fit: 220
    m = JointSiting.from_cost_matrix(o, s, t, q, fixed_cost=10.0,
                                     shared_fixed_cost=[100.0, 100.0],
                                     site_area=[15.0, 100.0], area_per_unit=[1.0, 1.0])
    assert m.solve().result.objective == pytest.approx(220.0)


def test_side_rules_groups_and_shares():
    # Group rule: one site in each of groups 0 (s0) and 1 (s1) -> both open: 100+120+150.
    rules = SideRules(site_group=np.array([0, 1]), min_open_per_group=np.array([1, 1]))
    m = MinCostProvision.from_cost_matrix(ORIG, S, T, Q, fixed_cost=[100, 120], unit_cost=1.0,
                                          max_capacity=150, rules=rules)
    assert m.solve().result.objective == pytest.approx(370.0)
    # Share rule: market sites (s1) at most 50% of places -> s0 must hold >= 75 (a0, a1
    # can use s0: 110 >= 75 ok): 100 + 120 + 150 = 370 as well, s0 capacity >= 75
    rules = SideRules(site_kind=np.array(["puhui", "market"]),
                      kind_shares={"market": (None, 0.5)})
    r = MinCostProvision.from_cost_matrix(ORIG, S, T, Q, fixed_cost=[100, 120], unit_cost=1.0,
                                          max_capacity=150, rules=rules).solve().result
    assert r.objective == pytest.approx(370.0)
    caps = r.sites.set_index("id")["capacity"]
    assert caps[0] >= 75 - 1e-6 and caps[1] <= caps.sum() / 2 + 1e-6
    # one site per 20,000 residents (parameter): 45,000 residents in one group -> 3
    assert sites_required_per_group(np.array([25_000.0, 20_000.0]), np.array([0, 0]),
                                    residents_per_site=20_000).tolist() == [3]


def test_time_limit_never_reports_optimal():
    # a real (city-like) instance stopped after 0.5 s cannot be reported optimal
    from benchmarks.bench_optimizer import city_instance, restrict

    inst = restrict(city_instance(3000, 800, seed=3))
    m = PMedian.from_cost_matrix(inst.origin, inst.site, inst.minutes, inst.demand,
                                 n_sites=inst.m, p=250)
    r = m.solve(time_limit=0.5).result
    assert r.status in ("feasible", "no solution", "optimal")
    if r.status != "optimal":
        assert not r.proven_optimal
        assert r.gap is None or r.gap > 0


def test_parse_cbc_log():
    text = ("Result - Stopped on time limit\n\nObjective value:                12.00000000\n"
            "Lower bound:                    10.500\nGap:                            0.14\n")
    d = parse_cbc_log(text)
    assert d == {"result": "Stopped on time limit", "objective": 12.0, "bound": 10.5,
                 "gap": 0.14}


def test_bad_input_collects_everything():
    with pytest.raises(InputError) as exc:
        MinCostProvision.from_cost_matrix([0, 5], [0, 9], [1.0, -2.0], [-1.0, 2.0],
                                          n_sites=2)
    msg = str(exc.value)
    for part in ("requirement must be", "origin index", "site index", "cost (minutes)"):
        assert part in msg


def test_from_geodataframe_ids_and_crs():
    import geopandas as gpd
    from shapely.geometry import Point

    areas = gpd.GeoDataFrame({"id": ["a", "b", "c"], "demand": Q},
                             geometry=[Point(0, 0)] * 3, crs="EPSG:4326")
    sites = gpd.GeoDataFrame({"id": ["s0", "s1"], "fixed_cost": [100, 120],
                              "unit_cost": [1, 1], "max_capacity": [150, 150]},
                             geometry=[Point(0, 0)] * 2, crs="EPSG:4326")
    pairs = pd.DataFrame({"origin_id": ["a", "a", "b", "b", "c"],
                          "destination_id": ["s0", "s1", "s0", "s1", "s1"], "minutes": T})
    r = MinCostProvision.from_geodataframe(areas, sites, pairs).solve().result
    assert r.objective == pytest.approx(270.0)
    assert set(r.assignments["origin_id"]) == {"a", "b", "c"}
    with pytest.raises(CRSError, match="EPSG:3857"):
        MinCostProvision.from_geodataframe(areas, sites.to_crs("EPSG:3857"), pairs)
    with pytest.raises(CRSError, match="no coordinate reference system"):
        MinCostProvision.from_geodataframe(areas.set_crs(None, allow_override=True), sites,
                                           pairs)
    bad = pd.concat([pairs, pd.DataFrame({"origin_id": ["zz"], "destination_id": ["s9"],
                                          "minutes": [1.0]})], ignore_index=True)
    with pytest.raises(InputError, match="zz") as exc:
        MinCostProvision.from_geodataframe(areas, sites, bad)
    assert "s9" in str(exc.value)


# --------------------------------------------------------------------------- brute force

def _brute_min_cost(n, m, pairs, q, f, U):
    """Enumerate open sets; for each, the min number... with c = 0 and fixed capacity U,
    cost = sum f over the set if a transport of q into the set within reach exists."""
    from optimizer import max_servable

    best = np.inf
    o = np.array([p[0] for p in pairs], dtype=np.int64)
    s = np.array([p[1] for p in pairs], dtype=np.int64)
    for r in range(m + 1):
        for subset in itertools.combinations(range(m), r):
            cap = np.zeros(m)
            cap[list(subset)] = U[list(subset)]
            served, _ = max_servable(o, s, q, cap)
            if served >= q.sum() - 1e-6:
                best = min(best, f[list(subset)].sum())
    return best


@st.composite
def _instances(draw):
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 4))
    pairs = sorted(draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)),
                                min_size=1, max_size=n * m)))
    q = np.array(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)), dtype=float)
    f = np.array(draw(st.lists(st.integers(1, 50), min_size=m, max_size=m)), dtype=float)
    U = np.array(draw(st.lists(st.integers(10, 60), min_size=m, max_size=m)), dtype=float)
    t = np.array(draw(st.lists(st.integers(1, 15), min_size=len(pairs),
                               max_size=len(pairs))), dtype=float)
    return n, m, pairs, q, f, U, t


@settings(max_examples=40, deadline=None)
@given(_instances())
def test_min_cost_matches_brute_force(inst):
    n, m, pairs, q, f, U, t = inst
    o = [p[0] for p in pairs]
    s = [p[1] for p in pairs]
    best = _brute_min_cost(n, m, pairs, q, f, U)
    model = MinCostProvision.from_cost_matrix(o, s, t, q, n_sites=m, fixed_cost=f,
                                              max_capacity=U)
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            model.solve()
        return
    r = model.solve(gap=0.0).result
    assert r.objective == pytest.approx(best, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(_instances(), st.integers(1, 4))
def test_p_median_matches_brute_force(inst, p):
    n, m, pairs, q, f, U, t = inst
    p = min(p, m)
    o = np.array([x[0] for x in pairs])
    s = np.array([x[1] for x in pairs])
    best = np.inf
    for subset in itertools.combinations(range(m), p):
        cost = 0.0
        for i in range(n):
            ts = [t[k] for k in range(len(pairs)) if o[k] == i and s[k] in subset]
            if q[i] > 0 and not ts:
                cost = np.inf
                break
            cost += q[i] * min(ts) if ts else 0.0
        best = min(best, cost)
    model = PMedian.from_cost_matrix(o, s, t, q, n_sites=m, p=p)
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            model.solve()
        return
    assert model.solve(gap=0.0).result.objective == pytest.approx(best, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(_instances(), st.integers(1, 3))
def test_max_coverage_matches_brute_force(inst, p):
    n, m, pairs, q, f, U, t = inst
    from optimizer import max_servable

    o = np.array([x[0] for x in pairs])
    s = np.array([x[1] for x in pairs])
    best = 0.0
    for r in range(min(p, m) + 1):
        for subset in itertools.combinations(range(m), r):
            cap = np.zeros(m)
            cap[list(subset)] = U[list(subset)]
            best = max(best, max_servable(o, s, q, cap)[0])
    r = MaxCoverage.from_cost_matrix(o, s, t, q, n_sites=m, p=p, max_capacity=U)
    assert r.solve(gap=0.0).result.objective == pytest.approx(best, abs=1e-6)


# --------------------------------------------------------------------------- spopt parity

def _spopt_instance(seed):
    from benchmarks.bench_optimizer import city_instance, restrict

    return restrict(city_instance(150, 40, seed=seed))


@pytest.mark.parametrize("seed", [0, 1])
def test_same_optimum_as_spopt(seed):
    import pulp
    import spopt.locate as sl
    inst = _spopt_instance(seed)
    solver = pulp.HiGHS(msg=False)
    d = inst.dense(inst.cutoff * 100)
    p = 8
    # LSCP: fewest sites covering all = min-cost with f = 1, c = 0, unlimited capacity
    lscp = sl.LSCP.from_cost_matrix(d, inst.cutoff).solve(solver)
    ours = MinCostProvision.from_cost_matrix(inst.origin, inst.site, inst.minutes,
                                             np.ones(inst.n), n_sites=inst.m, fixed_cost=1.0)
    assert ours.solve(gap=0.0).result.objective == pytest.approx(
        pulp.value(lscp.problem.objective))
    mclp = sl.MCLP.from_cost_matrix(d, inst.demand, inst.cutoff, p).solve(solver)
    ours = MaxCoverage.from_cost_matrix(inst.origin, inst.site, inst.minutes, inst.demand,
                                        n_sites=inst.m, p=p)
    assert ours.solve(gap=0.0).result.objective == pytest.approx(
        pulp.value(mclp.problem.objective))
    # p-median needs every area in reach of an open site: use p = LSCP's count + 2
    pp = int(round(pulp.value(lscp.problem.objective))) + 2
    pm = sl.PMedian.from_cost_matrix(d, inst.demand, pp).solve(solver)
    ours = PMedian.from_cost_matrix(inst.origin, inst.site, inst.minutes, inst.demand,
                                    n_sites=inst.m, p=pp)
    assert ours.solve(gap=0.0).result.objective == pytest.approx(
        pulp.value(pm.problem.objective), rel=1e-6)
