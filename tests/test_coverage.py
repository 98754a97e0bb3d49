"""Coverage and 2SFCA on hand-derived cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from errors import InputError
from geo.coverage import coverage, decay_weights, two_step_fca
from geo.reach import Reach

AREAS = pd.DataFrame({"id": ["A", "B", "C"], "population": [100.0, 300.0, 600.0],
                      "admin_unit": ["u1", "u1", "u2"]})
FACS = pd.DataFrame({"id": ["F1", "F2"], "capacity": [10.0, 20.0]})
PAIRS = pd.DataFrame({"origin_id": ["A", "B", "B"], "destination_id": ["F1", "F1", "F2"],
                      "minutes": [5.0, 2.0, 5.0]})


def test_2sfca_binary() -> None:
    # R1 = 10 / (100 + 300), R2 = 20 / 300; A: R1; B: R1 + R2; C: none
    acc = two_step_fca(AREAS, FACS, PAIRS, demand_col="population", capacity_col="capacity",
                       reach=Reach(10))
    assert acc.to_dict() == pytest.approx({"A": 0.025, "B": 0.025 + 20 / 300, "C": 0.0})
    # total places are conserved: Σ P_i A_i = Σ S_j (every facility has demand in reach)
    assert (acc * AREAS.set_index("id")["population"]).sum() == pytest.approx(30.0)


def test_2sfca_linear_and_gaussian_decay() -> None:
    # linear, d0 = 10: w(A,F1)=.5, w(B,F1)=.8, w(B,F2)=.5
    # R1 = 10/(50+240) = 10/290, R2 = 20/150
    acc = two_step_fca(AREAS, FACS, PAIRS, demand_col="population", capacity_col="capacity",
                       decay="linear", reach=Reach(10))
    assert acc["A"] == pytest.approx(0.5 * 10 / 290)
    assert acc["B"] == pytest.approx(0.8 * 10 / 290 + 0.5 * 20 / 150)
    w = decay_weights(np.array([0.0, 10.0, 11.0]), decay="gaussian", cutoff=10)
    assert w.tolist() == pytest.approx([1.0, 0.0, 0.0])
    g = decay_weights(np.array([5.0]), decay="gaussian", cutoff=10)[0]
    e = np.exp(-0.5)
    assert g == pytest.approx((np.exp(-0.125) - e) / (1 - e))
    with pytest.raises(InputError, match="decay"):
        decay_weights(np.array([1.0]), decay="cubic", cutoff=10)


def test_coverage_by_unit_and_not_covered() -> None:
    res = coverage(AREAS, FACS, PAIRS, reach=Reach(10))
    o = res.overall
    assert o["population"] == 1000 and o["covered_population"] == 400
    assert o["share"] == pytest.approx(0.4)
    assert res.not_covered == ["C"]
    units = res.by_unit.set_index("admin_unit")
    assert units.loc["u1", "share"] == 1.0 and units.loc["u2", "share"] == 0.0
    # places per 1000 reachable (2SFCA × 1000), population weighted: 30 places / 1000 people
    assert o["places_per_1000_reachable"] == pytest.approx(30.0)
    assert units.loc["u1", "places_per_1000_reachable"] == pytest.approx(30 / 400 * 1000)
    a = res.areas.set_index("id")
    assert a.loc["B", "reachable_capacity"] == 30 and a.loc["B", "nearest_minutes"] == 2.0
    assert a.loc["B", "facilities_in_reach"] == 2
    # a tighter circle: only B–F1 (2 min) remains
    res3 = coverage(AREAS, FACS, PAIRS, reach=Reach(3))
    assert res3.overall["covered_population"] == 300 and res3.not_covered == ["A", "C"]
    d = res.to_dict()
    assert d["overall"]["share"] == pytest.approx(0.4) and len(d["areas"]) == 3


def test_bad_inputs_are_collected() -> None:
    bad = AREAS.assign(population=[100.0, np.nan, -1.0])
    pairs = pd.concat([PAIRS, pd.DataFrame({"origin_id": ["Z"], "destination_id": ["F9"],
                                            "minutes": [1.0]})])
    with pytest.raises(InputError) as exc:
        coverage(bad, FACS, pairs, reach=Reach(10))
    msg = str(exc.value)
    assert "population missing or negative" in msg and "B, C" in msg
    assert "Z" in msg and "F9" in msg
    with pytest.raises(InputError, match="empty"):
        coverage(AREAS.iloc[:0], FACS, PAIRS, reach=Reach(10))


def test_areas_not_covered_carry_the_reason_of_the_pairs() -> None:
    """C's reason comes with the pairs (an isolated fragment); A, beyond the 1-minute circle
    here, gets the walking limit."""
    from core.messages import Message

    pairs = PAIRS.copy()
    frag = Message("geo.unreached.fragment_origins", {"edges": 2, "length": 90.0})
    pairs.attrs["unreached"] = [{"side": "origins", "id": "C", "kind": "fragment",
                                 "reason": frag}]
    res = coverage(AREAS, FACS, pairs, reach=Reach(3))
    assert res.not_covered == ["A", "C"]
    assert [(r["id"], r["kind"]) for r in res.reasons] == [("A", "beyond_limit"),
                                                           ("C", "fragment")]
    assert res.areas["not_covered_reason"].fillna("").tolist() == ["beyond_limit", "", "fragment"]
    out = res.to_dict()["not_covered_reasons"]
    assert out[0]["text"] == "no facility or candidate site within the walking limit of 3 min"
    assert out[1]["code"] == "geo.unreached.fragment_origins" and out[1]["args"]["edges"] == 2
