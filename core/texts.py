# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Interface strings in Chinese (default) and English.

Every text the app, the maps and the exports show goes through :func:`t`, so that a planner
gets a Chinese interface by default and an English one on request. The strings are data:
one entry per key, each with a ``zh`` and an ``en`` text (tests check both exist).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from core.messages import Message

if TYPE_CHECKING:
    import pandas as pd

LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

STRINGS: dict[str, dict[str, str]] = {
    # ---- app frame
    "app.title": {"zh": "一老一小设施规划工具", "en": "Elder-care and child-care planning tool"},
    "app.caption": {
        "zh": "居住区与政策规则 → 需求、配建核查、步行可达、选址优化",
        "en": "Residential areas and policy rules → demand, compliance, walking access, siting",
    },
    "app.language": {"zh": "界面语言", "en": "Language"},
    "app.profile": {"zh": "政策规则（地区）", "en": "Policy profile (jurisdiction)"},
    "app.basemap": {"zh": "底图", "en": "Base map"},
    "app.tianditu_key": {"zh": "天地图密钥（tk）", "en": "Tianditu key (tk)"},
    "app.home_intro": {
        "zh": "从左侧选择页面：数据 → 配建核查 → 方案 → 方案比较 → 导出。默认载入示例城区（合成数据）。",
        "en": "Pick a page on the left: Data → Compliance → Scenarios → Comparison → Export. "
        "The demo district (synthetic) is loaded by default.",
    },
    "app.module_missing": {
        "zh": "该功能所需模块尚未安装或加载失败：{error}",
        "en": "A module this needs is not available: {error}",
    },
    "app.data_summary": {
        "zh": "当前数据：{source}；居住区 {areas} 个，现状设施 {facilities} 个，候选点 {candidates} 个，"
        "开发项目 {developments} 个",
        "en": "Current data: {source}; {areas} residential areas, {facilities} existing "
        "facilities, {candidates} candidate sites, {developments} developments",
    },
    "page.home": {"zh": "首页", "en": "Home"},
    "page.data": {"zh": "数据", "en": "Data"},
    "page.compliance": {"zh": "配建核查", "en": "Compliance"},
    "page.scenarios": {"zh": "选址方案", "en": "Scenarios"},
    "page.comparison": {"zh": "方案比较", "en": "Comparison"},
    "page.export": {"zh": "导出", "en": "Export"},
    # ---- data page
    "data.source": {"zh": "数据来源", "en": "Data source"},
    "data.demo": {"zh": "示例城区（合成）", "en": "Demo district (synthetic)"},
    "data.upload": {"zh": "上传自有数据", "en": "Upload own layers"},
    "data.layer": {"zh": "图层类型", "en": "Layer"},
    "data.file": {
        "zh": "文件（zip 打包的 Shapefile、GeoPackage、GeoJSON、CSV；≤{mb} MB）",
        "en": "File (zipped Shapefile, GeoPackage, GeoJSON, CSV; ≤{mb} MB)",
    },
    "data.crs": {"zh": "坐标系", "en": "Coordinate system"},
    "data.crs_auto": {"zh": "按文件（.prj / 元数据）", "en": "From the file (.prj / metadata)"},
    "data.read": {"zh": "读取", "en": "Read"},
    "data.fields": {"zh": "字段识别", "en": "Recognised fields"},
    "data.field_in_file": {"zh": "文件中的字段", "en": "Field in the file"},
    "data.field_canonical": {"zh": "识别为", "en": "Recognised as"},
    "data.field_meaning": {"zh": "含义", "en": "Meaning"},
    "data.map_fields": {"zh": "未识别的字段：如需使用，请指定其含义", "en": "Fields not recognised: map the ones you need"},
    "data.loaded": {"zh": "已读取 {n} 条记录：{layer}", "en": "Read {n} rows: {layer}"},
    "data.repairs": {"zh": "读取时的修正", "en": "Repairs made while reading"},
    "data.reset_demo": {"zh": "恢复示例数据", "en": "Back to the demo data"},
    "data.network": {"zh": "路网（OSM 文件）", "en": "Street network (OSM file)"},
    "data.preview": {"zh": "地图预览", "en": "Map preview"},
    "data.areas": {"zh": "居住区", "en": "Residential areas"},
    "data.developments": {"zh": "开发项目", "en": "Developments"},
    "data.facilities": {"zh": "现状设施", "en": "Existing facilities"},
    "data.candidates": {"zh": "候选点", "en": "Candidate sites"},
    "data.admin_units": {"zh": "街道", "en": "Admin units (streets)"},
    "data.error": {"zh": "数据有问题：", "en": "Problems in the data:"},
    # ---- compliance page
    "comp.what": {"zh": "核查对象", "en": "What to check"},
    "comp.all": {"zh": "全部开发项目", "en": "All developments"},
    "comp.one": {"zh": "单个开发项目", "en": "One development"},
    "comp.pick": {"zh": "选择项目", "en": "Development"},
    "comp.run": {"zh": "核查", "en": "Check"},
    "comp.table": {"zh": "逐条规则结果（含依据）", "en": "Result per rule (with its source)"},
    "comp.summary": {
        "zh": "共 {n} 个项目，{fail} 个不达标",
        "en": "{n} developments, {fail} fail at least one rule",
    },
    "comp.map": {"zh": "缺口地图", "en": "Shortfall map"},
    "comp.map_legend": {"zh": "缺口（{kind}，{unit}）", "en": "Shortfall ({kind}, {unit})"},
    "comp.map_rule": {"zh": "按规则显示缺口", "en": "Shortfall of the rule"},
    # ---- scenario page
    "sc.service": {"zh": "服务类型", "en": "Service"},
    "sc.childcare": {"zh": "托育", "en": "Child care"},
    "sc.eldercare": {"zh": "养老", "en": "Elder care"},
    "sc.both": {"zh": "托育 + 养老（最小成本时共址联合选址）", "en": "Both (sited jointly on shared sites for least cost)"},
    "sc.side_rules": {"zh": "按所选政策规则要求每个街道 / 每若干居民至少设站",
                      "en": "Apply per-街道 / per-population site-count rules"},
    "sc.side_rules_help": {"zh": "规则来自所选政策规则（地区）的政策文件：{rules}",
                           "en": "Rules of the chosen profile (policy documents): {rules}"},
    "sc.no_side_rules": {"zh": "所选方案没有可用的站点数量规则",
                         "en": "The chosen profile has no site-count rule the model can apply"},
    "sc.rules": {"zh": "采用的政策规则及出处", "en": "Policy rules applied, with sources"},
    "sc.joint_sites": {"zh": "共址站点的固定成本", "en": "Fixed costs of shared sites"},
    "sc.joint_caption": {
        "zh": "同一站点同时设托育和养老时，固定成本取候选点的 shared_fixed_cost 属性；"
              "没有该属性时取两项服务固定成本中较大者（综合体、两室联建）。",
        "en": "Where child care and elder care open on one site, its fixed cost is the "
              "candidate's shared_fixed_cost attribute, else the larger of the two services' "
              "fixed costs (综合体, 两室联建)."},
    "sc.joint_status": {"zh": "联合选址", "en": "Joint siting"},
    "sc.objective": {"zh": "目标", "en": "Objective"},
    "sc.obj.min_cost": {"zh": "全覆盖最低成本", "en": "Full provision at least cost"},
    "sc.obj.max_coverage": {"zh": "预算/点数约束下最大覆盖", "en": "Maximum coverage"},
    "sc.obj.p_median": {"zh": "给定点数最短步行时间", "en": "Least walking time (p-median)"},
    "sc.limit": {"zh": "约束方式", "en": "Limit by"},
    "sc.budget": {"zh": "预算（元）", "en": "Budget (yuan)"},
    "sc.p": {"zh": "新增点数", "en": "Number of new sites"},
    "sc.minutes": {"zh": "步行时间（分钟）", "en": "Walking minutes"},
    "sc.speed": {"zh": "步行速度（米/分钟）", "en": "Walking speed (m/min)"},
    "sc.candidates": {"zh": "候选点集合", "en": "Candidate set"},
    "sc.cand_all": {"zh": "全部候选点", "en": "All candidate sites"},
    "sc.allow_unmet": {"zh": "允许未满足需求（报告原因），否则无解时报错", "en": "Allow unmet demand (reported with reasons); otherwise an infeasible plan is an error"},
    "sc.colour_by": {"zh": "居住区着色", "en": "Colour areas by"},
    "sc.time_limit": {"zh": "求解时限（秒）", "en": "Solver time limit (s)"},
    "sc.run": {"zh": "运行方案", "en": "Run scenario"},
    "sc.name": {"zh": "方案名称", "en": "Scenario name"},
    "sc.save": {"zh": "保存方案", "en": "Save scenario"},
    "sc.saved": {"zh": "已保存方案：{name}", "en": "Saved scenario: {name}"},
    "sc.progress.travel": {"zh": "计算步行时间…", "en": "Computing walking times…"},
    "sc.progress.demand": {"zh": "计算需求…", "en": "Computing demand…"},
    "sc.progress.solve": {"zh": "求解优化模型…", "en": "Solving the model…"},
    "sc.progress.done": {"zh": "完成", "en": "Done"},
    "sc.status": {
        "zh": "求解状态：{status}；{objective_label} {objective}；界 {bound}；间隙 {gap}；用时 {seconds} 秒",
        "en": "Solver status: {status}; {objective_label} {objective}; bound {bound}; gap {gap}; "
        "{seconds} s",
    },
    "sc.objval.min_cost": {"zh": "目标函数值（成本）", "en": "objective (cost)"},
    "sc.objval.min_cost_penalised": {"zh": "目标函数值（成本＋未满足需求惩罚，不是实际成本）",
                                     "en": "objective (cost + penalty for unmet demand, not a cost)"},
    "sc.objval.max_coverage": {"zh": "目标函数值（覆盖的需求量）", "en": "objective (demand covered)"},
    "sc.objval.p_median": {"zh": "目标函数值（需求×步行分钟）", "en": "objective (demand × walking minutes)"},
    "sc.cost_note": {
        "zh": "成本（元）是新增站点的建设成本。求解时每单位未满足需求计一笔很高的惩罚，使模型尽量满足需求；"
              "因此目标函数值含有该惩罚，比实际成本高，不应作为费用引用。",
        "en": "Cost (yuan) is what the new sites cost to build. To meet as much demand as it can, the "
              "model charges a high penalty per unit of unmet demand, so its objective value includes "
              "that penalty and is larger than the cost: do not quote it as a cost.",
    },
    "sc.unit.childcare": {"zh": "托位", "en": "places"},
    "sc.unit.eldercare": {"zh": "m²", "en": "m²"},
    "sc.sites": {"zh": "选中站点及规模", "en": "Chosen sites and capacities"},
    "sc.assign": {"zh": "服务分配（谁由哪个站点服务）", "en": "Who each site serves"},
    "sc.unmet": {"zh": "未满足需求及原因", "en": "Unmet demand and why"},
    "sc.no_unmet": {"zh": "全部需求均已满足。", "en": "All demand is met."},
    "sc.infeasible": {"zh": "无可行方案：", "en": "No feasible plan:"},
    "sc.method_fallback": {
        "zh": "注意：步行时间为直线距离估算（未使用路网）。",
        "en": "Note: walking times are straight-line estimates (no street network).",
    },
    # ---- comparison
    "cmp.pick": {"zh": "选择要比较的方案", "en": "Scenarios to compare"},
    "cmp.none": {"zh": "尚无已保存的方案。请先在“选址方案”页运行并保存。",
                 "en": "No saved scenarios yet. Run and save one on the Scenarios page."},
    "cmp.delete": {"zh": "删除所选方案", "en": "Delete the selected scenarios"},
    "ind.scenario": {"zh": "方案", "en": "Scenario"},
    "ind.service": {"zh": "服务", "en": "Service"},
    "ind.objective": {"zh": "目标", "en": "Objective"},
    "ind.sites": {"zh": "新增站点数", "en": "New sites"},
    "ind.places": {"zh": "新增规模", "en": "New capacity"},
    "ind.cost": {"zh": "成本（元）", "en": "Cost (yuan)"},
    "ind.share_covered": {"zh": "覆盖居民比例", "en": "Share of residents covered"},
    "ind.per_1000": {"zh": "每千人托位/面积", "en": "Places per 1000 residents"},
    "ind.unmet": {"zh": "未满足需求", "en": "Unmet demand"},
    "ind.status": {"zh": "求解状态", "en": "Solver status"},
    "ind.gap": {"zh": "间隙", "en": "Gap"},
    # ---- export
    "exp.scenario": {"zh": "导出的方案", "en": "Scenario to export"},
    "exp.current": {"zh": "当前（未保存）结果", "en": "Current (unsaved) result"},
    "exp.html": {"zh": "离线 HTML 地图", "en": "Offline HTML map"},
    "exp.png": {"zh": "PNG 图（含图例、比例尺、指北针）", "en": "PNG figure (legend, scale, north)"},
    "exp.pdf_fig": {"zh": "PDF 图", "en": "PDF figure"},
    "exp.gpkg": {"zh": "图层（GeoPackage）", "en": "Layers (GeoPackage)"},
    "exp.xlsx": {"zh": "表格（Excel）", "en": "Tables (Excel)"},
    "exp.report": {"zh": "规划报告（PDF，中文）", "en": "Planning report (PDF, Chinese)"},
    "exp.prepare": {"zh": "生成导出文件", "en": "Prepare the files"},
    "exp.nothing": {"zh": "没有可导出的方案：请先运行或保存一个方案。",
                    "en": "Nothing to export: run or save a scenario first."},
    # ---- map
    "map.areas": {"zh": "居住区", "en": "Residential areas"},
    "map.shortfall": {"zh": "缺口", "en": "Shortfall"},
    "map.coverage": {"zh": "覆盖率", "en": "Coverage"},
    "map.existing": {"zh": "现状设施", "en": "Existing facilities"},
    "map.proposed": {"zh": "新增站点", "en": "Proposed sites"},
    "map.candidate": {"zh": "候选点", "en": "Candidate sites"},
    "map.service_areas": {"zh": "步行服务范围", "en": "Walking service areas"},
    "map.uncovered": {"zh": "未覆盖居住区", "en": "Uncovered areas"},
    "map.network": {"zh": "路网", "en": "Street network"},
    "map.legend": {"zh": "图例", "en": "Legend"},
    "map.capacity": {"zh": "规模", "en": "Capacity"},
    "map.capacity_scale": {"zh": "圆面积与规模成正比（最大 {max}）",
                           "en": "Circle area ∝ capacity (largest {max})"},
    "map.population": {"zh": "人口", "en": "Population"},
    "map.name": {"zh": "名称", "en": "Name"},
    "map.status": {"zh": "状态", "en": "Status"},
    "map.service": {"zh": "服务", "en": "Service"},
    "map.minutes": {"zh": "{m} 分钟", "en": "{m} min"},
    "map.north": {"zh": "北", "en": "N"},
    "map.offline": {"zh": "离线（仅路网）", "en": "Offline (street network only)"},
    "map.osm": {"zh": "OpenStreetMap", "en": "OpenStreetMap"},
    "map.tianditu": {"zh": "天地图", "en": "Tianditu"},
    "map.amap": {"zh": "高德（GCJ-02）", "en": "Amap (GCJ-02)"},
    "map.synthetic": {"zh": "合成示例数据", "en": "synthetic demo data"},
    # ---- report
    "rep.title": {"zh": "一老一小设施规划方案报告", "en": "Planning report"},
    "rep.inputs": {"zh": "输入与参数", "en": "Inputs and parameters"},
    "rep.results": {"zh": "结果摘要", "en": "Results"},
    "rep.sites": {"zh": "新增站点", "en": "New sites"},
    "rep.unmet": {"zh": "未满足需求", "en": "Unmet demand"},
    "rep.figure": {"zh": "方案地图", "en": "Map"},
    "rep.more_rows": {"zh": "… 另有 {n} 行（见 Excel 表格）", "en": "… {n} more rows (see the Excel tables)"},
    "rep.generated": {"zh": "生成时间：{when}", "en": "Generated: {when}"},
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """Return the interface text *key* in *lang*, formatted with *values*.

    Parameters
    ----------
    key : str
        Key in :data:`STRINGS`.
    lang : {'zh', 'en'}
        Language; unknown languages fall back to Chinese.
    **values
        Placeholders of the text, e.g. ``t('sc.saved', 'en', name='A')``.

    Returns
    -------
    str
        The text. An unknown key raises ``KeyError`` naming it: a missing string is a bug.
    """
    try:
        entry = STRINGS[key]
    except KeyError:
        raise KeyError(f"no interface string {key!r} in planning/i18n.py") from None
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


# --------------------------------------------------------------------------- table labels
# Tables keep the canonical (English, machine-readable) column names and values everywhere in
# the code, in JSON and in CSV. Only what a planner *sees* (st.dataframe, Excel in Chinese, the
# report PDF) goes through :func:`label_frame`, which renames known columns and maps known
# categorical values, leaving anything it does not know untouched.

COLUMN_LABELS: dict[str, dict[str, str]] = {
    # identity
    "id": {"zh": "编号", "en": "ID"},
    "name": {"zh": "名称", "en": "Name"},
    "site_id": {"zh": "站点编号", "en": "Site ID"},
    "origin_id": {"zh": "居住区编号", "en": "Residential area ID"},
    "development_id": {"zh": "项目编号", "en": "Development ID"},
    "development_name": {"zh": "项目名称", "en": "Development"},
    "admin_unit": {"zh": "街道", "en": "Street (街道)"},
    "area_type": {"zh": "区域类型", "en": "Area type"},
    "completion_year": {"zh": "建成年份", "en": "Completion year"},
    "service": {"zh": "服务", "en": "Service"},
    "status": {"zh": "状态", "en": "Status"},
    "kind": {"zh": "类别", "en": "Kind"},
    "site_kind": {"zh": "站点类型", "en": "Site type"},
    "profile": {"zh": "规则集", "en": "Profile"},
    # population and demand
    "population": {"zh": "人口", "en": "Population"},
    "population_source": {"zh": "人口来源", "en": "Population from"},
    "households": {"zh": "户数", "en": "Households"},
    "households_source": {"zh": "户数来源", "en": "Households from"},
    "elderly_population": {"zh": "老年人口", "en": "Elderly population"},
    "elderly_share": {"zh": "老年人口比例", "en": "Elderly share"},
    "floor_area_m2": {"zh": "住宅建筑面积（m²）", "en": "Residential floor area (m²)"},
    "childcare_places_required": {"zh": "所需托位", "en": "托位 required"},
    "eldercare_area_required_m2": {"zh": "所需养老用房（m²）", "en": "Elder-care area required (m²)"},
    # developments (provision)
    "childcare_places": {"zh": "已配托位", "en": "托位 provided"},
    "eldercare_area_m2": {"zh": "已配养老用房（m²）", "en": "Elder-care area provided (m²)"},
    "eldercare_site_areas_m2": {"zh": "各养老点面积（m²）", "en": "Elder-care site areas (m²)"},
    "childcare_site_places": {"zh": "各托育点托位", "en": "托位 per child-care site"},
    # compliance
    "compliant": {"zh": "是否达标", "en": "Compliant"},
    "development_compliant": {"zh": "项目是否达标", "en": "Development compliant"},
    "development_status": {"zh": "项目结论", "en": "Development result"},
    "failed_rules": {"zh": "未达标规则", "en": "Rules failed"},
    "not_provided": {"zh": "未填报规则", "en": "Rules without data"},
    "not_checked": {"zh": "未核查规则", "en": "Rules not checked"},
    "warnings": {"zh": "提示", "en": "Warnings"},
    "rule": {"zh": "规则", "en": "Rule"},
    "passed": {"zh": "是否通过", "en": "Passed"},
    "comparison": {"zh": "要求", "en": "Requirement"},
    "required": {"zh": "所需", "en": "Required"},
    "provided": {"zh": "已配", "en": "Provided"},
    "shortfall": {"zh": "缺口", "en": "Shortfall"},
    "unit": {"zh": "单位", "en": "Unit"},
    "value": {"zh": "指标值", "en": "Value"},
    "reason": {"zh": "原因 / 说明", "en": "Reason / note"},
    "source": {"zh": "依据", "en": "Source"},
    "applied": {"zh": "是否采用", "en": "Applied"},
    "detail": {"zh": "说明", "en": "Detail"},
    # sites and costs
    "capacity": {"zh": "规模", "en": "Capacity"},
    "existing_capacity": {"zh": "现状规模", "en": "Existing capacity"},
    "new_capacity": {"zh": "新增规模", "en": "New capacity"},
    "min_capacity": {"zh": "最小规模", "en": "Minimum capacity"},
    "max_capacity": {"zh": "最大规模", "en": "Maximum capacity"},
    "cost": {"zh": "成本（元）", "en": "Cost (yuan)"},
    "fixed_cost": {"zh": "固定成本（元）", "en": "Fixed cost (yuan)"},
    "unit_cost": {"zh": "单位成本（元）", "en": "Unit cost (yuan)"},
    "shared_saving": {"zh": "共址节省（元）", "en": "Saving from sharing (yuan)"},
    "size_rule": {"zh": "规模规则", "en": "Size rule"},
    "open": {"zh": "是否开设", "en": "Open"},
    "childcare_fixed_cost": {"zh": "托育固定成本（元）", "en": "Child-care fixed cost (yuan)"},
    "eldercare_fixed_cost": {"zh": "养老固定成本（元）", "en": "Elder-care fixed cost (yuan)"},
    "fixed_cost_both": {"zh": "共址固定成本（元）", "en": "Fixed cost of both (yuan)"},
    "shared_fixed_cost": {"zh": "共担固定成本（元）", "en": "Shared fixed cost (yuan)"},
    "shared_source": {"zh": "共址成本依据", "en": "Shared cost from"},
    "both_open": {"zh": "两项均开设", "en": "Both open"},
    # assignments, unmet, coverage
    "amount": {"zh": "数量", "en": "Amount"},
    "minutes": {"zh": "步行时间（分钟）", "en": "Walking minutes"},
    "served": {"zh": "已服务", "en": "Served"},
    "unmet": {"zh": "未满足", "en": "Unmet"},
    "coverage": {"zh": "覆盖率", "en": "Coverage"},
    "fully_served": {"zh": "完全覆盖", "en": "Fully served"},
    # scenario indicators (the Excel sheet of one scenario)
    "sites": {"zh": "新增站点数", "en": "New sites"},
    "places": {"zh": "新增规模合计", "en": "New capacity in total"},
    "per_1000": {"zh": "每千人托位/面积", "en": "Per 1000 residents"},
    "share_covered": {"zh": "覆盖居民比例", "en": "Share of residents covered"},
    "objective": {"zh": "目标函数值", "en": "Objective value"},
    "gap": {"zh": "间隙", "en": "Gap"},
    "method": {"zh": "步行时间算法", "en": "Walking-time method"},
}

#: A column whose meaning depends on the table: (column, column that tells) → labels.
CONTEXT_COLUMN_LABELS: dict[tuple[str, str], dict[str, str]] = {
    ("kind", "rule"): {"zh": "规则类型", "en": "Rule kind"},
    ("status", "rule"): {"zh": "结果", "en": "Result"},
    ("amount", "reason"): {"zh": "未满足量", "en": "Unmet amount"},
    ("amount", "minutes"): {"zh": "分配量", "en": "Amount served"},
}

#: Columns whose values are categories from a fixed vocabulary (mapped by VALUE_LABELS).
CATEGORICAL_COLUMNS: frozenset[str] = frozenset({
    "status", "development_status", "area_type", "service", "kind", "site_kind", "comparison",
    "reason", "population_source", "households_source", "shared_source", "method", "detail",
})

VALUE_LABELS: dict[str, dict[str, str]] = {
    # compliance
    "compliant": {"zh": "达标", "en": "compliant"},
    "non_compliant": {"zh": "不达标", "en": "non-compliant"},
    "incomplete": {"zh": "资料不全", "en": "incomplete"},
    "passed": {"zh": "通过", "en": "passed"},
    "failed": {"zh": "未通过", "en": "failed"},
    "not_provided": {"zh": "未填报", "en": "not provided"},
    "at_least": {"zh": "不低于", "en": "at least"},
    "at_most": {"zh": "不超过", "en": "at most"},
    "given": {"zh": "已给定", "en": "given"},
    # area types, services, facility kinds, site status
    "new": {"zh": "新建", "en": "new"},
    "old": {"zh": "老旧", "en": "old"},
    "any": {"zh": "不限", "en": "any"},
    "childcare": {"zh": "托育", "en": "child care"},
    "eldercare": {"zh": "养老", "en": "elder care"},
    "both": {"zh": "托育 + 养老", "en": "both"},
    "public": {"zh": "公办", "en": "public"},
    "puhui": {"zh": "普惠", "en": "puhui (affordable)"},
    "market": {"zh": "市场化", "en": "market"},
    "existing": {"zh": "现状", "en": "existing"},
    "candidate": {"zh": "候选", "en": "candidate"},
    "proposed": {"zh": "新增", "en": "proposed"},
    "community_centre": {"zh": "社区服务中心", "en": "community centre"},
    "vacant_plot": {"zh": "空地", "en": "vacant plot"},
    # rule kinds
    "childcare_places_per_1000": {"zh": "每千人托位", "en": "托位 per 1000 residents"},
    "childcare_places_per_1000_citywide": {"zh": "全市每千人托位", "en": "托位 per 1000 (city-wide)"},
    "childcare_max_site_places": {"zh": "托育单点最大托位", "en": "Largest child-care site (托位)"},
    "eldercare_area_per_100_households": {"zh": "每百户养老用房", "en": "Elder-care area per 100 households"},
    "eldercare_min_site_area": {"zh": "养老单点最小面积", "en": "Smallest elder-care site (m²)"},
    "eldercare_land_per_resident": {"zh": "人均养老用地", "en": "Elder-care land per resident"},
    "eldercare_beds_per_1000_elderly": {"zh": "每千名老年人床位", "en": "Beds per 1000 elderly"},
    "eldercare_beds_per_1000_elderly_target": {"zh": "每千名老年人床位（目标）", "en": "Beds per 1000 elderly (target)"},
    "nursing_bed_share_target": {"zh": "护理型床位占比（目标）", "en": "Nursing-bed share (target)"},
    "service_circle_minutes": {"zh": "步行服务圈（分钟）", "en": "Walking service circle (minutes)"},
    "facilities_per_population": {"zh": "按人口设点", "en": "Sites per population"},
    "facilities_per_admin_unit": {"zh": "按行政单元设点", "en": "Sites per admin unit"},
    # solver status
    "optimal": {"zh": "最优", "en": "optimal"},
    "feasible": {"zh": "可行（未证明最优）", "en": "feasible (not proven optimal)"},
    "infeasible": {"zh": "无可行解", "en": "infeasible"},
    "unbounded": {"zh": "无界", "en": "unbounded"},
    "no solution": {"zh": "未求得解", "en": "no solution"},
    "error": {"zh": "求解出错", "en": "solver error"},
    "network": {"zh": "路网步行时间", "en": "street network"},
    "straight-line": {"zh": "直线距离估算", "en": "straight-line estimate"},
    # why demand is unmet (optimizer) and notes of the checks and runs
    "no site within reach": {"zh": "步行范围内没有站点", "en": "no site within reach"},
    "capacity in reach insufficient": {"zh": "步行范围内站点容量不足", "en": "capacity in reach insufficient"},
    "left unmet": {"zh": "未满足", "en": "left unmet"},
    "cheaper to leave unmet at the given penalty": {"zh": "按设定的惩罚值，不满足比新建更省", "en": "cheaper to leave unmet at the given penalty"},
    "budget exhausted": {"zh": "预算已用完", "en": "budget exhausted"},
    "number of sites exhausted": {"zh": "站点数已用完", "en": "number of sites exhausted"},
    "budget or number of sites exhausted": {"zh": "预算或站点数已用完", "en": "budget or number of sites exhausted"},
    "max of the services' fixed costs": {"zh": "取两项服务固定成本中较大者", "en": "larger of the services' fixed costs"},
    "shared_fixed_cost attribute": {"zh": "候选点的 shared_fixed_cost 属性", "en": "shared_fixed_cost attribute"},
    "provided is the smallest elder-care site; every site must meet the minimum": {
        "zh": "已配为最小的养老点面积；每处均须达到下限",
        "en": "provided is the smallest elder-care site; every site must meet the minimum"},
    "provided is the largest child-care site; shortfall is the excess over the maximum": {
        "zh": "已配为最大的托育点托位；缺口为超出上限的部分",
        "en": "provided is the largest child-care site; shortfall is the excess over the maximum"},
    "childcare_places (托位 provided) is blank; enter 0 if none": {
        "zh": "未填已配托位（childcare_places）；没有请填 0",
        "en": "childcare_places (托位 provided) is blank; enter 0 if none"},
    "eldercare_area_m2 (elder-care floor area provided) is blank; enter 0 if none": {
        "zh": "未填已配养老用房面积（eldercare_area_m2）；没有请填 0",
        "en": "eldercare_area_m2 (elder-care floor area provided) is blank; enter 0 if none"},
    "eldercare_site_areas_m2 (area of each elder-care site) is not given": {
        "zh": "未填各养老点面积（eldercare_site_areas_m2）",
        "en": "eldercare_site_areas_m2 (area of each elder-care site) is not given"},
    "childcare_site_places (托位 of each child-care site) is not given": {
        "zh": "未填各托育点托位（childcare_site_places）",
        "en": "childcare_site_places (托位 of each child-care site) is not given"},
}

_SVC_ZH = {"childcare": "托育", "eldercare": "养老"}
_LEVEL_ZH = {"county": "县（市、区）", "city": "市", "district": "区", "street": "街道"}


def _svc(name: str) -> str:
    return _SVC_ZH.get(name, name)


def _bound_rule(m: re.Match[str]) -> str:
    bound = "不超过" if m["bound"] == "at most" else "不低于"
    where = f"（位于或邻近{'新建' if m['type'] == 'new' else '老旧'}居住区的候选点）" if m["type"] else ""
    return f"每个候选点{bound} {m['value']} {m['unit']}{where}：{m['ids']}"


def _per_street(m: re.Match[str]) -> str:
    per = f"每 {m['n']} 名居民至少 1 处" if m["n"] else "每个街道至少"
    kind = f"（仅计{VALUE_LABELS.get(m['kind'], {}).get('zh', m['kind'])}设施）" if m["kind"] else ""
    return f"{per}{'，按街道' if m['n'] and m['street'] else ''}{kind}：{m['rest']}"


#: Values built from a pattern (ids and figures in them vary): regex → Chinese text.
_VALUE_PATTERNS_ZH: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    (r"^households×([\d.]+) \(profile (\S+): (\S+)\)$", r"户数×\1（规则集 \2：\3）"),
    (r"^floor_area/([\d.]+)(?: \(profile (\S+): (\S+)\))?$", r"住宅建筑面积/\1"),
    (r"^required = population / ([\d.]+) residents per site \(before rounding\); "
     r"provided = number of sites listed$", r"所需 = 人口 / 每处 \1 人（未取整）；已配 = 所列站点数"),
    (r"^not applied: the rule counts per (\S+); the areas carry 街道(?: \(admin_unit\))? only$",
     lambda m: f"未采用：该规则按{_LEVEL_ZH.get(m[1], m[1])}计数，居住区数据只到街道（admin_unit）"),
    (r"^not applied: the areas have no admin_unit$", "未采用：居住区没有街道字段（admin_unit）"),
    (r"^not applied: turned off for this run$", "未采用：本次运行未勾选站点数量规则"),
    (r"^(?P<bound>at most|at least) (?P<value>[\d.]+) (?P<unit>.+?) per candidate site"
     r"(?: \(candidates in or next to (?P<type>new|old) areas\))?: (?P<ids>.*)$", _bound_rule),
    (r"^at least (?:one per (?P<n>[\d.]+) residents(?P<street>, per 街道)?|per 街道)"
     r"(?: of kind (?P<kind>\S+))?: (?P<rest>.*)$", _per_street),
    (r"^(childcare|eldercare) candidates (.+) stand in or next to areas of a type the profile's "
     r"site-size rule does not cover: no profile limit on their size$",
     lambda m: f"{_svc(m[1])}候选点 {m[2]} 位于或邻近规则未覆盖类型的居住区：规模不受规则限制"),
    (r"^(childcare|eldercare) candidates (.+) dropped: their largest capacity is below the "
     r"profile's least site size$",
     lambda m: f"{_svc(m[1])}候选点 {m[2]} 已剔除：其最大规模低于规则要求的最小规模"),
    (r"^child care and elder care sited jointly on shared sites \(JointSiting\); .*$",
     "托育和养老在共址站点上联合选址（JointSiting）；同一站点两项都开设时，固定成本取候选点的 "
     "shared_fixed_cost 属性，没有时取两项服务固定成本中较大者"),
    (r"^each service solved on its own: joint siting is a minimum-cost model$",
     "各项服务分别求解：联合选址只用于全覆盖最低成本目标"),
)

#: Decimals shown for numeric columns (display only; the data keep full precision).
#: ``0`` with thousands separators for money, one decimal for required/shortfall, amounts and
#: minutes; ``-1`` the number as it is, with thousands separators (whole 托位 stay whole, m² keep
#: their decimals).
NUMBER_DECIMALS: dict[str, int] = {
    "required": 1, "provided": 1, "shortfall": 1, "value": 1,
    "population": 0, "households": 0, "elderly_population": 0,
    "childcare_places_required": 1, "eldercare_area_required_m2": 1,
    "capacity": -1, "existing_capacity": -1, "new_capacity": -1, "min_capacity": -1,
    "max_capacity": -1, "amount": 1, "minutes": 1, "served": 1, "unmet": 1, "shortfall_m2": 1,
    "cost": 0, "fixed_cost": 0, "unit_cost": 0, "shared_saving": 0, "childcare_fixed_cost": 0,
    "eldercare_fixed_cost": 0, "fixed_cost_both": 0, "shared_fixed_cost": 0,
}
#: Shares (0–1) shown as percentages.
PERCENT_COLUMNS: frozenset[str] = frozenset({"coverage", "share_covered", "elderly_share"})

SHEET_LABELS: dict[str, dict[str, str]] = {
    "summary": {"zh": "项目汇总", "en": "summary"},
    "rules": {"zh": "逐条规则", "en": "rules"},
    "indicators": {"zh": "指标", "en": "indicators"},
    "sites": {"zh": "站点", "en": "sites"},
    "assignments": {"zh": "服务分配", "en": "assignments"},
    "unmet": {"zh": "未满足需求", "en": "unmet"},
    "areas": {"zh": "居住区", "en": "areas"},
}


def column_label(column: object, lang: str = DEFAULT_LANGUAGE, /, *,
                 context: object = ()) -> object:
    """The display label of a canonical column name; unknown names come back unchanged.

    Parameters
    ----------
    column : object
        Canonical column name, e.g. ``'shortfall'``.
    lang : {'zh', 'en'}
        Language; unknown languages fall back to Chinese.
    context : iterable of str, optional
        The other columns of the table: ``kind`` next to ``rule`` is a rule kind, ``amount``
        next to ``reason`` is unmet demand (see :data:`CONTEXT_COLUMN_LABELS`).
    """
    if not isinstance(column, str):
        return column
    others = set(context)  # type: ignore[call-overload]
    for (col, tell), labels in CONTEXT_COLUMN_LABELS.items():
        if col == column and tell in others:
            return labels.get(lang) or labels[DEFAULT_LANGUAGE]
    entry = COLUMN_LABELS.get(column)
    if entry is None:
        return column
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def value_label(value: object, lang: str = DEFAULT_LANGUAGE, /) -> object:
    """The display label of a categorical value; unknown values come back unchanged."""
    if not isinstance(value, str):
        return value
    entry = VALUE_LABELS.get(value)
    if entry is not None:
        return entry.get(lang) or entry[DEFAULT_LANGUAGE]
    if lang == "zh":
        for pattern, repl in _VALUE_PATTERNS_ZH:
            if re.match(pattern, value):
                return re.sub(pattern, repl, value, count=1)
    return value


def is_message(value: object) -> bool:
    """Whether *value* is a structured message: a ``Message`` or its JSON form ``{"code", ...}``.

    Examples
    --------
    >>> is_message({"code": "x", "args": {}}), is_message("plain text")
    (True, False)
    """
    return isinstance(value, Message) or (isinstance(value, Mapping) and "code" in value)


def message_text(value: object, lang: str = DEFAULT_LANGUAGE, /) -> object:
    """A note, reason or rule detail as the planner reads it, whatever form it comes in.

    A ``Message`` or its stored JSON form is rendered in *lang* with
    :func:`core.messages.as_text`; plain text (notes written before messages were structured)
    gets its display label (:func:`value_label`); other values come back unchanged.

    Parameters
    ----------
    value : object
        A ``Message``, its JSON dict, a string, or any other cell value.
    lang : {'zh', 'en'}
        Language.

    Returns
    -------
    object
        The text to show (or *value* itself when it is neither a message nor text).
    """
    if is_message(value):
        from core.messages import as_text

        return as_text(value, lang)
    return value_label(value, lang)


def label_frame(df: pd.DataFrame, lang: str = DEFAULT_LANGUAGE, /) -> pd.DataFrame:
    """A copy of *df* for display: known columns renamed, known values and messages labelled.

    Columns and values this module does not know are left as they are, so a planner's own
    fields pass through. A rename that would give two columns the same label keeps the
    canonical name of the second. The input is not changed (JSON/CSV exports keep the
    canonical names and values); a GeoDataFrame loses its geometry column. Cells holding a
    structured message (a note, reason or rule detail) are rendered in *lang*.

    Parameters
    ----------
    df : pandas.DataFrame
        A table with canonical column names (e.g. ``ComplianceReport.to_frame()``).
    lang : {'zh', 'en'}
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        The labelled copy, same rows and column order.

    Examples
    --------
    >>> import pandas as pd
    >>> label_frame(pd.DataFrame({"status": ["failed"], "x": [1]}), "zh").columns.tolist()
    ['状态', 'x']
    """
    import pandas as pd

    out = pd.DataFrame(df).copy()
    geom = getattr(df, "_geometry_column_name", None)
    if geom in out.columns:
        out = out.drop(columns=[geom])
    for col in out.columns:
        if out[col].dtype == object and out[col].map(is_message).any():
            out[col] = out[col].map(lambda v: message_text(v, lang))
        if col in CATEGORICAL_COLUMNS:
            series = out[col]
            if series.map(lambda v: isinstance(v, str)).any():
                out[col] = series.astype(object).map(lambda v: value_label(v, lang))
    names: list[object] = []
    seen: set[object] = set()
    cols = list(out.columns)
    for col in cols:
        label = column_label(col, lang, context=cols)
        if label in seen or (label != col and label in cols):
            label = col
        seen.add(label)
        names.append(label)
    out.columns = names
    return out
