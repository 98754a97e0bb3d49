# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates of the ``plan`` command's inputs (code → {"zh", "en"})."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "planning.cli.needs_profile": {"zh": "地图形式需要 --profile 地区（见 `python -m planning profiles`）", "en": "the map form needs --profile ID (see `python -m planning profiles`)"},
    "planning.cli.needs_file": {"zh": "地图形式需要 {flag} 文件（或 --demo）", "en": "the map form needs {flag} FILE (or --demo)"},
    "planning.cli.needs_sites": {"zh": "地图形式需要 --sites 文件（现状设施与候选点），或 --candidates-at-areas 文件（在每个居住区设候选点），或 --demo", "en": "the map form needs --sites FILE (existing facilities and candidate sites), or --candidates-at-areas FILE (a candidate site at every residential area), or --demo"},
    "planning.cli.needs_network": {"zh": "地图形式需要 --network 文件（OSM 路网）或 --straight-line（直线距离）", "en": "the map form needs --network FILE (an OSM extract) or --straight-line"},
    "planning.cli.file_not_found": {"zh": "{flag} 文件不存在：{path}", "en": "{flag} file not found: {path}"},
    "planning.cli.write_suffix": {"zh": "{flag} {path}：请写为 {suffixes} 文件", "en": "{flag} {path}: write a {suffixes} file"},
    "planning.cli.must_be_positive": {"zh": "{flag} 须大于 0，而不是 {value}", "en": "{flag} must be > 0; got {value}"},
    "planning.cli.new_since_needs_type": {"zh": "--new-since 按建成年份推定新旧类型；没有建成年份的行用 --area-type 指定类型", "en": "--new-since derives area types from the completion year; give --area-type for rows without a year"},
    # ---- candidate sites at every residential area
    "planning.cli.template_columns": {"zh": "缺少列：{columns}（需要 service、fixed_cost、unit_cost、min_capacity、max_capacity）", "en": "missing columns: {columns} (service, fixed_cost, unit_cost, min_capacity, max_capacity are needed)"},
    "planning.cli.template_service": {"zh": "服务须为 childcare 或 eldercare，而不是 {value!r}", "en": "service must be childcare or eldercare; got {value!r}"},
    "planning.cli.template_twice": {"zh": "服务 {service} 出现了不止一行", "en": "service {service} is given more than once"},
    "planning.cli.template_missing": {"zh": "没有{service}的候选点规模与造价行", "en": "no row of sizes and costs for {service}"},
    "planning.cli.template_number": {"zh": "{column} 须为不小于 0 的有限数，而不是 {value!r}", "en": "{column} must be a finite number ≥ 0; got {value!r}"},
    "planning.cli.template_range": {"zh": "min_capacity {low} 大于 max_capacity {high}", "en": "min_capacity {low} is above max_capacity {high}"},
    "planning.cli.candidates_at_areas": {"zh": "候选点设在每个居住区（{n} 个居住区 × {services}，配建于小区内）；规模与造价为规划师在 {path} 中给出的数字：{figures}", "en": "candidate sites at every residential area ({n} areas × {services}, provided inside the compound); sizes and costs are the planner's figures from {path}: {figures}"},
    "planning.cli.template_figure": {"zh": "{service}：每处固定造价 {fixed}，每{per}造价 {unit_cost} 元，规模 {low}–{high}", "en": "{service}: fixed cost {fixed} per site, {unit_cost} yuan per {per}, size {low}–{high}"},
    "planning.cli.per_places": {"zh": "托位", "en": "place"},
    "planning.cli.per_m2": {"zh": "平方米", "en": "m²"},
    # ---- console summary of the map form
    "planning.cli.summary": {"zh": "{status}（间隙 {gap}）；新增站点 {sites} 处，成本 {cost}；未满足：{unmet}（{rows} 行）；步行时间：{method}；用时 {seconds} 秒", "en": "{status} (gap {gap}); {sites} new sites, cost {cost}; unmet: {unmet} ({rows} area rows); walking times: {method}; {seconds} s"},
    "planning.cli.unmet_part": {"zh": "{service} {amount}", "en": "{service} {amount}"},
    "planning.cli.demand_line": {"zh": "需求（{service}）：政策口径 {policy}{need}；方案采用：{used}", "en": "demand ({service}): {policy} on the policy rates{need}; plan run on: {used}"},
    "planning.cli.need_part": {"zh": "，按需口径 {need}", "en": "; need {need}"},
    "planning.cli.basis_policy": {"zh": "政策口径", "en": "policy rates"},
    "planning.cli.basis_need": {"zh": "按需口径", "en": "need"},
    "planning.cli.rule_line": {"zh": "规则 {rule}（{service}）：{applied} — {source}", "en": "rule {rule} ({service}): {applied} — {source}"},
    "planning.cli.applied": {"zh": "已采用", "en": "applied"},
    "planning.cli.not_applied": {"zh": "未采用", "en": "not applied"},
    "planning.cli.note_line": {"zh": "说明：{note}", "en": "note: {note}"},
    "planning.cli.wrote": {"zh": "已写出：{paths}", "en": "wrote {paths}"},
    "planning.cli.wrote_status_only": {"zh": "已写出：{path}（只有求解状态，没有方案）", "en": "wrote {path} (status only, no plan)"},
    "planning.cli.error_line": {"zh": "错误：{text}", "en": "error: {text}"},
    "planning.cli.batch_done": {"zh": "{n} 个地点中 {planned} 个已完成规划；已写出 {path} 和各地点的文件夹", "en": "{planned} of {n} places planned; wrote {path} and the places' folders"},
}
