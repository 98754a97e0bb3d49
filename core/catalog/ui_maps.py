# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Interface strings of the maps and the comparison page (key → {"zh", "en"}); merged into :data:`core.catalog.ui.STRINGS`."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # ---- sites on the map (maps/sites.py)
    "map.kind.new": {"zh": "新建", "en": "New"},
    "map.kind.enlarged": {"zh": "扩建", "en": "Enlarged"},
    "map.kind.existing": {"zh": "现状", "en": "Existing"},
    "map.kind.candidate": {"zh": "候选（未选）", "en": "Candidate (not chosen)"},
    "map.enlarged_from": {"zh": "（原有 {was} {unit}）", "en": "(had {was} {unit})"},
    "map.shared": {"zh": "共享站点", "en": "Shared site"},
    "map.shared_note": {"zh": "托育与养老同址设置", "en": "Child care and elder care at one site"},
    "map.shared_legend": {"zh": "共享站点（托育与养老同址，橙色框）", "en": "Shared site (child care and elder care together, orange frame)"},
    "map.shared_sites": {"zh": "共享站点", "en": "Shared sites"},
    "map.sites_of": {"zh": "{service}设施", "en": "{service} sites"},
    "map.size_circle": {"zh": "圆面积与规模成正比（最大 {max} {unit}）", "en": "Circle area ∝ capacity (largest {max} {unit})"},
    "map.size_square": {"zh": "方块面积与规模成正比（最大 {max} {unit}）", "en": "Square area ∝ capacity (largest {max} {unit})"},
    "map.service_areas_of": {"zh": "{service}步行服务范围", "en": "{service} walking service areas"},
    "map.persons": {"zh": "人", "en": "residents"},
    # ---- what areas are coloured by (maps/layers.py area_measures)
    "map.measure.shortfall": {"zh": "{service}缺口（{unit}）", "en": "{service} shortfall ({unit})"},
    "map.measure.coverage": {"zh": "{service}需求满足比例（%）", "en": "{service} share of demand met (%)"},
    "map.measure.demand": {"zh": "{service}需求（{unit}）", "en": "{service} demand ({unit})"},
    "map.measure.population": {"zh": "居住人口（人）", "en": "Residents (persons)"},
    "map.measure.none": {"zh": "不着色", "en": "No colour"},
    # ---- plan map (pages/plan_map.py)
    "plan.colour_by": {"zh": "居住区着色", "en": "Colour areas by"},
    "plan.service_areas": {"zh": "显示各站点步行服务范围", "en": "Show each site's walking service area"},
    "plan.service_areas_help": {"zh": "按各服务的步行时间与速度计算每个站点的可达范围（首次显示需计算数秒）", "en": "Each site's walking reach at its service's minutes and speed (computed the first time, a few seconds)"},
    "plan.no_network": {"zh": "没有路网，无法计算步行服务范围。", "en": "No street network: walking service areas cannot be computed."},
    # ---- home page
    "home.colour_by": {"zh": "居住区着色", "en": "Colour areas by"},
    "home.demand_failed": {"zh": "无法按当前政策规则计算需求：{error}", "en": "Demand could not be computed with the current policy profile: {error}"},
    # ---- comparison page
    "cmp.measure": {"zh": "地图着色（各方案同一色阶）", "en": "Map colour (one scale for all scenarios)"},
    "cmp.params": {"zh": "方案参数", "en": "Parameters"},
    "cmp.results": {"zh": "方案结果", "en": "Results"},
    "cmp.minutes": {"zh": "步行时间（分钟）", "en": "Walking time (minutes)"},
    "cmp.budget": {"zh": "预算（元）", "en": "Budget (yuan)"},
    "cmp.p": {"zh": "站点数上限 p（处）", "en": "Number of sites p"},
    "cmp.profile": {"zh": "政策规则", "en": "Policy profile"},
    "cmp.minutes_of": {"zh": "{service} {m} 分钟", "en": "{service} {m} min"},
    "cmp.no_demand": {"zh": "以下方案保存时尚未记录各居住区需求，不能按需求着色：{names}。重新运行并保存即可。", "en": "These scenarios were saved before each area's demand was kept and cannot be coloured by demand: {names}. Run and save them again to add it."},
    "cmp.service_areas": {"zh": "显示各方案保存的步行服务范围", "en": "Show each scenario's saved walking service areas"},
    "cmp.service_areas_help": {"zh": "保存方案时按路网计算的站点步行范围；未用路网（直线距离）的方案没有。", "en": "The sites' walking reach computed on the street network when the scenario was saved; scenarios run on straight-line distances have none."},
    "cmp.no_service_areas": {"zh": "以下方案未保存步行服务范围（未使用路网）：{names}。", "en": "These scenarios have no saved walking service areas (run without a street network): {names}."},
    "cmp.no_measure": {"zh": "所选方案的居住区没有可比较的指标。", "en": "The chosen scenarios' areas carry no measure to compare."},
}
