# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates of the ``planning`` layer (code → {"zh", "en"})."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- words used inside other messages
    "planning.service_childcare": {"zh": "托育", "en": "childcare"},
    "planning.service_eldercare": {"zh": "养老", "en": "eldercare"},
    "planning.kind_public": {"zh": "公办（兜底）", "en": "public"},
    "planning.kind_puhui": {"zh": "普惠", "en": "puhui"},
    "planning.kind_market": {"zh": "市场化", "en": "market"},
    "planning.level_county": {"zh": "县（市、区）", "en": "county"},
    "planning.level_city": {"zh": "市", "en": "city"},
    "planning.level_district": {"zh": "区", "en": "district"},
    "planning.level_street": {"zh": "街道", "en": "street"},
    "planning.near_new": {"zh": "（位于或邻近新建居住区的候选点）", "en": " (candidates in or next to new areas)"},
    "planning.near_old": {"zh": "（位于或邻近老旧居住区的候选点）", "en": " (candidates in or next to old areas)"},
    # ---- scenario parameters
    "planning.param_service": {"zh": "服务须为托育、养老或联合（childcare、eldercare、both），而不是 {value!r}", "en": "service must be childcare, eldercare or both; got {value!r}"},
    "planning.param_objective": {"zh": "目标须为 {choices} 之一，而不是 {value!r}", "en": "objective must be one of {choices}; got {value!r}"},
    "planning.param_p_needed": {"zh": "最小总步行时间目标需要站点数 p", "en": "the p-median objective needs a number of sites p"},
    "planning.param_budget_or_p": {"zh": "最大覆盖目标需要预算或站点数 p", "en": "maximum coverage needs a budget or a number of sites p"},
    "planning.param_positive": {"zh": "{name} 须大于 0，而不是 {value}", "en": "{name} must be > 0; got {value}"},
    # ---- sites
    "planning.size_rule_max": {"zh": "每个候选点不超过 {value}{near}：{ids}", "en": "at most {value} per candidate site{near}: {ids}"},
    "planning.size_rule_min": {"zh": "每个候选点不低于 {value}{near}：{ids}", "en": "at least {value} per candidate site{near}: {ids}"},
    "planning.size_rule_uncovered": {"zh": "{service}候选点 {ids} 位于或邻近规则未覆盖类型的居住区：规模不受规则限制", "en": "{service} candidates {ids} stand in or next to areas of a type the profile's site-size rule does not cover: no profile limit on their size"},
    "planning.candidates_dropped_size": {"zh": "{service}候选点 {ids} 已剔除：其最大规模低于规则要求的最小规模", "en": "{service} candidates {ids} dropped: their largest capacity is below the profile's least site size"},
    "planning.no_sites": {"zh": "{service}没有现状设施，也没有候选点", "en": "no existing facility and no candidate site for {service}"},
    "planning.shared_cost_range": {"zh": "共址固定成本（shared_fixed_cost）须介于两项服务固定成本的较大者与两者之和之间；站点 {ids} 为 {values}，两项固定成本为 {fixed}", "en": "shared_fixed_cost must lie between the larger fixed cost of the two services and their sum; sites {ids} have {values} for fixed costs {fixed}"},
    # ---- site-count rules
    "planning.count_rule_level": {"zh": "未采用：该规则按{level}计数，居住区数据只到街道（admin_unit）", "en": "not applied: the rule counts per {level}; the areas carry 街道 (admin_unit) only"},
    "planning.count_rule_no_units": {"zh": "未采用：居住区没有街道字段（admin_unit）", "en": "not applied: the areas have no admin_unit"},
    "planning.count_rule_off": {"zh": "未采用：本次运行未勾选站点数量规则", "en": "not applied: turned off for this run"},
    "planning.count_rule_kind": {"zh": "（仅计{kind}设施）", "en": " of kind {kind}"},
    "planning.count_rule_per_unit": {"zh": "每个街道至少{kind}：{counts}", "en": "at least per 街道{kind}: {counts}"},
    "planning.count_rule_per_population_unit": {"zh": "每 {residents} 名居民至少 1 处，按街道{kind}：{counts}", "en": "at least one per {residents} residents, per 街道{kind}: {counts}"},
    "planning.count_rule_per_population": {"zh": "每 {residents} 名居民至少 1 处{kind}：{counts}", "en": "at least one per {residents} residents{kind}: {counts}"},
    "planning.count_rule_unit_short": {"zh": "{unit} 按规则需 {need} 处，但区内只有 {have} 处（现状和候选）", "en": "{unit} needs {need} site(s) by the profile's count rules but only {have} site(s) (existing and candidate) lie in it"},
    "planning.count_rules_capped": {"zh": "{service}（规则 {rule}）：{units}——按全部站点执行", "en": "{service} (rule {rule}): {units} — applied as all of them"},
    "planning.count_rules_exceed_p": {"zh": "站点数量规则至少需要新增 {need} 处{service}站点（{units}），但站点数 p 为 {p}；请增大 p，或不采用按街道/按人口的站点数量规则", "en": "the profile's site-count rules need at least {need} new {service} site(s) ({units}) but the number of sites p is {p}; raise p or do not apply the per-街道 / per-population rules"},
    # ---- runs
    "planning.implausible": {"zh": "请核对：以下居住区的 {field} 超过任何实际小区的规模（{limit}）：{rows}", "en": "check these areas: their {field} is beyond any real compound ({limit}): {rows}"},
    "planning.no_plan": {"zh": "求解器未得到方案（状态：{status}）：没有选址、成本、覆盖率或未满足需求的数字；请放宽时限或条件后重算", "en": "the solver found no plan (status: {status}): there are no sites, cost, coverage or unmet figures; allow more time or relax the scenario and run it again"},
    "planning.joint_used": {"zh": "托育和养老在共址站点上联合选址（社区服务综合体，共建共享）；同一站点两项都开设时，固定成本取候选点的 shared_fixed_cost 属性，没有时取两项服务固定成本中较大者", "en": "child care and elder care sited jointly on shared sites (JointSiting); where both open on one site its fixed cost is the shared_fixed_cost attribute, else the larger of the two services' fixed costs"},
    "planning.each_service_alone": {"zh": "各项服务分别求解：联合选址只用于全覆盖最低成本目标", "en": "each service solved on its own: joint siting is a minimum-cost model"},
}
