# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Interface strings in Chinese (default) and English.

Every text the app, the maps and the exports show goes through :func:`t`, so that a planner
gets a Chinese interface by default and an English one on request. The strings are data:
one entry per key, each with a ``zh`` and an ``en`` text (tests check both exist).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from core.messages import Message

if TYPE_CHECKING:
    import pandas as pd

LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

from core.catalog.ui import STRINGS  # noqa: E402  (the interface strings, as data)


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
    "note": {"zh": "说明（读取、排除、默认值、规则）", "en": "Note (reading, exclusions, defaults, rules)"},
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
    "population_method": {"zh": "人口推算方法", "en": "Population method"},
    "population_factor": {"zh": "推算系数", "en": "Factor used"},
    "households_method": {"zh": "户数推算方法", "en": "Households method"},
    "households_factor": {"zh": "户数推算系数", "en": "Households factor"},
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
    "required_whole": {"zh": "应配（整数托位）", "en": "Required (whole places)"},
    "shortfall_whole": {"zh": "缺口（整数托位）", "en": "Shortfall (whole places)"},
    "strength": {"zh": "约束性", "en": "Strength"},
    "basis": {"zh": "依据类型", "en": "Basis"},
    "level": {"zh": "适用层级", "en": "Level"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "target": {"zh": "目标值", "en": "Target"},
    "target_year": {"zh": "目标年份", "en": "Target year"},
    "met": {"zh": "是否达到", "en": "Met"},
    "notes": {"zh": "备注", "en": "Notes"},
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
    "residents": {"zh": "常住人口", "en": "Residents"},
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
    "no_plan": {"zh": "未得到方案", "en": "No plan"},
    "shared_sites": {"zh": "共址站点数", "en": "Shared sites"},
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
    "population_method", "households_method", "strength", "basis", "level",
})

VALUE_LABELS: dict[str, dict[str, str]] = {
    # unit codes (core.vocab.SERVICE_UNITS) and the total row of per-service tables
    "places": {"zh": "托位", "en": "places"},
    "m2": {"zh": "m²", "en": "m²"},
    "total": {"zh": "合计", "en": "total"},
    # compliance
    "compliant": {"zh": "达标", "en": "compliant"},
    "non_compliant": {"zh": "不达标", "en": "non-compliant"},
    "incomplete": {"zh": "资料不全", "en": "incomplete"},
    "compliant_on_rules_checked": {"zh": "所核查规则均达标（部分规则规划未给出数值）", "en": "compliant on the rules checked"},
    "households": {"zh": "由户数推算", "en": "from households"},
    "floor_area": {"zh": "由住宅建筑面积推算", "en": "from floor area"},
    "mandatory": {"zh": "约束性", "en": "mandatory"},
    "advisory": {"zh": "引导性", "en": "advisory"},
    "local_plan": {"zh": "本地规划", "en": "local plan"},
    "national_standard": {"zh": "国家标准", "en": "national standard"},
    "tool_default": {"zh": "工具默认值", "en": "tool default"},
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
    "isolated street fragment": {"zh": "位于与主路网不连通的道路碎片上，其上没有站点", "en": "isolated street fragment, no site on it"},
    "capacity in reach insufficient": {"zh": "步行范围内站点容量不足", "en": "capacity in reach insufficient"},
    "left unmet": {"zh": "未满足", "en": "left unmet"},
    "remainder below one whole place": {"zh": "不足一个整托位的零头（托位按整数配置，未再增设 1 个托位）", "en": "remainder below one whole place (places are whole; one more was not added)"},
    "cheaper to leave unmet at the given penalty": {"zh": "按设定的惩罚值，不满足比新建更省", "en": "cheaper to leave unmet at the given penalty"},
    "budget exhausted": {"zh": "预算已用完", "en": "budget exhausted"},
    "number of sites exhausted": {"zh": "站点数已用完", "en": "number of sites exhausted"},
    "budget or number of sites exhausted": {"zh": "预算或站点数已用完", "en": "budget or number of sites exhausted"},
    "max of the services' fixed costs": {"zh": "取两项服务固定成本中较大者", "en": "larger of the services' fixed costs"},
    "shared_fixed_cost attribute": {"zh": "候选点的 shared_fixed_cost 属性", "en": "shared_fixed_cost attribute"},
}

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
    "notes": {"zh": "说明", "en": "notes"},
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
