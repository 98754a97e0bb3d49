# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates of sweeps, batches of places and decomposed plans (code → {"zh", "en"})."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- --vary and the sweep's parameters
    "sweep.vary_syntax": {"zh": "--vary 须写作 名称=值1,值2,…，而不是 {value!r}", "en": "--vary must read NAME=V1,V2,…; got {value!r}"},
    "sweep.vary_unknown": {"zh": "不能变化的参数 {name!r}；可变化：{choices}", "en": "cannot vary {name!r}; the parameters that can vary are {choices}"},
    "sweep.vary_twice": {"zh": "参数 {name} 在 --vary 中出现了两次", "en": "{name} is given twice in --vary"},
    "sweep.vary_value": {"zh": "{name} 的取值 {value!r} 无效：须为{kind}", "en": "{name} value {value!r} is not valid: it must be {kind}"},
    "sweep.kind_positive": {"zh": "大于 0 的数", "en": "a number > 0"},
    "sweep.kind_count": {"zh": "不小于 1 的整数", "en": "a whole number ≥ 1"},
    "sweep.values_empty": {"zh": "{name}：请至少填写一个取值", "en": "{name}: give at least one value"},
    "sweep.vary_none": {"zh": "至少需要一个 --vary 名称=值1,值2,…", "en": "give at least one --vary NAME=V1,V2,…"},
    "sweep.too_many": {"zh": "共 {n} 个组合，超过上限 {limit}；请减少取值，或用 --max-runs 提高上限", "en": "{n} combinations exceed the limit of {limit}; vary fewer values or raise --max-runs"},
    "sweep.rate_missing": {"zh": "规划标准 {profile} 中没有 {kind}（{area_type}）规则，不能变化 {name}", "en": "profile {profile} has no {kind} rule for area type {area_type}, so {name} cannot vary"},
    "sweep.workers_and_scheduler": {"zh": "--workers 与 --scheduler 只能选一个", "en": "give --workers or --scheduler, not both"},
    "sweep.workers_range": {"zh": "--workers 须为 0 到 {max} 之间的整数（0 表示在本进程中逐个运行），而不是 {value}", "en": "--workers must be a whole number from 0 to {max} (0 runs the scenarios one by one in this process); got {value}"},
    "sweep.scheduler_address": {"zh": "--scheduler 须为 tcp://主机:端口，而不是 {value!r}", "en": "--scheduler must be tcp://HOST:PORT; got {value!r}"},
    "sweep.scheduler_unreachable": {"zh": "无法连接 Dask 调度器 {address}：{error}", "en": "cannot reach the Dask scheduler at {address}: {error}"},
    "sweep.out_suffix": {"zh": "{flag} {path}：须写入 {suffix} 文件", "en": "{flag} {path}: write a {suffix} file"},
    "sweep.file_missing": {"zh": "{flag} 文件不存在：{path}", "en": "{flag} file not found: {path}"},
    "sweep.needs_inputs": {"zh": "需要 --demo，或 --profile、--areas、--sites 以及 --network（或 --straight-line）", "en": "give --demo, or --profile, --areas, --sites and --network (or --straight-line)"},
    # ---- rows of a sweep
    "sweep.run_failed": {"zh": "第 {index} 个方案失败（{params}）：{error}", "en": "run {index} failed ({params}): {error}"},
    "sweep.worker_lost": {"zh": "计算节点在运行该方案时退出：{error}", "en": "the worker running this scenario stopped: {error}"},
    "sweep.summary": {"zh": "完成 {done} 个方案，其中 {proven} 个已证明最优，{failed} 个失败；用时 {seconds} 秒", "en": "{done} runs finished, {proven} proven optimal, {failed} failed; {seconds} s"},
    "sweep.not_a_sweep": {"zh": "“{name}”不是保存的敏感性分析", "en": "{name!r} is not a saved sweep"},
    # ---- the curve
    "sweep.curve_title": {"zh": "{service}：{x}与覆盖率", "en": "{service}: coverage against {x}"},
    "sweep.axis_cost": {"zh": "费用（元）", "en": "cost (yuan)"},
    "sweep.axis_budget": {"zh": "预算（元）", "en": "budget (yuan)"},
    "sweep.axis_p": {"zh": "新增站点数（处）", "en": "new sites"},
    "sweep.axis_coverage": {"zh": "需求满足比例（%）", "en": "requirement served (%)"},
    "sweep.not_proven": {"zh": "空心点：未证明最优", "en": "hollow: not proven optimal"},
    # ---- batch of places
    "sweep.manifest_missing": {"zh": "清单文件不存在：{path}", "en": "manifest not found: {path}"},
    "sweep.manifest_toml": {"zh": "清单不是有效的 TOML：{error}", "en": "the manifest is not valid TOML: {error}"},
    "sweep.manifest_no_places": {"zh": "清单中没有 [[places]]", "en": "the manifest lists no [[places]]"},
    "sweep.manifest_key": {"zh": "第 {index} 个地点缺少 {key}", "en": "place {index} has no {key}"},
    "sweep.manifest_unknown_key": {"zh": "第 {index} 个地点有未知的键 {keys}；可用：{choices}", "en": "place {index} has unknown key(s) {keys}; known: {choices}"},
    "sweep.manifest_duplicate": {"zh": "地点名 {name!r} 重复", "en": "place name {name!r} is used twice"},
    "sweep.manifest_name": {"zh": "地点名 {name!r} 须只含字母、数字、汉字、-、_", "en": "place name {name!r} may hold letters, digits, -, _ only"},
    "sweep.manifest_value": {"zh": "第 {index} 个地点的 {key} 无效：{value!r}", "en": "place {index}: {key} is not valid: {value!r}"},
    "sweep.place_failed": {"zh": "地点 {name} 失败：{error}", "en": "place {name} failed: {error}"},
    # ---- decomposition
    "sweep.decompose_global": {"zh": "存在全局约束（{what}），按单一模型求解", "en": "a global constraint ({what}) keeps the single model"},
    "sweep.decompose_groups": {"zh": "分为 {groups} 个互不可达的组（最大组 {largest_areas} 个居住区、{largest_sites} 个站点），合并为 {batches} 个子模型求解", "en": "{groups} groups that cannot reach each other (largest {largest_areas} areas, {largest_sites} sites), solved as {batches} models"},
}
