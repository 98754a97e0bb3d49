# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Interface strings of the app, the maps and the exports (key → {"zh", "en"}).

Read through :func:`core.texts.t`; tests check every entry has both languages.
"""

from __future__ import annotations

_BASE: dict[str, dict[str, str]] = {
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
        "zh": "从左侧选择页面：数据（含人口估算）→ 配建核查 → 全市指标 → 选址方案 → 方案比较 → 敏感性分析 → 导出。默认载入示例城区（合成数据）。",
        "en": "Pick a page on the left: Data (with the population estimate) → Compliance → "
        "City-wide indicators → Scenarios → Comparison → Sensitivity → Export. "
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
              "没有该属性时取两项服务固定成本中较大者（社区服务综合体，共建共享）。",
        "en": "Where child care and elder care open on one site, its fixed cost is the "
              "candidate's shared_fixed_cost attribute, else the larger of the two services' "
              "fixed costs (社区服务综合体, 共建共享)."},
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
    "rep.yes": {"zh": "是", "en": "yes"},
    "rep.no": {"zh": "否", "en": "no"},
    "rep.total": {"zh": "合计", "en": "total"},
    "rep.no_street": {"zh": "（无街道）", "en": "(no street)"},
    "rep.demand": {"zh": "需求合计（按街道、分服务）", "en": "Demand by street (街道) and service"},
    "map.shortfall_of": {"zh": "{service}缺口（{unit}）", "en": "{service} shortfall ({unit})"},
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

# Strings of one part of the interface may live in their own module (``ui_<part>.py``, each with
# ``STRINGS``), so that work on different pages never edits the same table.
from core.catalog import (  # noqa: E402
    ui_indicators,
    ui_maps,
    ui_population,
    ui_scenario,
    ui_sensitivity,
    ui_upload,
)

STRINGS: dict[str, dict[str, str]] = dict(_BASE)
for _module in (ui_upload, ui_maps, ui_scenario, ui_sensitivity, ui_population, ui_indicators):
    for _key, _entry in _module.STRINGS.items():
        if _key in STRINGS:
            raise RuntimeError(f"interface string {_key} is defined twice")
        STRINGS[_key] = _entry
