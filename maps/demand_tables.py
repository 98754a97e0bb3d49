"""Demand in the open, as the planner reads it: the rules applied and the totals per 街道.

One rendering of :attr:`planning.runs.ScenarioRun.demand_rules` and
:attr:`~planning.runs.ScenarioRun.demand_table` for the scenario page, the report PDF and
the Excel workbook, so that all three show the same rates, sources and units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from core.messages import Message, as_text
from core.texts import t, value_label

#: Unit codes of the demand tables → interface key or catalog unit.
_UNIT_KEYS = {"places": "sc.unit.childcare", "m2": "sc.unit.eldercare"}


def unit_label(code: Any, lang: str) -> str:
    """The name of a unit code (``places`` → 托位, ``beds`` → 床, ``residents`` → 人)."""
    from core.catalog import UNITS

    if code in _UNIT_KEYS:
        return t(_UNIT_KEYS[code], lang)
    entry = UNITS.get(str(code))
    return entry[lang] if entry else ("" if code is None else str(code))


def basis_label(basis: Any, lang: str) -> str:
    """Local plan, national standard, tool default or the planner's figure, in ``lang``."""
    if not basis:
        return "–"
    return as_text(Message(f"policy.basis_{basis}"), lang)


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _with_unit(value: Any, unit: str) -> str:
    v = _num(value)
    if v is None:
        return "–"
    text = f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.4g}"
    return f"{text} {unit}".strip()


def demand_rules_frame(rows: Sequence[Mapping[str, Any]], lang: str, *,
                       compact: bool = False) -> pd.DataFrame:
    """One row per service and area type: rule name, rate and unit, basis, source, demand.

    An area type without a rule says that the plan states no figure (never zero).
    ``compact`` (the report's page width) writes each figure with its unit in one cell.
    """
    if compact:
        full = demand_rules_frame(rows, lang)
        pairs = (("rate", "rate_unit"), ("base", "base_unit"), ("required", "unit"))
        for value, unit in pairs:
            v, u = t(f"sc.dem.col.{value}", lang), t(f"sc.dem.col.{unit}", lang)
            full[v] = [_with_unit(a, str(b)) for a, b in zip(full[v], full[u], strict=True)]
            full = full.drop(columns=[u])
        return full.drop(columns=[t("sc.dem.col.areas", lang)])
    out = []
    for r in rows:
        has = r.get("rule") is not None
        kind = ("childcare_places_per_1000" if r["service"] == "childcare"
                else "eldercare_area_per_100_households")
        out.append({
            t("sc.dem.col.service", lang): value_label(str(r["service"]), lang),
            t("sc.dem.col.area_type", lang): t(f"sc.dem.area.{r['area_type']}", lang)
            if r["area_type"] in ("new", "old") else r["area_type"],
            t("sc.dem.col.rule", lang): value_label(kind, lang) if has
            else t("sc.dem.no_rule", lang),
            t("sc.dem.col.rate", lang): _num(r.get("rate")),
            t("sc.dem.col.rate_unit", lang): r.get("rate_unit") or "–",
            t("sc.dem.col.basis", lang): basis_label(r.get("basis"), lang),
            t("sc.dem.col.source", lang): as_text(r.get("source"), lang) or "–",
            t("sc.dem.col.areas", lang): int(r.get("areas") or 0),
            t("sc.dem.col.base", lang): _num(r.get("base")),
            t("sc.dem.col.base_unit", lang): unit_label(r.get("base_unit"), lang),
            t("sc.dem.col.required", lang): _num(r.get("required")),
            t("sc.dem.col.unit", lang): unit_label(r.get("unit"), lang),
        })
    return pd.DataFrame(out)


def _rule_names(rules: Sequence[Mapping[str, Any]], lang: str) -> dict[str, str]:
    """Rule id → its name, rate and unit (``每千人托位 10 托位/千人``)."""
    kinds = {"childcare": "childcare_places_per_1000",
             "eldercare": "eldercare_area_per_100_households"}
    return {str(r["rule"]): f"{value_label(kinds[r['service']], lang)} "
                            f"{_with_unit(r.get('rate'), r.get('rate_unit') or '')}"
            for r in rules if r.get("rule") and r.get("service") in kinds}


def demand_table_frame(table: pd.DataFrame, lang: str, *, compact: bool = False,
                       rules: Sequence[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """Policy and need-based demand per 街道 and service, each figure with its unit column.

    ``rules`` (:attr:`planning.runs.ScenarioRun.demand_rules`) name the policy rules by their
    kind and rate instead of their ids; ``compact`` (the report's page width) writes each
    figure with its unit in one cell.
    """
    if compact:
        full = demand_table_frame(table, lang, rules=rules)
        for value, unit in (("policy", "policy_unit"), ("need", "need_unit")):
            v, u = t(f"sc.dem.col.{value}", lang), t(f"sc.dem.col.{unit}", lang)
            full[v] = [_with_unit(a, str(b)) for a, b in zip(full[v], full[u], strict=True)]
            full = full.drop(columns=[u])
        return full
    names = _rule_names(rules, lang)
    rows = []
    for r in pd.DataFrame(table).to_dict("records"):
        name = str(r["unit_name"])
        name = {"(total)": t("sc.dem.total_row", lang),
                "(none)": t("sc.dem.no_street", lang)}.get(name, name)
        need = _num(r.get("need_demand"))
        rows.append({
            t("sc.dem.col.street", lang): name,
            t("sc.dem.col.service", lang): value_label(str(r["service"]), lang),
            t("sc.dem.col.policy", lang): _num(r.get("policy_demand")),
            t("sc.dem.col.policy_unit", lang): unit_label(r.get("policy_unit"), lang),
            t("sc.dem.col.policy_basis", lang): "; ".join(
                names.get(x, x) for x in str(r.get("policy_basis") or "").split(", ") if x)
            or "–",
            t("sc.dem.col.need", lang): need,
            t("sc.dem.col.need_unit", lang): unit_label(r.get("need_unit"), lang)
            if need is not None else "–",
            t("sc.dem.col.need_basis", lang): r.get("need_basis") or "–",
            t("sc.dem.col.used", lang): t(f"sc.dem.used.{r.get('used', 'policy')}", lang),
        })
    return pd.DataFrame(rows)


def pph_text(pph: Mapping[str, Any] | None, lang: str) -> str:
    """Persons per household with its basis and source (``2.62 人/户（国家标准…）``)."""
    if not pph:
        return "–"
    return t("rep.pph_value", lang, value=f"{float(pph['value']):g}",
             basis=basis_label(pph.get("basis"), lang),
             source=as_text(pph.get("source"), lang) or "–")


def demand_parameter_rows(params: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The report's demand inputs: persons per household; target year, ramp, basis when used."""
    rows = {t("rep.pph", lang): pph_text(
        (params.get("parameters_used") or {}).get("persons_per_household"), lang)}
    used = params.get("target_year_used")
    if used:
        rows[t("rep.target_year", lang)] = str(used["year"])
        rows[t("rep.ramp", lang)] = t(
            "rep.ramp_value", lang, ramp=" / ".join(f"{x:.0%}" for x in used["ramp"]),
            basis=basis_label(used.get("basis"), lang))
    basis = params.get("demand_basis") or "policy"
    if basis != "policy" or params.get("enrolment_rate") is not None:
        rows[t("rep.demand_basis", lang)] = t(f"sc.dem.basis.{basis}", lang)
    if params.get("enrolment_rate") is not None:
        rows[t("rep.enrolment", lang)] = f"{float(params['enrolment_rate']):.1%}"
    return rows
