# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates of the ``optimizer``-layer (code → {"zh", "en"})."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- pieces
    "optimizer.bullet": {"zh": "\n  - {item}{rest}", "en": "\n  - {item}{rest}"},
    "optimizer.of_service": {"zh": "（{service}）", "en": " ({service})"},
    "optimizer.reach.in_reach": {"zh": "可达范围内", "en": "in reach"},
    "optimizer.reach.minutes": {"zh": "{minutes} 分钟步行范围内", "en": "within {minutes} minutes"},
    "optimizer.reach.per_service": {"zh": "各项服务的步行范围内", "en": "within each service's walking reach"},
    "optimizer.model.min_cost": {"zh": "最低成本配置", "en": "minimum-cost provision"},
    "optimizer.model.max_coverage": {"zh": "最大覆盖", "en": "maximum coverage"},
    "optimizer.model.p_median": {"zh": "p-中位", "en": "p-median"},
    "optimizer.model.joint": {"zh": "联合选址", "en": "joint siting"},
    "optimizer.layer.areas": {"zh": "居住区", "en": "areas"},
    "optimizer.layer.sites": {"zh": "站点", "en": "sites"},
    "optimizer.layer.pairs": {"zh": "出行时间表", "en": "travel times"},
    # ---- feasibility, checked before the solver
    "optimizer.feasibility.unreachable": {
        "zh": "居住区 {areas} 在{reach}没有站点（需求 {requirement}）",
        "en": "areas {areas} have no site {reach} (requirement {requirement})"},
    "optimizer.feasibility.shortfall": {
        "zh": "居住区 {area} 可达范围内的需求为 {demand}，可达范围内的容量为 {capacity}（站点 {sites}）",
        "en": "demand in reach of area {area} is {demand}, capacity in reach is {capacity} (sites {sites})"},
    "optimizer.feasibility.more_shortfalls": {
        "zh": "……另有 {n} 个类似的居住区", "en": "... and {n} more such areas"},
    "optimizer.infeasible.hard": {
        "zh": "没有方案能满足全部需求{label}：{problems}\n（勾选“允许未满足需求”，或在命令行加 --allow-unmet，可查看能满足多少）",
        "en": "no plan can serve every requirement{label}:{problems}\n(tick “allow unmet demand”, or add --allow-unmet on the command line, to see what can be served)"},
    "optimizer.infeasible.solver": {
        "zh": "求解器没有为{model}找到可行方案{problems}",
        "en": "the solver found no feasible plan for {model}{problems}"},
    "optimizer.infeasible.short": {
        "zh": "所有站点取最大容量时，{total}{label} 中最多能满足 {served}；例如以下居住区不足：{areas}",
        "en": "at most {served} of {total}{label} can be served with every site at its largest capacity; short e.g. in areas {areas}"},
    "optimizer.infeasible.side_rules": {
        "zh": "每项需求都能在可达范围内获得足够容量，因此是附加规则（预算、站点数、分组、比例、最小规模）相互冲突",
        "en": "every requirement can be reached with enough capacity, so the side rules (budget, number of sites, groups, shares, minimum sizes) conflict"},
    "optimizer.infeasible.p_median": {
        "zh": "p = {p} 时没有方案能满足每个居住区：{problems}",
        "en": "no assignment with p = {p} can serve every area:{problems}"},
    "optimizer.infeasible.p_capacity": {
        "zh": "总需求为 {total}，但现有站点与最大的 {p} 个候选站点最多容纳 {best}",
        "en": "total requirement is {total} but existing sites and the {p} largest candidates hold at most {best}"},
    "optimizer.infeasible.p_choice": {
        "zh": "任选 p = {p} 个新站点都无法让每个居住区到达一个有余量的开放站点（全部开放时可以）：请增大 p 或容量",
        "en": "no choice of p = {p} new sites lets every area reach an open site with room for its requirement (with every site open it could): raise p or the capacities"},
    "optimizer.infeasible.count_rules": {
        "zh": "站点数规则无法满足（现有与候选站点全部开放也不够）：{problems}",
        "en": "the site-count rules cannot be met even with every existing and candidate site open:{problems}"},
    "optimizer.count_rule.short": {
        "zh": "规则 {rule}，第 {group} 组：至少需要 {need}，只有 {have}",
        "en": "rule {rule}, group {group}: needs at least {need}, has {have}"},
    "optimizer.infeasible.coverage_all": {
        "zh": "在{limits}内没有方案能满足全部需求（站点全部开放时可以）：请提高预算或站点数，或勾选“允许未满足需求”（命令行 --allow-unmet）",
        "en": "no plan within {limits} serves every requirement (with every site open one could): raise the budget or the number of sites, or allow unmet demand (the “allow unmet demand” box, --allow-unmet)"},
    "optimizer.limit.budget": {"zh": "预算 {budget}", "en": "a budget of {budget}"},
    "optimizer.limit.p": {"zh": "{p} 处新站点", "en": "{p} new sites"},
    # ---- model parameters
    "optimizer.input.budget_or_p": {"zh": "请给出预算、站点数 p，或两者", "en": "give a budget, a number of sites p, or both"},
    "optimizer.input.not_negative": {"zh": "{name} 必须 >= 0；实际为 {value}", "en": "{name} must be >= 0; got {value}"},
    "optimizer.input.p_range": {
        "zh": "p 必须在 0 与候选站点数（{candidates}）之间；实际为 {p}",
        "en": "p must be between 0 and the number of candidate sites ({candidates}); got {p}"},
    "optimizer.input.demand_columns": {"zh": "需求有 {columns} 列，但服务有 {services} 项", "en": "demand has {columns} columns for {services} services"},
    "optimizer.input.integer_entries": {"zh": "integer_capacity 有 {entries} 项，但服务有 {services} 项", "en": "integer_capacity has {entries} entries for {services} services"},
    "optimizer.input.shared_cost": {"zh": "shared_fixed_cost 必须为有限值且 >= 0", "en": "shared_fixed_cost must be finite and >= 0"},
    # ---- input arrays
    "optimizer.input.per_site_length": {"zh": "长度为 {length}，应为 {expected}（每个站点一项）", "en": "has length {length}, expected {expected} (one per site)"},
    "optimizer.input.pair_lengths": {
        "zh": "pairs_origin、pairs_site 与 cost 长度不一致（{origin}、{site}、{cost}）",
        "en": "pairs_origin, pairs_site and cost differ in length ({origin}, {site}, {cost})"},
    "optimizer.input.requirement": {"zh": "需求必须是 >= 0 的有限数；实际为 {values}", "en": "requirement must be a finite number >= 0; got {values}"},
    "optimizer.input.origin_index": {"zh": "居住区序号超出 0..{last}", "en": "origin index outside 0..{last}"},
    "optimizer.input.site_index": {"zh": "站点序号超出 0..{last}", "en": "site index outside 0..{last}"},
    "optimizer.input.cost": {"zh": "出行时间（分钟）必须为有限值且 >= 0", "en": "cost (minutes) must be finite and >= 0"},
    "optimizer.input.negative": {"zh": "必须 >= 0；实际为 {values}", "en": "must be >= 0; got {values}"},
    "optimizer.input.min_over_max": {"zh": "min_capacity 大于 max_capacity（{lower} > {upper}）", "en": "min_capacity exceeds max_capacity ({lower} > {upper})"},
    "optimizer.input.finite": {"zh": "必须为有限值", "en": "must be finite"},
    "optimizer.input.one_per_site": {"zh": "{name} 必须每个站点一项（{sites}）", "en": "{name} must have one entry per site ({sites})"},
    "optimizer.input.share_bounds": {
        "zh": "类型“{kind}”的比例上下限必须满足 0 <= 下限 <= 上限 <= 1；实际为（{lower}, {upper}）",
        "en": "share bounds of kind '{kind}' must satisfy 0 <= lower <= upper <= 1; got ({lower}, {upper})"},
    "optimizer.input.no_crs": {"zh": "没有坐标参考系", "en": "has no coordinate reference system"},
    "optimizer.input.crs_differ": {"zh": "居住区坐标系为 {areas}，站点坐标系为 {sites}", "en": "areas are in {areas} but sites in {sites}"},
    "optimizer.input.missing_columns": {"zh": "{layer}缺少字段 {missing}；现有字段 {have}", "en": "{layer} lack column(s) {missing}; have {have}"},
    "optimizer.input.duplicate_ids": {"zh": "{layer}编号重复", "en": "duplicate {layer} ids"},
    "optimizer.input.unknown_ids": {
        "zh": "出行时间表中有 {n} 行的编号不在{layer}中：{ids}",
        "en": "{n} travel-time rows name ids not among the {layer}: {ids}"},
    "optimizer.input.travel_time": {"zh": "出行时间必须是 >= 0 的数", "en": "travel time must be a number >= 0"},
    "optimizer.input.requirement_number": {"zh": "需求必须是 >= 0 的数", "en": "requirement must be a number >= 0"},
    "optimizer.input.not_a_number": {"zh": "不是数字", "en": "not a number"},
    # ---- solvers
    "optimizer.solver.unknown": {"zh": "求解器必须是 {solvers} 之一；实际为“{solver}”", "en": "solver must be one of {solvers}; got '{solver}'"},
    "optimizer.solver.time_limit": {"zh": "time_limit 必须是正的秒数；实际为 {value}", "en": "time_limit must be positive seconds; got {value}"},
    "optimizer.solver.gap": {"zh": "gap 必须是 [0, 1) 内的相对间隙；实际为 {value}", "en": "gap must be a relative gap in [0, 1); got {value}"},
    "optimizer.solver.status": {"zh": "{solver} 对{model}返回状态“{status}”", "en": "{solver} returned status '{status}' for {model}"},
    "optimizer.solver.cbc_missing": {
        "zh": "未找到 CBC：请安装（Debian/Ubuntu：`apt-get install -y coinor-cbc`）或将 CBC_PATH 设为 cbc 程序路径；不使用 PuLP 自带的 CBC",
        "en": "CBC not found: install it (Debian/Ubuntu: `apt-get install -y coinor-cbc`) or set CBC_PATH to a cbc binary; PuLP's bundled CBC is not used"},
    "optimizer.solver.cbc_failed": {"zh": "CBC 运行失败：{error}", "en": "CBC failed: {error}"},
    # ---- independent verification of a solution
    "optimizer.verify.failed": {"zh": "{label}的解未通过校验：{problems}", "en": "the solution{label} failed verification:{problems}"},
    "optimizer.verify.of": {"zh": "{label}", "en": " of {label}"},
    "optimizer.verify.label": {"zh": "{model}（{service}）", "en": "{model} ({service})"},
    "optimizer.verify.out_of_reach": {"zh": "分配超出可达范围：{pairs}", "en": "assignments out of reach: {pairs}"},
    "optimizer.verify.pair": {"zh": "居住区 {area} → 站点 {site}", "en": "area {area} → site {site}"},
    "optimizer.verify.negative": {"zh": "{n} 个分配为负", "en": "{n} negative assignments"},
    "optimizer.verify.over_capacity": {"zh": "站点超出容量：{sites}", "en": "capacity exceeded at sites {sites}"},
    "optimizer.verify.load": {"zh": "{site}（{load} > {capacity}）", "en": "{site} ({load} > {capacity})"},
    "optimizer.verify.closed_changed": {"zh": "站点 {sites} 未开放，但容量与现有容量不同", "en": "sites {sites} not opened but capacity differs from existing"},
    "optimizer.verify.below_min": {"zh": "站点 {sites} 低于最小容量", "en": "sites {sites} below their minimum capacity"},
    "optimizer.verify.above_max": {"zh": "站点 {sites} 高于最大容量", "en": "sites {sites} above their maximum capacity"},
    "optimizer.verify.unaccounted": {"zh": "以下居住区的需求既未满足也未报告为未满足：{areas}", "en": "requirements neither met nor reported unmet for areas {areas}"},
    "optimizer.verify.over_served": {"zh": "以下居住区的服务量超过需求：{areas}", "en": "areas served beyond their requirement: {areas}"},
    "optimizer.verify.budget": {"zh": "超出预算：{spent} > {budget}", "en": "budget exceeded: {spent} > {budget}"},
    "optimizer.verify.p": {"zh": "开放了 {opened} 个站点，多于 p = {p}", "en": "{opened} sites opened, more than p = {p}"},
    "optimizer.verify.count_rules": {
        "zh": "开放站点少于站点数规则的要求：{problems}",
        "en": "fewer open sites than a site-count rule asks:{problems}"},
    "optimizer.verify.p_exact": {"zh": "p-中位开放了 {opened} 个站点，而不是 {p} 个", "en": "p-median opened {opened} sites, not {p}"},
}
