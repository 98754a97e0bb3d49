"""Demand by age beside the policy rates, with hand-derived figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from errors import InputError
from planning.age_demand import (
    age_demand,
    demand_side_by_side,
    enrolment_rates,
    use_demand_basis,
)
from planning.demand import compute_demand
from planning.profiles import load_profile


def frame() -> pd.DataFrame:
    # N: new area of 5,000 residents, 150 children under three, 1,000 aged 60+;
    # O: old area of 2,000 residents without age groups
    return pd.DataFrame({"id": ["N", "O"], "area_type": ["new", "old"],
                         "population": [5_000.0, 2_000.0], "age_0_3": [150.0, np.nan],
                         "age_60_plus": [1_000.0, np.nan]})


def test_quzhou_enrolment_rates_come_from_its_plan() -> None:
    q = load_profile("quzhou")
    assert enrolment_rates(q) == {"childcare_enrolment_rate_2022": 0.10,
                                  "childcare_enrolment_rate_2025": 0.15}
    assert "入托率" in q.parameter("childcare_enrolment_rate_2025").source.clause


def test_need_beside_policy_quzhou() -> None:
    q = load_profile("quzhou")
    d = age_demand(compute_demand(frame(), q), q)
    n = d.set_index("id")
    # policy: 5,000 / 1000 × 10 = 50 托位 (new); Quzhou's plan states no figure for old areas
    assert n.loc["N", "childcare_places_required"] == pytest.approx(50)
    assert np.isnan(n.loc["O", "childcare_places_required"])
    # need: 150 children × 15 % (2025 target) = 22.5 托位; O has no age groups
    assert n.loc["N", "childcare_places_need"] == pytest.approx(22.5)
    assert np.isnan(n.loc["O", "childcare_places_need"])
    assert "childcare_enrolment_rate_2025" in n.loc["N", "childcare_need_basis"]
    # elders: N's census figure; O's from Quzhou's 60+ share 25.44 % → 508.8
    assert n["elderly_60_plus"].tolist() == pytest.approx([1_000, 508.8])
    assert n.loc["O", "elderly_basis"].startswith("population × profile quzhou")
    # beds: 40 per 1000 elderly (GB 50437, inherited) → 40 and 20.352
    assert n["eldercare_beds_need"].tolist() == pytest.approx([40, 20.352])
    d22 = age_demand(compute_demand(frame(), q), q,
                     rate_parameter="childcare_enrolment_rate_2022")
    assert d22["childcare_places_need"].iloc[0] == pytest.approx(15)


def test_side_by_side_and_plan_basis() -> None:
    q = load_profile("quzhou")
    d = age_demand(compute_demand(frame(), q), q, enrolment_rate=0.12)
    assert d["childcare_places_need"].iloc[0] == pytest.approx(18)
    t = demand_side_by_side(d)
    total = t.set_index("id").loc["total"]
    assert total["childcare_policy"] == pytest.approx(50)  # old areas: no figure in the plan
    assert total["childcare_need"] == pytest.approx(18)
    assert t.attrs["units"]["childcare_need"] == "places"
    assert t.attrs["units"]["eldercare_beds_need"] == "beds"
    need = use_demand_basis(d, "need")
    assert need["childcare_places_required"].iloc[0] == pytest.approx(18)
    assert np.isnan(need["childcare_places_required"].iloc[1])
    assert need["childcare_demand_basis"].iloc[1].startswith("policy (age groups unknown)")
    policy = use_demand_basis(d, "policy")
    assert policy["childcare_places_required"].iloc[0] == pytest.approx(50)
    with pytest.raises(InputError, match="demand basis"):
        use_demand_basis(d, "both")


def test_enrolment_rate_errors() -> None:
    national = load_profile("national")
    demand = compute_demand(frame(), national)
    with pytest.raises(InputError) as exc:
        age_demand(demand, national)
    assert "profile national has no enrolment-rate parameter" in str(exc.value)
    assert "入托率" in exc.value.render("zh")
    with pytest.raises(InputError, match=r"\(0, 1\]"):
        age_demand(demand, national, enrolment_rate=15)
