"""配建 compliance: check proposed developments against a profile's rules, rule by rule.

For each development and each rule of the profile that can be checked on a development
(:data:`planning.profiles.KINDS` with scope ``'development'``) the report gives what the rule
requires (before rounding: 5,240 residents × 10/1000 = 52.4 托位), what the development
provides, the shortfall and the rule's source.

Statuses
--------
``passed``
    What is provided meets the requirement (``provided >= required``; for the maximum-size
    rule ``childcare_max_site_places``: the largest site ``<= maximum``).
``failed``
    It does not. ``shortfall`` is what is missing; for an ``at_most`` rule it is the excess
    over the maximum (``comparison`` says which, and ``excess`` repeats it).
``not_provided``
    The development lacks the data the rule needs (e.g. no list of elder-care sites for the
    minimum-site-area rule, or a blank 托位 figure). ``passed`` is false, ``provided`` and
    ``shortfall`` are null and ``reason`` says what is missing: a missing figure is not taken as
    compliance, nor silently as zero (write 0 when nothing is provided).

A development is ``compliant`` only when every applicable rule passed; its ``status`` is
``compliant``, ``non_compliant`` (some rule failed) or ``incomplete`` (none failed, some could
not be evaluated). Rules of the profile that are not checked on developments (walking-time
circles, per-street counts, land per resident, city-wide targets) and rules with no figure for
the development's area type are listed, with the reason, under ``not_checked``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from errors import InputError, ProblemCollector
from planning.compliance_report import (
    OUTPUT_SUFFIXES,
    ComplianceReport,
    DevelopmentResult,
    RuleResult,
)
from planning.demand import compute_demand, numeric_column, parse_number_list, row_ids
from planning.profiles import KINDS, Profile, Rule

#: Relative tolerance of the comparisons (floating-point noise only).
_TOL = 1e-9

_SCOPE_REASONS = {
    "network": "needs walking times along the street network: use `python -m planning access` "
               "or `coverage`",
    "district": "a planning rule for a district or admin unit, not a provision of one "
                "development",
    "indicator": "a city-wide target, not a provision of one development",
}


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
    "facilities_per_population": "处",
}


def _result(rule: Rule, *, required: float | None, provided: float | None,
            reason: str = "") -> RuleResult:
    comparison = rule.comparison
    unit = RESULT_UNITS[rule.kind]
    common: dict[str, Any] = dict(
                  rule=rule.id, kind=rule.kind, service=rule.service, area_type=rule.area_type,
                  required=required, comparison=comparison, unit=unit,
                  source=str(rule.source), reason=reason, origin=rule.origin,
                  rule_value=rule.value, rule_unit=rule.unit)
    if provided is None or required is None or math.isnan(provided):
        return RuleResult(status="not_provided", passed=False, provided=None, shortfall=None,
                          **common)
    passed, gap = _compare(required, provided, comparison)
    return RuleResult(status="passed" if passed else "failed", passed=passed,
                      provided=provided, shortfall=gap,
                      excess=gap if comparison == "at_most" else None, **common)


def _site_lists(frame: pd.DataFrame, column: str, c: ProblemCollector) -> list[list[float] | None]:
    if column not in frame.columns:
        return [None] * len(frame)
    out: list[list[float] | None] = []
    bad: list[str] = []
    bad_rows: list[Any] = []
    neg_rows: list[Any] = []
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
        out.append(sites)
    if bad_rows:
        c.add("site list must be numbers separated by commas, e.g. \"400,350\": "
              + "; ".join(bad), rows=bad_rows, field=column)
    if neg_rows:
        c.add("every site in the list must be positive", rows=neg_rows, field=column)
    return out


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
    ec_provided = numeric_column(devs, "eldercare_area_m2", c)
    ec_sites = _site_lists(devs, "eldercare_site_areas_m2", c)
    cc_sites = _site_lists(devs, "childcare_site_places", c)
    demand = None
    try:
        demand = compute_demand(devs, profile, source=c.source)
    except InputError as exc:
        c.problems.extend(exc.problems)
    c.raise_if_any()
    assert demand is not None

    dev_rules = [r for r in profile.rules if r.scope == "development"]
    not_checked = [
        {"rule": r.id, "kind": r.kind, "service": r.service,
         "reason": _SCOPE_REASONS[r.scope]}
        for r in profile.rules if r.scope != "development"
    ]

    results: list[DevelopmentResult] = []
    names = devs["name"] if "name" in devs.columns else pd.Series("", index=devs.index)
    for k, (idx, row) in enumerate(demand.iterrows()):
        at = str(row["area_type"])
        pop = float(row["population"])
        hh = float(row["households"])
        warnings: list[str] = []
        cc_total = float(cc_provided.iloc[k])
        ec_total = float(ec_provided.iloc[k])
        cc_list, ec_list = cc_sites[k], ec_sites[k]
        if math.isnan(ec_total) and ec_list:
            ec_total = float(sum(ec_list))
            warnings.append(f"eldercare_area_m2 is blank; taken as the sum of "
                            f"eldercare_site_areas_m2 ({ec_total:g})")
        elif ec_list and abs(sum(ec_list) - ec_total) > 0.01 * max(ec_total, 1.0):
            warnings.append(f"eldercare_site_areas_m2 add up to {sum(ec_list):g}, "
                            f"eldercare_area_m2 is {ec_total:g}")
        if math.isnan(cc_total) and cc_list:
            cc_total = float(sum(cc_list))
            warnings.append(f"childcare_places is blank; taken as the sum of "
                            f"childcare_site_places ({cc_total:g})")
        elif cc_list and abs(sum(cc_list) - cc_total) > 0.01 * max(cc_total, 1.0):
            warnings.append(f"childcare_site_places add up to {sum(cc_list):g}, "
                            f"childcare_places is {cc_total:g}")

        rule_results: list[RuleResult] = []
        for rule in dev_rules:
            if rule.area_type not in (at, "any"):
                continue
            # a rule for this exact area type replaces an 'any' rule of the same kind/service
            if rule.area_type == "any" and any(
                r.kind == rule.kind and r.service == rule.service and r.area_type == at
                for r in dev_rules
            ):
                continue
            rule_results.append(_evaluate(rule, pop=pop, hh=hh, cc_total=cc_total,
                                          ec_total=ec_total, cc_list=cc_list, ec_list=ec_list))

        dev_not_checked = []
        for kind, service in (("childcare_places_per_1000", "childcare"),
                              ("eldercare_area_per_100_households", "eldercare")):
            if profile.rule(kind, service=service, area_type=at) is not None:
                continue
            omit = next((o for o in profile.omitted
                         if o.kind == kind and o.area_type == at), None)
            if omit is not None:
                reason = f"{omit.reason} — {omit.source}"
                rid = omit.id
            else:
                reason = (f"profile '{profile.id}' (and its parents) states no figure for "
                          f"{at} areas")
                rid = ""
            dev_not_checked.append({"rule": rid, "kind": kind, "service": service,
                                    "reason": reason})

        results.append(DevelopmentResult(
            id=row["id"] if "id" in demand.columns else idx,
            name=str(names.iloc[k]) if pd.notna(names.iloc[k]) else "",
            area_type=at,
            population=pop,
            population_source=str(row["population_source"]),
            households=hh,
            households_source=str(row["households_source"]),
            rules=rule_results,
            not_checked=dev_not_checked,
            warnings=warnings,
        ))
    return ComplianceReport(profile, results, not_checked, source=c.source)


def _evaluate(rule: Rule, *, pop: float, hh: float, cc_total: float, ec_total: float,
              cc_list: list[float] | None, ec_list: list[float] | None) -> RuleResult:
    kind = rule.kind
    if kind == "childcare_places_per_1000":
        required = pop / 1000.0 * rule.value
        if math.isnan(cc_total):
            return _result(rule, required=required, provided=None,
                           reason="childcare_places (托位 provided) is blank; enter 0 if none")
        return _result(rule, required=required, provided=cc_total)
    if kind == "eldercare_area_per_100_households":
        required = hh / 100.0 * rule.value
        if math.isnan(ec_total):
            return _result(rule, required=required, provided=None,
                           reason="eldercare_area_m2 (elder-care floor area provided) is blank; "
                                  "enter 0 if none")
        return _result(rule, required=required, provided=ec_total)
    if kind == "eldercare_min_site_area":
        if not ec_list:
            return _result(rule, required=rule.value, provided=None,
                           reason="eldercare_site_areas_m2 (area of each elder-care site) is "
                                  "not given")
        return _result(rule, required=rule.value, provided=min(ec_list),
                       reason="provided is the smallest elder-care site; every site must meet "
                              "the minimum")
    if kind == "childcare_max_site_places":
        if not cc_list:
            return _result(rule, required=rule.value, provided=None,
                           reason="childcare_site_places (托位 of each child-care site) is not "
                                  "given")
        return _result(rule, required=rule.value, provided=max(cc_list),
                       reason="provided is the largest child-care site; shortfall is the "
                              "excess over the maximum")
    if kind == "facilities_per_population":
        required = pop / rule.value
        sites = cc_list if rule.service == "childcare" else ec_list
        column = ("childcare_site_places" if rule.service == "childcare"
                  else "eldercare_site_areas_m2")
        if sites is None:
            return _result(rule, required=required, provided=None,
                           reason=f"{column} (one entry per site) is not given, so the sites "
                                  "cannot be counted")
        return _result(rule, required=required, provided=float(len(sites)),
                       reason=f"required = population / {rule.value:g} residents per site "
                              "(before rounding); provided = number of sites listed")
    raise AssertionError(f"kind {kind} has scope development but no check")  # pragma: no cover


__all__ = ["ComplianceReport", "DevelopmentResult", "KINDS", "OUTPUT_SUFFIXES", "RuleResult",
           "check_developments"]
