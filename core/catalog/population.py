# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates of the population estimate (codes ``population.*``; geo and planning)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- reading buildings and OSM
    "population.file_not_found": {"zh": "文件不存在", "en": "file not found"},
    "population.no_column": {"zh": "没有字段“{column}”", "en": "no column '{column}'"},
    "population.not_number": {"zh": "不是数字：{values}", "en": "not a number: {values}"},
    "population.negative": {"zh": "出现负值：{values}", "en": "negative values: {values}"},
    "population.storey_height": {"zh": "层高须大于 0，而不是 {value}", "en": "the storey height must be > 0; got {value}"},
    "population.default_floors": {"zh": "默认层数须大于 0，而不是 {value}", "en": "the default number of floors must be > 0; got {value}"},
    "population.buildings_no_geometry": {"zh": "建筑图层中没有面状建筑轮廓", "en": "the buildings layer holds no building footprints (polygons)"},
    "population.buildings_skipped": {"zh": "{source} 中 {n} 个要素不是面（或几何为空），已忽略", "en": "{n} feature(s) of {source} are not polygons (or have no geometry) and were left out"},
    "population.osm_unreadable": {"zh": "不是可读的 OSM 文件（.osm 或 .osm.pbf）：{error}", "en": "not a readable OSM file (.osm XML or .osm.pbf): {error}"},
    "population.osm_no_residential": {"zh": "文件中没有居住用地面（landuse=residential）或封闭小区（residential=*、gated=yes）", "en": "no residential polygons (landuse=residential) or gated compounds (residential=*, gated=yes) in the file"},
    "population.osm_broken": {"zh": "{n} 个 OSM 面因几何不完整无法组装，已忽略", "en": "{n} OSM area(s) could not be assembled (incomplete geometry) and were left out"},
    "population.osm_nested": {"zh": "居住区 {ids} 内部画有更小的居住区或小区，已从中扣除，避免建筑重复计算", "en": "residential areas {ids} have smaller residential areas or compounds drawn inside them; those were cut out so that no building is counted twice"},
    # ---- census units and areas
    "population.parameter_positive": {"zh": "{name} 须大于 0，而不是 {value}", "en": "{name} must be > 0; got {value}"},
    "population.no_crs": {"zh": "普查单元和居住区图层都须有坐标参考系", "en": "the census units and the areas must both have a coordinate reference system"},
    "population.census_no_population": {"zh": "普查单元没有人口字段（常住人口/人口/population）", "en": "the census units have no population column (常住人口/人口/population)"},
    "population.census_missing": {"zh": "普查单元缺少人口数", "en": "census units without population"},
    "population.age_above_population": {"zh": "年龄组 {group} 大于该单元的人口", "en": "age group {group} is larger than the unit's population"},
    "population.units_overlap": {"zh": "普查单元相互重叠：{pairs}", "en": "census units overlap: {pairs}"},
    "population.areas_outside": {"zh": "居住区不在任何普查单元内（可剔除并列出：命令行用 --drop-outside，界面中勾选“剔除不在任何普查单元内的居住区”）", "en": "areas lie outside every census unit (to leave them out and list them, pass --drop-outside, or in the app tick 'Leave out areas outside every census unit')"},
    "population.areas_dropped": {"zh": "{n} 个居住区不在任何普查单元内，已剔除：{ids}", "en": "{n} area(s) outside every census unit left out: {ids}"},
    "population.point_without_figures": {"zh": "以点表示的居住区须给出人口、户数或建筑面积，才能分配人口", "en": "areas given as points need population, households or floor area to receive residents"},
    "population.given_exceeds": {"zh": "普查单元 {unit} 的人口为 {census}，但其中已给定人口的居住区合计 {given}", "en": "census unit {unit} has {census} residents but its areas with a given population hold {given}"},
    # ---- notes of the estimate
    "population.buildings_not_residential": {"zh": "{n} 栋非居住建筑（学校、办公、商业等）未计入居住建筑面积", "en": "{n} non-residential building(s) (schools, offices, shops …) left out of the residential floor area"},
    "population.buildings_outside_areas": {"zh": "{n} 栋建筑不在任何居住区内，未计入", "en": "{n} building(s) lie in no residential area and were not counted"},
    "population.floors_default_given": {"zh": "{n} 栋建筑没有层数或高度，按给定的默认层数 {floors} 层计", "en": "{n} building(s) without floors or height taken as {floors} floor(s), the default given"},
    "population.floors_default_median": {"zh": "{n} 栋建筑没有层数或高度，按其余建筑层数的中位数 {floors} 层计（本工具默认做法）", "en": "{n} building(s) without floors or height taken as {floors} floor(s), the median of the buildings that have them (a tool default)"},
    "population.floors_default_none_known": {"zh": "{n} 栋建筑都没有层数或高度，均按 {floors} 层计（即按占地面积分配）", "en": "none of the {n} building(s) has floors or height: all taken as {floors} floor (shares by footprint)"},
    "population.areas_overlap": {"zh": "居住区相互重叠：{pairs}；重叠处的建筑只计入其中一个居住区，请核对边界", "en": "residential areas overlap: {pairs}; a building in the overlap counts for one of them only: check the outlines"},
    "population.areas_partly_outside": {"zh": "居住区部分位于普查单元之外，只分配单元内部分的人口：{ids}", "en": "areas partly outside the census units get residents only for the part inside: {ids}"},
    "population.units_without_areas": {"zh": "普查单元 {ids} 内没有居住区：其 {residents} 人未分配（见汇总表 unassigned）", "en": "census units {ids} contain no residential area: their {residents} residents are unassigned (see the summary's unassigned)"},
    "population.units_only_given": {"zh": "普查单元 {ids} 内只有已给定人口的居住区：余下 {residents} 人未分配", "en": "census units {ids} contain only areas with a given population: the remaining {residents} residents are unassigned"},
    "population.estimate_applied": {"zh": "居住区人口为估算值：{census} 的普查人口共 {residents} 分配到 {areas} 个居住区（已给定 {given} 个、按户数 {households} 个、按居住建筑面积 {floor_area} 个、按用地面积 {area} 个），人均居住建筑面积 {floor_area_per_person}，户均 {persons_per_household}", "en": "residents of the areas are estimated: the census population of {census}, {residents} in all, shared among {areas} areas ({given} given, {households} by households, {floor_area} by residential floor area, {area} by land area), at {floor_area_per_person} of floor area per resident and {persons_per_household}"},
    "population.bad_ramp": {"zh": "入住率爬坡须为 0–1 之间的比例序列，而不是 {ramp}", "en": "the occupancy ramp must be a list of shares between 0 and 1; got {ramp}"},
    # ---- demand by age
    "population.enrolment_rate_range": {"zh": "入托率须在 0 到 1 之间（如 0.15 表示 15%），而不是 {value}", "en": "the enrolment rate (入托率) must lie in (0, 1], e.g. 0.15 for 15 %; got {value}"},
    "population.enrolment_rate_missing": {"zh": "规则集 {profile} 没有入托率参数 {parameter}（已有：{known}）；请给出入托率", "en": "profile {profile} has no enrolment-rate parameter {parameter} (it has: {known}); give an enrolment rate"},
    "population.demand_basis": {"zh": "需求口径须为 {choices} 之一，而不是 {value!r}", "en": "the demand basis must be one of {choices}; got {value!r}"},
    # ---- console summary of the population command
    "population.summary": {"zh": "居住区 {areas} 个：普查常住人口 {census} 人中已分配 {assigned} 人，未分配 {unassigned} 人（方法：{methods}）", "en": "{areas} areas: {assigned} of {census} census residents assigned, {unassigned} unassigned (methods: {methods})"},
    "population.summary_age": {"zh": "  {column}：居住区内 {n} 人", "en": "  {column}: {n} residents in areas"},
    "population.summary_method": {"zh": "{method} {n} 个", "en": "{method} {n}"},
    "population.method_given": {"zh": "已给定", "en": "given"},
    "population.method_households": {"zh": "按户数", "en": "households"},
    "population.method_floor_area": {"zh": "按住宅建筑面积", "en": "floor area"},
    "population.method_area": {"zh": "按用地面积", "en": "land area"},
    "population.summary_note": {"zh": "说明：{note}", "en": "note: {note}"},
    "population.wrote": {"zh": "已写出：{paths}", "en": "wrote {paths}"},
}
