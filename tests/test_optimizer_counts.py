"""Several site-count rules at once (audit M6): each counts its own sites, hand-derived optima."""

from __future__ import annotations

import numpy as np
import pytest

from errors import InfeasibleError, SolverError
from optimizer import (
    CountRule,
    MaxCoverage,
    MinCostProvision,
    PMedian,
    SideRules,
    verify_counts,
)
from tests.test_optimizer import SOLVERS

# One area (1 托位) reaches five sites of one 街道 (group 0): s0, s1, s2 are 普惠 at 100
# each, s3, s4 market sites at 10.  Chuzhou-like rules: 3 sites of any kind (one per 2万
# residents, 45,000 residents) and one 普惠 site per 街道.
PUHUI = np.array([True, True, True, False, False])
GROUP = np.zeros(5, dtype=np.int64)
FIXED = np.array([100.0, 100.0, 100.0, 10.0, 10.0])
ORIG, S, T = np.zeros(5, dtype=np.int64), np.arange(5), np.array([5.0, 5.0, 5.0, 1.0, 1.0])
BOTH = SideRules(counts=[CountRule(GROUP, np.array([3]), label="per_20000"),
                         CountRule(GROUP, np.array([1]), site_mask=PUHUI, label="puhui")])
#: the former reading: both rules counting 普惠 sites only, at the larger minimum (3)
STACKED = SideRules(site_group=np.where(PUHUI, 0, -1), min_open_per_group=np.array([3]))


def _min_cost(rules: SideRules, **kw):
    return MinCostProvision.from_cost_matrix(ORIG, S, T, [1.0], n_sites=5, fixed_cost=FIXED,
                                             rules=rules, **kw)


def _opened(result) -> list[int]:
    return sorted(int(i) for i in result.sites.loc[result.sites["open"], "id"])


def _one_puhui_two_market(result) -> bool:
    """The 普惠 sites cost the same: any one of them with both market sites."""
    opened = _opened(result)
    return len(opened) == 3 and PUHUI[opened].sum() == 1 and opened[1:] == [3, 4]


@pytest.mark.parametrize("solver", SOLVERS)
def test_two_rules_need_no_extra_puhui_site(solver: str) -> None:
    # one 普惠 site + the two market sites: 100 + 10 + 10 = 120
    r = _min_cost(BOTH).solve(solver=solver).result
    assert r.objective == pytest.approx(120.0) and r.proven_optimal
    assert _one_puhui_two_market(r)
    # stacked, three 普惠 sites were forced: 300
    r = _min_cost(STACKED).solve(solver=solver).result
    assert r.objective == pytest.approx(300.0)
    assert _opened(r) == [0, 1, 2]
    # an existing market site counts for the any-kind rule: 100 + 10 = 110
    r = _min_cost(BOTH, existing_capacity=[0, 0, 0, 5, 0]).solve(solver=solver).result
    assert r.objective == pytest.approx(110.0)
    assert _one_puhui_two_market(r)


def test_heuristic_start_is_repaired_to_the_rules() -> None:
    # greedy cover opens s3 alone; the repair adds s4 (cheapest) and s0 (the 普惠 rule):
    # already the optimum, and it passes the independent check
    r = _min_cost(BOTH).solve(start=True).result
    start = r.details["start"]
    assert start["method"] and "rejected" not in start
    assert start["objective"] == pytest.approx(120.0)


def test_p_median_start_keeps_p_and_the_rules() -> None:
    # the greedy picks the 1-minute market sites first; with p = 2 the repair must swap one
    # of them for a 普惠 site (3 sites of any kind cannot be asked here: p = 2)
    rules = SideRules(counts=[CountRule(GROUP, np.array([1]), site_mask=PUHUI)])
    r = PMedian.from_cost_matrix(ORIG, S, T, [1.0], p=2, rules=rules).solve(start=True).result
    start = r.details["start"]
    assert start["method"] and "rejected" not in start
    assert start["objective"] == pytest.approx(1.0) == r.objective
    assert PUHUI[_opened(r)].sum() == 1


def test_verify_counts_names_the_rule_and_group() -> None:
    assert verify_counts(BOTH, np.array([1, 0, 0, 1, 1], dtype=bool)) == []
    with pytest.raises(SolverError) as exc:
        verify_counts(BOTH, np.array([0, 0, 0, 1, 1], dtype=bool), label="plan")
    text = exc.value.message.render("en")
    assert "rule puhui, group 0: needs at least 1 site" in text and "has 0 sites" in text
    assert "per_20000" in text


@pytest.mark.parametrize("solver", SOLVERS)
def test_other_objectives_keep_every_rule(solver: str) -> None:
    # p-median, p = 3: a 普惠 site must be among them; the area walks 1 minute to s3 or s4
    r = PMedian.from_cost_matrix(ORIG, S, T, [1.0], p=3, rules=BOTH).solve(solver=solver).result
    opened = _opened(r)
    assert r.objective == pytest.approx(1.0)
    assert len(opened) == 3 and PUHUI[opened].sum() >= 1
    # maximum coverage with budget 120: exactly the cheapest plan that keeps both rules
    r = MaxCoverage.from_cost_matrix(ORIG, S, T, [1.0], budget=120.0, fixed_cost=FIXED,
                                     rules=BOTH).solve(solver=solver).result
    assert r.objective == pytest.approx(1.0) and _one_puhui_two_market(r)
    # budget 119 cannot keep them
    with pytest.raises(InfeasibleError):
        MaxCoverage.from_cost_matrix(ORIG, S, T, [1.0], budget=119.0, fixed_cost=FIXED,
                                     rules=BOTH).solve(solver=solver)


def test_rules_beyond_the_sites_are_named_before_solving() -> None:
    rules = SideRules(counts=[CountRule(GROUP, np.array([4]), site_mask=PUHUI,
                                        label="puhui")])
    with pytest.raises(InfeasibleError) as exc:
        _min_cost(rules).solve()
    assert str(exc.value.message.render("en")) == (
        "the site-count rules cannot be met even with every existing and candidate site "
        "open:\n  - rule puhui, group 0: needs at least 4 sites, has 3 sites")


def test_soft_p_median_says_when_p_cannot_keep_the_rules() -> None:
    # 3 sites of any kind with p = 2 and no existing site: no plan, whatever is served
    with pytest.raises(InfeasibleError, match="no feasible plan for p-median") as exc:
        PMedian.from_cost_matrix(ORIG, S, T, [1.0], p=2, rules=BOTH,
                                 allow_unmet=True).solve()
    assert "side rules" in exc.value.message.render("en")
