"""配建 compliance: check proposed developments against a profile's rules, rule by rule.

For each development and each rule of the profile that is about a single development
(:data:`planning.profiles.KINDS` with scope ``'development'`` and level ``development``) the
report gives what the rule requires before rounding (5,240 residents × 10/1000 = 52.4 托位),
for 托位 the whole-place requirement (53) and whole-place shortfall, what the development
provides, the shortfall, and the rule's source, basis, strength and level.

Statuses of a rule
------------------
``passed``
    What is provided meets the requirement (``provided >= required``; for the maximum-size
    rule ``childcare_max_site_places``: the largest site ``<= maximum``). 托位 are whole
    numbers, so 53 places meet 52.4 and 52 do not.
``failed``
    It does not. ``shortfall`` is what is missing; for an ``at_most`` rule it is the excess
    over the maximum (``comparison`` says which, and ``excess`` repeats it).
``not_provided``
    The development lacks the data the rule needs (e.g. no list of elder-care sites for the
    minimum-site-area rule, or a blank 托位 figure). ``passed`` is false, ``provided`` and
    ``shortfall`` are null and ``reason`` says what is missing: a missing figure is not taken as
    compliance, nor silently as zero (write 0 when nothing is provided).

Which rules decide a verdict
----------------------------
A rule decides (``decides`` true) when it is ``mandatory`` and rests on a document (basis
``local_plan`` or ``national_standard``), or is a tool default the planner adopted on purpose
(``--apply-default``). An ``advisory`` rule (原则上…为宜, 力争, 基本) that fails, and a tool
default that is not adopted (the national profile's 10 / 8 托位), are reported with
``passed`` false and a warning; they never make a development non-compliant.

A development's ``status`` is ``non_compliant`` (a deciding rule failed), ``incomplete`` (none
failed, a deciding rule could not be evaluated), ``compliant_on_rules_checked`` (every deciding
rule passed, but the plan states no figure for one of the development's services in its area
type, so that rule was not checked: the report lists it under ``not_checked`` with the reason)
or ``compliant``. Rules about a larger area (a residential district of about 20,000 residents,
a 街道, a county, the city), walking circles and city-wide targets are listed under the
report's ``not_checked`` with the reason: they are checked in ``coverage``, plans and
``indicators``.

Scope and deadlines of a clause
-------------------------------
A rule with a ``condition`` covers only the developments the clause names: Chuzhou's and
Hefei's old-area 托位 rules cover 小区 「无婴幼儿照护服务设施的」. A development whose
``existing_childcare_places`` (托位 of the child-care facility it already has) is above 0 is
outside it: the rule is listed under the development's ``not_checked`` as not applicable, with
the reason. One that does not say is assumed to be inside it; the rule is applied and a warning
says the scope was assumed. A rule with a ``deadline`` (「于2025年前」, 「到2025年」) is compared
with the development's ``completion_year``: the verdict never changes, and a later completion
gets a note (an old-area rule: late against the stock-renovation deadline; a new-area rule: the
standard is in force and applies as usual).

Reasons, warnings and not-checked reasons are structured messages
(:class:`core.messages.Message`): the JSON keeps their codes, tables render them in the
interface language.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from core.messages import Message, Quantity
from errors import InputError, ProblemCollector
from planning.compliance_report import (
    OUTPUT_SUFFIXES,
    ComplianceReport,
    DevelopmentResult,
    RuleResult,
)
from planning.demand import (
    PLAUSIBLE_MAX,
    compute_demand,
    households_message,
    numeric_column,
    parse_number_list,
    population_message,
    row_ids,
)
from planning.profiles import CONDITIONS, KINDS, Profile, Rule

#: Relative tolerance of the comparisons (floating-point noise only).
_TOL = 1e-9

#: The provision rules a development has for each service (the figure per area type).
PROVISION_KINDS: tuple[tuple[str, str], ...] = (
    ("childcare_places_per_1000", "childcare"),
    ("eldercare_area_per_100_households", "eldercare"),
)


def scope_reason(rule: Rule) -> Message:
    """Why a rule is not checked on a single development."""
    if rule.kind == "colocated_with_health":
        return Message("policy.nc_colocation")
    if rule.scope == "network":
        return Message("policy.nc_network")
    if rule.scope == "indicator":
        return Message("policy.nc_indicator")
    return Message("policy.nc_level", {"level": Message(f"policy.level_{rule.level}")})


def _quantity(value: float | None, unit: str) -> Quantity | str:
    code = {"托位": "places", "m²": "m2", "处": "sites"}.get(unit, unit)
    return "—" if value is None else Quantity(float(value), code, 2)


def _compare(required: float, provided: float, comparison: str) -> tuple[bool, float]:
    """(passed, gap): gap is the shortfall (at_least) or the excess (at_most), >= 0."""
    tol = _TOL * max(1.0, abs(required))
    if comparison == "at_most":
        gap = provided - required
    else:
        gap = required - provided
    passed = gap <= tol
    return passed, (0.0 if passed else gap)


#: Unit of ``required`` / ``provided`` for each development kind (the rule's own unit, e.g.
#: 托位/千人, is reported as ``rule_unit``).
RESULT_UNITS: dict[str, str] = {
    "childcare_places_per_1000": "托位",
    "eldercare_area_per_100_households": "m²",
    "eldercare_min_site_area": "m²",
    "childcare_max_site_places": "托位",
}


def whole_places(required: float) -> int:
    """The least whole number of 托位 that meets ``required`` (52.4 → 53; 52 → 52)."""
    return int(math.ceil(required - _TOL * max(1.0, abs(required))))


def _result(rule: Rule, *, required: float | None, provided: float | None,
            reason: Message | None = None) -> RuleResult:
    comparison = rule.comparison
    unit = RESULT_UNITS[rule.kind]
    whole = (whole_places(required) if required is not None and unit == "托位"
             and comparison == "at_least" else None)
    if whole is not None and reason is None and required is not None \
            and abs(whole - required) > _TOL:
        reason = Message("policy.reason_whole_places", {
            "required": Quantity(required, "places", 3), "whole": whole})
    common: dict[str, Any] = dict(
                  rule=rule.id, kind=rule.kind, service=rule.service, area_type=rule.area_type,
                  required=required, comparison=comparison, unit=unit,
                  source=str(rule.source), reason=reason, origin=rule.origin,
                  rule_value=rule.value, rule_unit=rule.unit, basis=rule.basis,
                  strength=rule.strength, level=rule.level, adopted=rule.adopted,
                  decides=rule.decides, required_whole=whole)
    if provided is None or required is None or math.isnan(provided):
        return RuleResult(status="not_provided", passed=False, provided=None, shortfall=None,
                          **common)
    passed, gap = _compare(required, provided, comparison)
    short_whole = (max(0, whole - int(round(provided))) if whole is not None else None)
    return RuleResult(status="passed" if passed else "failed", passed=passed,
                      provided=provided, shortfall=gap,
                      excess=gap if comparison == "at_most" else None,
                      shortfall_whole=short_whole, **common)


def _site_lists(frame: pd.DataFrame, column: str, c: ProblemCollector, *,
                whole: bool = False) -> list[list[float] | None]:
    if column not in frame.columns:
        return [None] * len(frame)
    out: list[list[float] | None] = []
    bad: list[str] = []
    bad_rows: list[Any] = []
    neg_rows: list[Any] = []
    frac: list[str] = []
    frac_rows: list[Any] = []
    for rid, value in zip(row_ids(frame), frame[column], strict=True):
        try:
            sites = parse_number_list(value)
        except ValueError as exc:
            bad.append(f"{rid}: {exc}")
            bad_rows.append(rid)
            out.append(None)
            continue
        if sites is not None and any(s <= 0 for s in sites):
            neg_rows.append(rid)
        if whole and sites is not None and any(not float(s).is_integer() for s in sites):
            frac.append(f"{rid}: {', '.join(f'{s:g}' for s in sites)}")
            frac_rows.append(rid)
        out.append(sites)
    if bad_rows:
        c.add("site list must be numbers separated by commas, e.g. \"400,350\": "
              + "; ".join(bad), rows=bad_rows, field=column)
    if neg_rows:
        c.add("every site in the list must be positive", rows=neg_rows, field=column)
    if frac_rows:
        c.add("托位 are whole numbers; these site lists have fractions: " + "; ".join(frac),
              rows=frac_rows, field=column)
    return out


def _whole_numbers(values: pd.Series, frame: pd.DataFrame, column: str,
                   c: ProblemCollector) -> None:
    """托位 are whole numbers: a fractional figure is an input error naming the rows."""
    frac = values.notna() & (values % 1 != 0)
    if frac.any():
        ids = np.asarray(row_ids(frame), dtype=object)[frac.to_numpy()]
        shown = ", ".join(f"{i}={v:g}" for i, v in zip(ids, values[frac], strict=True))
        c.add(f"托位 are whole numbers, not fractions: {shown}", rows=list(ids), field=column)


def check_developments(
    devs: pd.DataFrame, profile: Profile, *, source: str | None = None
) -> ComplianceReport:
    """Check every development against every applicable rule of ``profile``.

    Parameters
    ----------
    devs : GeoDataFrame or DataFrame
        Canonical development columns: ``id``, ``name``, ``area_type`` ('new'/'old'),
        ``population`` and/or ``households`` (or ``floor_area_m2``), ``childcare_places``,
        ``eldercare_area_m2``, ``eldercare_site_areas_m2`` and ``childcare_site_places``
        (lists, or text like ``"400,350"``). Geometry is not needed.
    profile : Profile
        The jurisdiction's rules.
    source : str, optional
        Name of the input for messages and the report.

    Returns
    -------
    ComplianceReport

    Raises
    ------
    errors.InputError
        Every problem in the input at once (missing ids or duplicates, population that cannot
        be derived, negative or non-numeric figures, unreadable site lists, unknown area types).
    """
    c = ProblemCollector(source=source or devs.attrs.get("source"))
    if "id" not in devs.columns:
        c.add("column is missing: every development needs an id", field="id")
    else:
        ids = devs["id"]
        missing = ids.isna() | (ids.astype(str).str.strip() == "")
        if missing.any():
            c.add("id is empty", rows=[f"row {i + 1}" for i in np.flatnonzero(missing)],
                  field="id")
        dup = ids[ids.duplicated(keep=False) & ~missing]
        if len(dup):
            c.add("duplicate ids", rows=sorted(set(map(str, dup))), field="id")
    cc_provided = numeric_column(devs, "childcare_places", c)
    _whole_numbers(cc_provided, devs, "childcare_places", c)
    ec_provided = numeric_column(devs, "eldercare_area_m2", c)
    ec_sites = _site_lists(devs, "eldercare_site_areas_m2", c)
    cc_sites = _site_lists(devs, "childcare_site_places", c, whole=True)
    # the development fields that decide a rule's condition (CONDITIONS), and completion years
    conditions = {f: numeric_column(devs, f, c) for f in dict.fromkeys(CONDITIONS.values())}
    years = numeric_column(devs, "completion_year", c)
    demand = None
    try:
        demand = compute_demand(devs, profile, source=c.source)
    except InputError as exc:
        c.problems.extend(exc.problems)
    c.raise_if_any()
    assert demand is not None

    dev_rules = [r for r in profile.rules
                 if r.scope == "development" and r.level == "development"]
    not_checked = [
        {"rule": r.id, "kind": r.kind, "service": r.service, "level": r.level,
         "basis": r.basis, "strength": r.strength, "reason": scope_reason(r)}
        for r in profile.rules if r not in dev_rules
    ]

    results: list[DevelopmentResult] = []
    names = devs["name"] if "name" in devs.columns else pd.Series("", index=devs.index)
    for k, (idx, row) in enumerate(demand.iterrows()):
        at = str(row["area_type"])
        pop = float(row["population"])
        hh = float(row["households"])
        warnings: list[Message] = []
        for field, limit in PLAUSIBLE_MAX.items():
            if float(row[field]) > limit:
                warnings.append(Message("planning.implausible", {
                    "field": field, "limit": limit, "rows": [f"{row['id']}={row[field]:,.0f}"]}))
        cc_total = float(cc_provided.iloc[k])
        ec_total = float(ec_provided.iloc[k])
        cc_list, ec_list = cc_sites[k], ec_sites[k]
        if math.isnan(ec_total) and ec_list:
            ec_total = float(sum(ec_list))
            warnings.append(Message("policy.warn_ec_sum_blank",
                                    {"total": Quantity(ec_total, "m2", 2)}))
        elif ec_list and abs(sum(ec_list) - ec_total) > 0.01 * max(ec_total, 1.0):
            warnings.append(Message("policy.warn_ec_sum_differs", {
                "total": Quantity(float(sum(ec_list)), "m2", 2),
                "given": Quantity(ec_total, "m2", 2)}))
        if math.isnan(cc_total) and cc_list:
            cc_total = float(sum(cc_list))
            warnings.append(Message("policy.warn_cc_sum_blank",
                                    {"total": Quantity(cc_total, "places", 0)}))
        elif cc_list and abs(sum(cc_list) - cc_total) > 0.01 * max(cc_total, 1.0):
            warnings.append(Message("policy.warn_cc_sum_differs", {
                "total": Quantity(float(sum(cc_list)), "places", 0),
                "given": Quantity(cc_total, "places", 0)}))

        rule_results: list[RuleResult] = []
        dev_not_checked: list[dict[str, Any]] = []
        deadlines: dict[tuple[str, int, int], list[str]] = {}
        for rule in dev_rules:
            if rule.area_type not in (at, "any"):
                continue
            # a rule for this exact area type replaces an 'any' rule of the same kind/service
            if rule.area_type == "any" and any(
                r.kind == rule.kind and r.service == rule.service and r.area_type == at
                for r in dev_rules
            ):
                continue
            scope = _condition(rule, {f: float(v.iloc[k]) for f, v in conditions.items()})
            if isinstance(scope, dict):
                dev_not_checked.append(scope)
                continue
            res = _evaluate(rule, pop=pop, hh=hh, cc_total=cc_total, ec_total=ec_total,
                            cc_list=cc_list, ec_list=ec_list,
                            minimum=_min_site(profile, rule, at))
            rule_results.append(res)
            if scope is not None:
                warnings.append(scope)
            warnings.extend(_rule_warnings(rule, res))
            late = _deadline_note(rule, float(years.iloc[k]))
            if late is not None:
                deadlines.setdefault(late, []).append(rule.id)
        # one note per reading of a deadline, naming every rule it concerns
        for (code, year, deadline), ids in deadlines.items():
            warnings.append(Message(code, {"rules": ", ".join(ids), "year": year,
                                           "deadline": deadline}))

        for kind, service in PROVISION_KINDS:
            if profile.rule(kind, service=service, area_type=at) is not None:
                continue
            dev_not_checked.append(no_figure_record(profile, kind, service, at))

        results.append(DevelopmentResult(
            id=row["id"] if "id" in demand.columns else idx,
            name=str(names.iloc[k]) if pd.notna(names.iloc[k]) else "",
            area_type=at,
            population=pop,
            population_source=population_message(str(row["population_method"]),
                                                 row["population_factor"], profile.id),
            households=hh,
            households_source=households_message(str(row["households_method"]),
                                                 row["households_factor"], profile.id),
            rules=rule_results,
            not_checked=dev_not_checked,
            warnings=warnings,
        ))
    return ComplianceReport(profile, results, not_checked, source=c.source)


def no_figure_record(profile: Profile, kind: str, service: str, area_type: str
                     ) -> dict[str, Any]:
    """The not-checked record of a provision rule the plan states no figure for."""
    omit = next((o for o in profile.omitted
                 if o.kind == kind and o.area_type == area_type), None)
    area = Message(f"policy.area_{area_type}")
    if omit is not None and omit.automatic and omit.rule is not None:
        reason = Message("policy.nc_no_local_figure", {
            "area": area, "rule": omit.id,
            "value": f"{omit.rule.value:g} {omit.rule.unit}"})
        basis = omit.rule.basis
    elif omit is not None:
        reason = Message("policy.nc_omitted", {"reason": omit.reason, "source": str(omit.source)})
        basis = "local_plan"
    else:
        reason = Message("policy.nc_no_figure", {"profile": profile.id, "area": area})
        basis = "local_plan"
    return {"rule": omit.id if omit is not None else "", "kind": kind, "service": service,
            "level": "development", "basis": basis, "strength": "mandatory",
            "reason": reason, "no_figure": True}


def _condition(rule: Rule, fields: dict[str, float]) -> dict[str, Any] | Message | None:
    """Whether a development falls under a rule's condition (:data:`CONDITIONS`).

    Returns the not-checked record ("not applicable", with the reason) for a development
    outside it, a warning that the condition was assumed met when the development does not
    say, or None (inside it, or no condition).
    """
    if rule.condition is None:
        return None
    field = CONDITIONS[rule.condition]
    value = fields.get(field, math.nan)
    args = {"rule": rule.id, "field": field}
    if math.isnan(value):
        return Message(f"policy.warn_condition_assumed_{rule.condition}", args)
    if rule.condition == "no_existing_childcare" and value > 0:
        return {"rule": rule.id, "kind": rule.kind, "service": rule.service,
                "level": rule.level, "basis": rule.basis, "strength": rule.strength,
                "reason": Message(f"policy.nc_condition_{rule.condition}", {
                    **args, "value": Quantity(value, "places", 0)}),
                "not_applicable": True}
    return None


def _deadline_note(rule: Rule, completion_year: float) -> tuple[str, int, int] | None:
    """(message code, completion year, deadline) when a development is completed after the
    year the rule's clause sets, else None.

    An old-area rule's year is the deadline of the stock renovation: the rule still applies,
    and a later completion is late against the plan. A new-area rule's year is when the
    standard is in force: it applies to every development completed later, as to the others.
    """
    if rule.deadline is None or math.isnan(completion_year) or completion_year <= rule.deadline:
        return None
    kind = "late" if rule.area_type == "old" else "in_force"
    return f"policy.deadline_{kind}", int(completion_year), rule.deadline


def _min_site(profile: Profile, rule: Rule, area_type: str) -> Rule | None:
    """The single-site minimum that goes with an elder-care area rule (Hefei's 350 m²)."""
    if rule.kind != "eldercare_area_per_100_households":
        return None
    m = profile.rule("eldercare_min_site_area", service="eldercare", area_type=area_type)
    return m if m is not None and m.area_type in (area_type, "any") else None


def _rule_warnings(rule: Rule, res: RuleResult) -> list[Message]:
    """Warnings for a rule that does not decide the verdict, or that the planner chose."""
    out: list[Message] = []
    value = f"{rule.value:g} {rule.unit}"
    args = {"rule": rule.id, "required": _quantity(res.required, res.unit),
            "provided": _quantity(res.provided, res.unit), "value": value}
    if rule.basis == "planner":
        out.append(Message("policy.warn_planner_rule", args))
    elif rule.adopted:
        out.append(Message("policy.warn_adopted", args))
    if rule.decides or res.status == "passed":
        return out
    if rule.strength == "advisory":
        if res.status == "failed":
            out.append(Message("policy.warn_advisory_failed", args))
        else:
            out.append(Message("policy.warn_advisory_not_provided",
                               {"rule": rule.id, "reason": res.reason or ""}))
    elif res.status == "failed":
        out.append(Message("policy.warn_reference_failed", args))
    return out


def _evaluate(rule: Rule, *, pop: float, hh: float, cc_total: float, ec_total: float,
              cc_list: list[float] | None, ec_list: list[float] | None,
              minimum: Rule | None = None) -> RuleResult:
    kind = rule.kind
    if kind == "childcare_places_per_1000":
        required = pop / 1000.0 * rule.value
        if math.isnan(cc_total):
            return _result(rule, required=required, provided=None,
                           reason=Message("policy.reason_cc_blank"))
        return _result(rule, required=required, provided=cc_total)
    if kind == "eldercare_area_per_100_households":
        required = hh / 100.0 * rule.value
        note = None
        if minimum is not None and minimum.value > required:
            note = Message("policy.reason_min_total", {
                "minimum": Quantity(minimum.value, "m2", 2),
                "effective": Quantity(minimum.value, "m2", 2)})
        if math.isnan(ec_total):
            return _result(rule, required=required, provided=None,
                           reason=Message("policy.reason_ec_blank"))
        return _result(rule, required=required, provided=ec_total, reason=note)
    if kind == "eldercare_min_site_area":
        if not ec_list:
            if not math.isnan(ec_total) and ec_total < rule.value:
                # less in all than one site's minimum: no site can meet it, list or no list
                return _result(rule, required=rule.value, provided=ec_total,
                               reason=Message("policy.reason_total_below_site_min"))
            return _result(rule, required=rule.value, provided=None,
                           reason=Message("policy.reason_ec_sites_not_checked", {
                               "minimum": Quantity(rule.value, "m2", 0)}))
        return _result(rule, required=rule.value, provided=min(ec_list),
                       reason=Message("policy.reason_smallest_site"))
    if kind == "childcare_max_site_places":
        if not cc_list:
            if cc_total == 0:
                return _result(rule, required=rule.value, provided=0.0,
                               reason=Message("policy.reason_no_site"))
            return _result(rule, required=rule.value, provided=None,
                           reason=Message("policy.reason_cc_sites_missing"))
        return _result(rule, required=rule.value, provided=max(cc_list),
                       reason=Message("policy.reason_largest_site"))
    raise AssertionError(f"kind {kind} has scope development but no check")  # pragma: no cover


__all__ = ["ComplianceReport", "DevelopmentResult", "KINDS", "OUTPUT_SUFFIXES", "RuleResult",
           "check_developments", "no_figure_record", "scope_reason", "whole_places"]
