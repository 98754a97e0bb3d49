# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates of policy fidelity (code → {"zh", "en"}).

Compliance reasons, warnings, rules not checked, demand derivations, the basis, strength and
level of rules, and city-wide indicators.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- joining messages in one table cell
    "policy.pair": {"zh": "{a}；{b}", "en": "{a}; {b}"},
    "policy.labelled": {"zh": "{label}：{text}", "en": "{label}: {text}"},
    # ---- words
    "policy.basis_local_plan": {"zh": "本地方案", "en": "local plan"},
    "policy.basis_national_standard": {"zh": "国家标准或文件", "en": "national standard"},
    "policy.basis_tool_default": {"zh": "本工具默认值（无文件依据）", "en": "tool default (no document states it)"},
    "policy.basis_planner": {"zh": "规划人员本次设定", "en": "set by the planner for this run"},
    "policy.strength_mandatory": {"zh": "强制性", "en": "mandatory"},
    "policy.strength_advisory": {"zh": "指导性", "en": "advisory"},
    "policy.level_development": {"zh": "单个项目", "en": "a single development"},
    "policy.level_residential_district": {"zh": "约2万人的居住区", "en": "a residential district of about 20,000 residents"},
    "policy.level_street": {"zh": "街道（乡镇）", "en": "a 街道 (township)"},
    "policy.level_county": {"zh": "县（市、区）", "en": "a county or district"},
    "policy.level_city": {"zh": "全市（全县）", "en": "the whole city or county"},
    "policy.area_new": {"zh": "新建", "en": "new"},
    "policy.area_old": {"zh": "老旧（已建成）", "en": "old (built)"},
    "policy.area_any": {"zh": "各类", "en": "any"},
    # ---- how population and households were obtained
    "policy.population_given": {"zh": "已给定", "en": "given"},
    "policy.population_households": {"zh": "户数×{factor}（规则集 {profile}：{param}）", "en": "households×{factor} (profile {profile}: {param})"},
    "policy.population_floor_area": {"zh": "住宅建筑面积/{factor}（规则集 {profile}：{param}）", "en": "floor_area_m2/{factor} (profile {profile}: {param})"},
    "policy.households_population": {"zh": "人口/{factor}（规则集 {profile}：{param}）", "en": "population/{factor} (profile {profile}: {param})"},
    # ---- why a rule could not be evaluated, or how it was
    "policy.reason_cc_blank": {"zh": "未填已配托位（childcare_places）；没有请填 0", "en": "childcare_places (托位 provided) is blank; enter 0 if none"},
    "policy.reason_ec_blank": {"zh": "未填已配养老用房面积（eldercare_area_m2）；没有请填 0", "en": "eldercare_area_m2 (elder-care floor area provided) is blank; enter 0 if none"},
    "policy.reason_ec_sites_not_checked": {"zh": "未填各养老点面积（eldercare_site_areas_m2），未核查是否每处不少于{minimum}（集中配建）；请按处填报面积", "en": "no area per elder-care site given (eldercare_site_areas_m2), so whether every site has at least {minimum} (concentrated provision, 集中配建) was not checked; give the area of each site"},
    "policy.reason_total_below_site_min": {"zh": "已配为养老用房总面积，小于一处的面积下限，任何一处都不能达标", "en": "provided is the total elder-care floor area, less than one site's minimum, so no site can meet it"},
    "policy.nc_condition_no_existing_childcare": {"zh": "不适用：规则 {rule} 只适用于无婴幼儿照护服务设施的居住小区，本项目已有托育设施（{field} = {value}）", "en": "not applicable: rule {rule} covers only 小区 without a child-care facility, and this development has one ({field} = {value})"},
    "policy.warn_condition_assumed_no_existing_childcare": {"zh": "规则 {rule} 只适用于无婴幼儿照护服务设施的居住小区；未填现有托位（{field}），按无托育设施处理并核查", "en": "rule {rule} covers only 小区 without a child-care facility; {field} (existing child-care places) is not given, so the development was assumed to have none and the rule applied"},
    "policy.deadline_late": {"zh": "规则 {rules} 要求存量改造于{deadline}年完成，本项目{year}年完成，晚于期限：规则照常适用，按方案时间表属逾期", "en": "rules {rules} set {deadline} as the deadline of the stock renovation; this development is completed in {year}, after it: the rules apply as usual, and the provision is late against the plan's timetable"},
    "policy.deadline_in_force": {"zh": "规则 {rules} 所写{deadline}年为标准施行的时间，本项目{year}年建成：标准照常适用", "en": "rules {rules}: the year {deadline} is when the standard is in force; this development is completed in {year}: the standard applies as usual"},
    "policy.reason_ec_sites_missing": {"zh": "未填各养老点面积（eldercare_site_areas_m2）", "en": "eldercare_site_areas_m2 (area of each elder-care site) is not given"},
    "policy.reason_cc_sites_missing": {"zh": "未填各托育点托位（childcare_site_places）", "en": "childcare_site_places (托位 of each child-care site) is not given"},
    "policy.reason_smallest_site": {"zh": "已配为最小的养老点面积；每处均须达到下限", "en": "provided is the smallest elder-care site; every site must meet the minimum"},
    "policy.reason_largest_site": {"zh": "已配为最大的托育点托位；缺口为超出上限的部分", "en": "provided is the largest child-care site; shortfall is the excess over the maximum"},
    "policy.reason_no_site": {"zh": "未配托育点（0 托位），不涉及单点规模", "en": "no child-care site (0 托位): no site to exceed the size"},
    "policy.reason_whole_places": {"zh": "按规则应配 {required}（未取整），即不少于 {whole} 个托位", "en": "the rule requires {required} before rounding, i.e. at least {whole} whole places"},
    "policy.reason_min_total": {"zh": "另有单体不少于 {minimum} 的规定，该项目实际至少需 {effective}", "en": "with the single-site minimum of {minimum}, the development needs at least {effective} in all"},
    # ---- warnings on a development
    "policy.warn_ec_sum_blank": {"zh": "未填养老用房总面积（eldercare_area_m2），按各养老点面积之和 {total} 计", "en": "eldercare_area_m2 is blank; taken as the sum of eldercare_site_areas_m2 ({total})"},
    "policy.warn_ec_sum_differs": {"zh": "各养老点面积之和为 {total}，而养老用房总面积（eldercare_area_m2）为 {given}", "en": "eldercare_site_areas_m2 add up to {total}, eldercare_area_m2 is {given}"},
    "policy.warn_cc_sum_blank": {"zh": "未填已配托位（childcare_places），按各托育点托位之和 {total} 计", "en": "childcare_places is blank; taken as the sum of childcare_site_places ({total})"},
    "policy.warn_cc_sum_differs": {"zh": "各托育点托位之和为 {total}，而已配托位（childcare_places）为 {given}", "en": "childcare_site_places add up to {total}, childcare_places is {given}"},
    "policy.warn_advisory_failed": {"zh": "指导性规则 {rule} 未满足（规定 {required}，实际 {provided}）：仅作提示，不影响达标结论", "en": "advisory rule {rule} not met (rule {required}, provided {provided}): a warning; it does not make the development non-compliant"},
    "policy.warn_advisory_not_provided": {"zh": "指导性规则 {rule} 无法核查：{reason}", "en": "advisory rule {rule} could not be checked: {reason}"},
    "policy.warn_reference_failed": {"zh": "规则 {rule} 为本工具默认值（{value}），不是本地文件的规定：未满足（所需 {required}，已配 {provided}），仅供参考，不影响达标结论", "en": "rule {rule} is a tool default ({value}), not in this jurisdiction's documents: not met (required {required}, provided {provided}); reported for reference only, it does not decide compliance"},
    "policy.warn_adopted": {"zh": "规则 {rule}（{value}）为本工具默认值，按规划人员的选择适用", "en": "rule {rule} ({value}) is a tool default applied on the planner's choice"},
    "policy.warn_planner_rule": {"zh": "规则 {rule}（{value}）为规划人员本次提供的数字，方案未规定", "en": "rule {rule} ({value}) is a figure the planner supplied for this run; the plan states none"},
    # ---- rules not checked on developments
    "policy.nc_network": {"zh": "需要沿路网的步行时间：请用 `python -m planning coverage` 或 `access`", "en": "needs walking times along the street network: use `python -m planning coverage` or `access`"},
    "policy.nc_level": {"zh": "这是针对{level}的规则，不是单个项目的配建要求：在覆盖分析、选址方案和全市指标中核查", "en": "a rule for {level}, not a provision of one development: checked in coverage, plans and indicators"},
    "policy.nc_indicator": {"zh": "全市（全县）目标，不是单个项目的配建要求：见 `python -m planning indicators`", "en": "a city-wide target, not a provision of one development: see `python -m planning indicators`"},
    "policy.nc_colocation": {"zh": "需要卫生设施图层：见 `python -m planning indicators --health F`", "en": "needs a health-facility layer: see `python -m planning indicators --health F`"},
    "policy.nc_no_figure": {"zh": "规则集 {profile} 的方案未规定{area}居住区的该项数字", "en": "the plan of profile '{profile}' states no figure for {area} areas"},
    "policy.nc_no_local_figure": {"zh": "方案未规定{area}居住区的该项数字；本工具默认值 {value}（{rule}）未适用，如需适用请用 --apply-default {rule}", "en": "the plan states no figure for {area} areas; the tool default {value} ({rule}) is not applied (apply it on purpose with --apply-default {rule})"},
    "policy.nc_omitted": {"zh": "{reason}——{source}", "en": "{reason} — {source}"},
    # ---- plans: demand the profile has no figure for
    "policy.no_demand_figure": {"zh": "规则集 {profile} 未规定{service}在{areas}居住区的需求数字（{kind}），涉及居住区 {ids}：不能把需求当作 0。请提供数字（{option}），或选用另一规则集", "en": "profile '{profile}' has no {service} demand figure ({kind}) for {areas} areas ({ids}): demand is not taken as zero. Supply a figure ({option}) or use another profile"},
    "policy.cutoff_basis": {"zh": "{service}服务圈 {minutes}、步行速度 {speed}：{basis}（{source}）", "en": "{service} circle {minutes} at {speed}: {basis} ({source})"},
    "policy.parameter_used": {"zh": "{param} = {value}：{basis}（{source}）", "en": "{param} = {value}: {basis} ({source})"},
    "policy.count_rule_any_kind": {"zh": "{service}：按人口设点规则计所有类型站点，按街道的{kinds}规则只计该类站点（分别执行）", "en": "{service}: the per-population rule counts sites of any kind, the per-街道 rule only {kinds} sites (applied separately)"},
    "policy.share_rule": {"zh": "{kind}托位占比不低于 {share}（{rule}）", "en": "share of 托位 in {kind} sites at least {share} ({rule})"},
    "policy.share_rule_no_kind": {"zh": "未采用：站点没有类型字段（kind），无法计算{kind}托位占比", "en": "not applied: the sites carry no kind, so the {kind} share cannot be computed"},
    # ---- indicators
    "policy.ind_places_per_1000": {"zh": "每千人口托位数", "en": "托位 per 1000 residents"},
    "policy.ind_puhui_share": {"zh": "{kind}托位占比", "en": "share of 托位 in {kind} facilities"},
    "policy.ind_coverage": {"zh": "{service}服务圈内居民占比", "en": "share of residents within the {service} circle"},
    "policy.ind_compliance_rate": {"zh": "配建达标率（{service}，{area}居住区）", "en": "配建 compliance rate ({service}, {area} areas)"},
    "policy.ind_compliance_rate_all": {"zh": "配建达标率（全部规则）", "en": "配建 compliance rate (all rules)"},
    "policy.ind_colocation": {"zh": "{service}设施与卫生设施同址或邻近的占比", "en": "share of {service} sites on or next to a health facility"},
    "policy.ind_missing_facilities": {"zh": "未提供设施图层", "en": "no facilities layer given"},
    "policy.ind_missing_capacity": {"zh": "设施没有容量（capacity）", "en": "the facilities carry no capacity"},
    "policy.ind_missing_kind": {"zh": "设施没有类型字段（kind），无法区分普惠托位", "en": "the facilities carry no kind, so 普惠 places cannot be told apart"},
    "policy.ind_missing_service": {"zh": "没有现状{service}设施", "en": "no existing {service} facility"},
    "policy.ind_missing_developments": {"zh": "未提供项目图层（--developments）", "en": "no developments layer given (--developments)"},
    "policy.ind_missing_area_devs": {"zh": "没有{area}居住区的项目", "en": "no development in {area} areas"},
    "policy.ind_missing_health": {"zh": "未提供卫生设施图层（--health）", "en": "no health-facility layer given (--health)"},
    "policy.ind_missing_population": {"zh": "居住区总人口为 0", "en": "the areas have no residents"},
    "policy.ind_no_target": {"zh": "方案未规定该项目标", "en": "the plan sets no target for it"},
    "policy.ind_eldercare_beds_per_1000_elderly_target": {"zh": "每千名老年人养老床位数", "en": "elder-care beds per 1000 elderly"},
    "policy.ind_nursing_bed_share_target": {"zh": "护理型床位占比", "en": "share of nursing-type beds"},
    "policy.ind_met": {"zh": "达到", "en": "met"},
    "policy.ind_not_met": {"zh": "未达到", "en": "not met"},
    "policy.ind_not_computed": {"zh": "本工具不计算该指标（需要床位等数据）", "en": "the tool does not compute this indicator (it needs beds and similar data)"},
    "policy.ind_unchecked_devs": {"zh": "其中 {n} 个项目因方案未规定数字而未核查该项", "en": "{n} development(s) not checked on it because the plan states no figure"},
    "policy.ind_straight_line": {"zh": "按直线距离估算（未提供路网）", "en": "straight-line estimate (no network given)"},
}
