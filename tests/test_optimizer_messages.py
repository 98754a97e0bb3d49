"""The optimiser's messages for people: every code in the catalog in both languages, with the
numbers, rendered in Chinese and English from one structured message."""

from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pytest

from core.catalog import MESSAGES
from errors import InfeasibleError, InputError, SolverError
from optimizer import (
    LinearProgram,
    MaxCoverage,
    MinCostProvision,
    PMedian,
    reach_within,
    solve_program,
)

ROOT = Path(__file__).resolve().parents[1]
ORIG = [0, 0, 1, 1, 2]
S = [0, 1, 0, 1, 1]
T = [5.0, 10.0, 8.0, 3.0, 4.0]
Q = [60.0, 50.0, 40.0]


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_optimizer_code_has_both_languages_with_the_same_fields() -> None:
    codes = [c for c in MESSAGES if c.startswith("optimizer.")]
    assert len(codes) > 40
    for code in codes:
        entry = MESSAGES[code]
        assert entry["zh"] and entry["en"], code
        assert _fields(entry["zh"]) == _fields(entry["en"]), code


def test_every_code_the_optimizer_makes_is_in_the_catalog() -> None:
    used: set[str] = set()
    for path in (ROOT / "optimizer").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'Message\(\s*"(optimizer\.[a-z_.]+)"', text))
        # codes built from a layer name: optimizer.layer.{areas,sites,pairs}
        if 'f"optimizer.layer.{what}"' in text:
            used |= {"optimizer.layer.areas", "optimizer.layer.sites", "optimizer.layer.pairs"}
    assert len(used) > 30
    assert used <= set(MESSAGES), sorted(used - set(MESSAGES))


def test_infeasible_provision_in_chinese_and_english() -> None:
    m = MinCostProvision.from_cost_matrix(ORIG, S, T, Q + [10.0], fixed_cost=[100, 120],
                                          max_capacity=[50, 60],
                                          area_ids=np.array(["A", "B", "C", "D"]),
                                          reach_label=reach_within(15))
    with pytest.raises(InfeasibleError) as exc:
        m.solve()
    err = exc.value
    assert err.message.code == "optimizer.infeasible.hard"
    en, zh = err.render("en"), err.render("zh")
    assert en == str(err)
    assert "areas D have no site within 15 minutes (requirement 10)" in en
    assert "demand in reach of area A is 150, capacity in reach is 110 (sites 0, 1)" in en
    assert "居住区 D 在15 分钟步行范围内没有站点（需求 10）" in zh
    assert "居住区 A 可达范围内的需求为 150，可达范围内的容量为 110（站点 0、1）" in zh
    # the JSON form keeps the code and the numbers
    js = err.message.to_json()
    assert js["code"] == "optimizer.infeasible.hard"
    item = js["args"]["problems"]["args"]["item"]
    assert item["code"] == "optimizer.feasibility.unreachable"
    assert item["args"]["areas"] == ["D"] and item["args"]["requirement"] == 10.0


def test_p_median_capacity_message_in_chinese() -> None:
    with pytest.raises(InfeasibleError) as exc:
        PMedian.from_cost_matrix(ORIG, S, T, Q, p=1, max_capacity=30).solve()
    assert "total requirement is 150 but existing sites and the 1 largest candidates hold " \
           "at most 30" in str(exc.value)
    assert "总需求为 150，但现有站点与最大的 1 个候选站点最多容纳 30" in exc.value.render("zh")


def test_input_errors_name_fields_and_rows_in_both_languages() -> None:
    with pytest.raises(InputError) as exc:
        MinCostProvision.from_cost_matrix(ORIG, S, T, Q, min_capacity=200, max_capacity=150)
    assert "field 'min_capacity' rows 0, 1: min_capacity exceeds max_capacity (200, 200 > " \
           "150, 150)" in str(exc.value)
    assert "字段“min_capacity” 行 0、1: min_capacity 大于 max_capacity（200、200 > 150、150）" \
        in exc.value.render("zh")
    with pytest.raises(InputError) as exc:
        MaxCoverage.from_cost_matrix(ORIG, S, T, Q)
    assert exc.value.problems[0].code == "optimizer.input.budget_or_p"
    assert "请给出预算、站点数 p，或两者" in exc.value.render("zh")


def test_solver_errors_are_structured() -> None:
    lp = LinearProgram()
    lp.add_cols(1, cost=1.0)
    with pytest.raises(SolverError) as exc:
        solve_program(lp, solver="gurobi")
    assert str(exc.value) == "solver must be one of highs, cbc, highs-pulp; got 'gurobi'"
    assert "求解器必须是 highs、cbc、highs-pulp 之一" in exc.value.render("zh")
    with pytest.raises(SolverError, match=r"gap must be a relative gap in \[0, 1\); got 2"):
        solve_program(lp, gap=2.0)


def test_unmet_reasons_keep_their_canonical_values() -> None:
    from optimizer import CAPACITY_IN_REACH, NO_SITE_IN_REACH

    r = MinCostProvision.from_cost_matrix(ORIG, S, T, Q + [10.0], fixed_cost=[100, 120],
                                          max_capacity=[50, 60], allow_unmet=True).solve().result
    reasons = dict(zip(r.unmet["id"], r.unmet["reason"], strict=True))
    assert reasons == {2: CAPACITY_IN_REACH, 3: NO_SITE_IN_REACH}
    assert NO_SITE_IN_REACH == "no site within reach"
    assert CAPACITY_IN_REACH == "capacity in reach insufficient"


def test_joint_infeasibility_speaks_the_planners_words() -> None:
    """A joint plan that cannot serve an area out of reach names the service as planners do
    (托育, not childcare), the reach in Chinese, and the app's checkbox, not a Python keyword."""
    import numpy as np
    import pytest

    from core.messages import Message
    from errors import InfeasibleError
    from optimizer import JointSiting

    m = JointSiting.from_cost_matrix([0], [0], [2.0], np.array([[5.0, 5.0], [5.0, 5.0]]),
                                     n_sites=1, fixed_cost=10.0, unit_cost=1.0,
                                     allow_unmet=False,
                                     reach_label=Message("optimizer.reach.per_service"))
    with pytest.raises(InfeasibleError) as e:
        m.solve()
    zh = e.value.render("zh")
    assert "（托育）" in zh and "各项服务的步行范围内" in zh and "允许未满足需求" in zh
    assert "childcare" not in zh and "allow_unmet" not in zh and "within" not in zh
