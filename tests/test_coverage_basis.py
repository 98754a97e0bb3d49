"""Coverage says where each walking circle comes from: the plan's own, or the tool's default."""

from __future__ import annotations

import json

import pytest

from planning.cli import main

# (profile) -> basis of the child-care and elder-care circles (15 minutes everywhere)
CIRCLES = {
    "chuzhou": ("tool_default", "tool_default"),  # no “分钟” anywhere in the plan
    "xuanhan": ("tool_default", "local_plan"),
    "quzhou": ("local_plan", "local_plan"),
    "hefei": ("tool_default", "local_plan"),
    "suizhou": ("tool_default", "local_plan"),
}


@pytest.mark.parametrize("pid", sorted(CIRCLES))
def test_coverage_labels_the_circle_basis(pid, tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["coverage", "--profile", pid, "--demo", "--straight-line",
                 "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    for svc, basis in zip(("childcare", "eldercare"), CIRCLES[pid], strict=True):
        entry = doc["services"][svc]
        assert (entry["minutes"], entry["minutes_basis"]) == (15, basis)
        assert entry["speed_basis"] == "tool_default"
        assert entry["minutes_source"]
    text = capsys.readouterr().out
    assert f"circle: {CIRCLES[pid][0]}" in text
    assert doc["parameters_used"]["persons_per_household"]["value"] == 2.62


def test_coverage_with_the_planners_persons_per_household(tmp_path):
    out = tmp_path / "c.json"
    assert main(["coverage", "--profile", "quzhou", "--demo", "--straight-line",
                 "--persons-per-household", "2.33", "--service", "childcare",
                 "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    used = doc["parameters_used"]["persons_per_household"]
    assert (used["value"], used["basis"]) == (2.33, "planner")
