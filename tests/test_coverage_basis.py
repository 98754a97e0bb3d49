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

BASIS_EN = {"tool_default": "tool default (no document states it)", "local_plan": "local plan"}


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
    assert f"circle: {BASIS_EN[CIRCLES[pid][0]]}, " in text
    assert doc["parameters_used"]["persons_per_household"]["value"] == 2.62


def test_coverage_with_the_planners_persons_per_household(tmp_path):
    out = tmp_path / "c.json"
    assert main(["coverage", "--profile", "quzhou", "--demo", "--straight-line",
                 "--persons-per-household", "2.33", "--service", "childcare",
                 "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    used = doc["parameters_used"]["persons_per_household"]
    assert (used["value"], used["basis"]) == (2.33, "planner")


def test_coverage_console_lines_in_the_message_language(tmp_path, capsys, monkeypatch):
    """PLANNING_LANG=zh: the coverage line says it in Chinese, with units."""
    monkeypatch.setenv("PLANNING_LANG", "zh")
    assert main(["coverage", "--profile", "quzhou", "--demo", "--straight-line",
                 "--service", "childcare", "--out", str(tmp_path / "c.json")]) == 0
    doc = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    o = doc["services"]["childcare"]["overall"]
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(f"托育：{o['covered_population']:,.0f} / {o['population']:,.0f} 人"
                           f"（{100 * o['share']:.1f}%）在步行 15 分钟内可达 5 处设施；")
    assert "服务圈：本地方案，" in line and "步行速度：本工具默认值（无文件依据）" in line
