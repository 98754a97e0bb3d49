# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Interface strings of the city-wide indicators page (key → {"zh", "en"}); merged into :data:`core.catalog.ui.STRINGS`."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "ind.no_areas": {"zh": "没有居住区：请先在「数据」页载入居住区（或恢复示例数据）。", "en": "No residential areas: load them on the Data page first (or go back to the demo)."},
    "page.indicators": {"zh": "全市指标", "en": "City-wide indicators"},
    "ind.intro": {"zh": "用当前图层（居住区、设施、开发项目）计算规划方案设定目标的全市指标，并与目标比较。缺少输入的指标也列出，并说明原因。", "en": "The city-wide indicators the plan sets targets for, computed from the loaded layers (residential areas, facilities, developments) and compared with the targets. Indicators whose inputs are missing are listed with the reason."},
    "ind.inputs": {"zh": "输入：居住区 {areas} 个，居民 {residents} 人，设施 {facilities} 处，开发项目 {developments} 个；服务圈按{method}计算", "en": "Inputs: {areas} residential areas, {residents} residents, {facilities} facilities, {developments} developments; circles measured {method}"},
    "ind.method_network": {"zh": "路网步行距离", "en": "along the street network"},
    "ind.method_line": {"zh": "直线距离（无路网）", "en": "in a straight line (no network)"},
    "ind.none": {"zh": "无", "en": "none"},
    "ind.summary": {"zh": "共 {n} 项指标：达到 {met} 项，未达到 {unmet} 项，无法判断 {open} 项", "en": "{n} indicators: {met} met, {unmet} not met, {open} not decided"},
    "ind.xlsx": {"zh": "下载指标表（Excel）", "en": "Download the indicators (Excel)"},
    "comp.apply_default": {"zh": "有意采用的工具默认规则（方案未给数字）", "en": "Tool defaults to apply on purpose (the plan states no figure)"},
    "comp.apply_default_help": {"zh": "方案未规定数字的地方，默认规则只作参考；选中后该规则参与判定，报告注明是规划人员的选择。", "en": "Where the plan states no figure, a tool default is for reference only; once chosen it decides verdicts, and the report says it was the planner's choice."},
    "ind.percent": {"zh": "%", "en": "%"},
}
