"""A minimum-cost plan solved group by group equals the single model's optimum."""

from __future__ import annotations

import numpy as np
import pytest

from errors import InfeasibleError
from optimizer import (
    CountRule,
    MinCostProvision,
    SideRules,
    reach_groups,
    solve_min_cost_decomposed,
)

# Two groups that cannot reach each other plus a site nobody reaches.
#   group A: areas 0, 1, 2 (30, 20, 40 托位), sites 0, 1, 2; area 1 reaches site 1 only, which
#            holds 100, so site 1 alone serves A: 150 + 90 × 1 = 240
#   group B: areas 3, 4 (50, 10), sites 3, 4; area 4 reaches site 4 only (cap 40), so both
#            open; site 4 takes 40 at 1 per place, site 3 the other 20 at 2:
#            200 + 120 + 40 + 40 = 400
#   site 5: in reach of no area, stays closed.
PAIRS_O = np.array([0, 0, 1, 2, 2, 3, 3, 4])
PAIRS_S = np.array([0, 1, 1, 1, 2, 3, 4, 4])
MINUTES = np.array([5.0, 9.0, 4.0, 12.0, 3.0, 8.0, 6.0, 2.0])
DEMAND = np.array([30.0, 20.0, 40.0, 50.0, 10.0])
SITES = {"fixed_cost": np.array([100.0, 150.0, 80.0, 200.0, 120.0, 10.0]),
         "unit_cost": np.array([1.0, 1.0, 1.0, 2.0, 1.0, 1.0]),
         "max_capacity": np.array([60.0, 100.0, 50.0, 100.0, 40.0, np.inf])}
AREA_IDS = np.array(["a0", "a1", "a2", "b3", "b4"])
SITE_IDS = np.array(["s0", "s1", "s2", "s3", "s4", "s5"])


def _single(**kw):
    m = MinCostProvision.from_cost_matrix(PAIRS_O, PAIRS_S, MINUTES, DEMAND, n_sites=6,
                                          area_ids=AREA_IDS, site_ids=SITE_IDS,
                                          **SITES, **kw)
    return m.solve(gap=1e-9).result


def _opened(res):
    return sorted(res.sites.loc[res.sites["open"], "id"])


def test_groups_are_the_components_of_the_reach_graph():
    ag, sg, k = reach_groups(PAIRS_O, PAIRS_S, 5, 6)
    assert k == 3
    assert len(set(ag[:3])) == 1 and len(set(ag[3:])) == 1 and ag[0] != ag[3]
    assert list(sg[:3]) == [ag[0]] * 3 and list(sg[3:5]) == [ag[3]] * 2
    assert sg[5] not in set(ag)
    # a rule group holding sites 2 and 3 joins A and B
    _, _, k = reach_groups(PAIRS_O, PAIRS_S, 5, 6,
                           site_rule_group=np.array([-1, -1, 0, 0, -1, -1]))
    assert k == 2


@pytest.mark.parametrize("batch_pairs", [1, 1000])
def test_union_of_the_groups_plans_equals_the_single_optimum(batch_pairs):
    single = _single()
    res, dec = solve_min_cost_decomposed(PAIRS_O, PAIRS_S, MINUTES, DEMAND, n_sites=6,
                                         area_ids=AREA_IDS, site_ids=SITE_IDS, gap=1e-9,
                                         batch_pairs=batch_pairs, **SITES)
    assert single.objective == pytest.approx(640.0)
    assert res.objective == pytest.approx(640.0)
    assert res.status == "optimal" and res.proven_optimal
    assert dec.n_groups == 3
    assert res.details["decomposition"]["models"] == (3 if batch_pairs == 1 else 1)
    assert _opened(res) == _opened(single) == ["s1", "s3", "s4"]
    assert list(res.sites["id"]) == list(SITE_IDS)
    got = res.assignments.set_index(["origin_id", "site_id"])["amount"]
    want = single.assignments.set_index(["origin_id", "site_id"])["amount"]
    assert got.sort_index().to_dict() == pytest.approx(want.sort_index().to_dict())
    assert got[("b3", "s4")] == pytest.approx(30.0)
    assert res.sites.set_index("id").loc["s3", "capacity"] == pytest.approx(20.0)


def test_a_rule_group_across_groups_is_kept_whole():
    rules = SideRules(site_group=np.array([-1, -1, 0, 0, -1, -1]),
                      min_open_per_group=np.array([2]))
    single = _single(rules=rules)
    res, dec = solve_min_cost_decomposed(PAIRS_O, PAIRS_S, MINUTES, DEMAND, n_sites=6,
                                         area_ids=AREA_IDS, site_ids=SITE_IDS, gap=1e-9,
                                         rules=rules, batch_pairs=1, **SITES)
    assert dec.n_groups == 2
    assert res.objective == pytest.approx(single.objective)
    assert res.objective == pytest.approx(640.0 + 80.0)  # site 2 opens for the rule
    assert "s2" in _opened(res)


def test_soft_form_uses_the_whole_models_penalty():
    # area b4 loses its only site: unmet in both forms, at the same penalty
    keep = PAIRS_O != 4
    single = MinCostProvision.from_cost_matrix(
        PAIRS_O[keep], PAIRS_S[keep], MINUTES[keep], DEMAND, n_sites=6, area_ids=AREA_IDS,
        site_ids=SITE_IDS, allow_unmet=True, **SITES).solve(gap=1e-9).result
    res, _ = solve_min_cost_decomposed(PAIRS_O[keep], PAIRS_S[keep], MINUTES[keep], DEMAND,
                                       n_sites=6, area_ids=AREA_IDS, site_ids=SITE_IDS,
                                       allow_unmet=True, gap=1e-9, batch_pairs=1, **SITES)
    assert res.objective == pytest.approx(single.objective)
    assert list(res.unmet["id"]) == list(single.unmet["id"]) == ["b4"]
    with pytest.raises(InfeasibleError):
        solve_min_cost_decomposed(PAIRS_O[keep], PAIRS_S[keep], MINUTES[keep], DEMAND,
                                  n_sites=6, area_ids=AREA_IDS, site_ids=SITE_IDS, **SITES)


def test_max_cost_cuts_the_pairs_before_grouping():
    # at 8 minutes a1-s1 (4) stays, a0-s1 (9) and a2-s1 (12) go: a0 and a2 part from a1
    ag, _, _ = reach_groups(PAIRS_O[MINUTES <= 8], PAIRS_S[MINUTES <= 8], 5, 6)
    assert len({ag[0], ag[1], ag[2]}) == 3
    res, dec = solve_min_cost_decomposed(PAIRS_O, PAIRS_S, MINUTES, DEMAND, n_sites=6,
                                         max_cost=8.0, allow_unmet=True, gap=1e-9,
                                         **SITES)
    single = MinCostProvision.from_cost_matrix(PAIRS_O, PAIRS_S, MINUTES, DEMAND, n_sites=6,
                                               max_cost=8.0, allow_unmet=True,
                                               **SITES).solve(gap=1e-9).result
    assert dec.n_groups > 3
    assert res.objective == pytest.approx(single.objective)


def _towns(seed, n_towns=6, per_town=30):
    """Seeded towns 10 km apart: areas and sites in reach only within a town."""
    rng = np.random.default_rng(seed)
    pts, sites = [], []
    for k in range(n_towns):
        c = np.array([10_000.0 * k, 0.0])
        pts.append(c + rng.normal(0, 500, (per_town, 2)))
        sites.append(c + rng.normal(0, 500, (per_town // 4, 2)))
    a = np.vstack(pts)
    s = np.vstack(sites)
    d = np.hypot(*(a[:, None, :] - s[None, :, :]).transpose(2, 0, 1))
    o, j = np.nonzero(d <= 900.0)
    m = len(s)
    return dict(pairs_origin=o, pairs_site=j, cost=d[o, j] / 60.0,
                demand=np.round(rng.lognormal(np.log(15), 0.5, len(a))), n_sites=m,
                fixed_cost=np.round(rng.uniform(50, 150, m)),
                unit_cost=np.round(rng.uniform(1, 3, m), 1),
                max_capacity=rng.choice([60.0, 90.0, 120.0], m))


def test_seeded_towns_on_a_dask_client_match_the_single_model():
    from distributed import Client, LocalCluster

    inst = _towns(3)
    single = MinCostProvision.from_cost_matrix(
        inst["pairs_origin"], inst["pairs_site"], inst["cost"], inst["demand"],
        n_sites=inst["n_sites"], fixed_cost=inst["fixed_cost"], unit_cost=inst["unit_cost"],
        max_capacity=inst["max_capacity"], allow_unmet=True).solve(gap=1e-7).result
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        res, dec = solve_min_cost_decomposed(
            inst.pop("pairs_origin"), inst.pop("pairs_site"), inst.pop("cost"),
            inst.pop("demand"), allow_unmet=True, gap=1e-7, client=client, batch_pairs=1,
            **inst)
    assert dec.n_groups >= 6
    assert res.proven_optimal and single.proven_optimal
    assert res.objective == pytest.approx(single.objective, rel=1e-6)
    assert res.details["cost"] == pytest.approx(single.details["cost"], rel=1e-6)


def test_several_count_rules_stay_whole_and_count_only_their_sites():
    # rule A: sites 2 and 3 (groups A and B) need 2 open -> site 2 opens (+80, as above);
    # rule B: of sites 0 and 2 (the mask; all six share group 0) 2 open -> site 0 too
    # (+100; site 1 stays, a1 reaches nothing else): 640 + 80 + 100 = 820.  Only the sites
    # that count join groups: site 5 stays a group of its own.
    rules = SideRules(counts=[
        CountRule(np.array([-1, -1, 0, 0, -1, -1]), np.array([2])),
        CountRule(np.zeros(6, dtype=np.int64), np.array([2]),
                  site_mask=np.array([True, False, True, False, False, False]))])
    single = _single(rules=rules)
    res, dec = solve_min_cost_decomposed(PAIRS_O, PAIRS_S, MINUTES, DEMAND, n_sites=6,
                                         area_ids=AREA_IDS, site_ids=SITE_IDS, gap=1e-9,
                                         rules=rules, batch_pairs=1, **SITES)
    assert dec.n_groups == 2
    assert res.objective == pytest.approx(single.objective) == pytest.approx(820.0)
    assert _opened(res) == _opened(single) == ["s0", "s1", "s2", "s3", "s4"]
