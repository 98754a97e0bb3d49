"""Summaries a planner reads off a run or a saved scenario, ready to show or export.

Scenario indicators come in two forms: the nested one (``{"childcare": {...},
"eldercare": {...}, "total": {...}}``) and the flat one of scenarios saved earlier
(``sites``, ``places`` … for one service; ``childcare_places``, ``eldercare_places`` … plus
totals for both; ``places`` is ``new_capacity`` in the nested form).
:func:`nested_indicators` reads either, so every reader here (and the app, and the exports)
branches on nothing. Numbers of different units (托位, m²) are never added:
per-service figures stay per service.

Also here: the side-by-side comparison of saved scenarios (:func:`comparison_table`, also
importable from :mod:`planning.scenarios`), and the per-development shortfall of one rule kind
that colours the compliance map.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.texts import t, value_label
from core.vocab import SERVICES
from planning.demand_summary import demand_totals  # noqa: F401  (shown by maps and pages)

#: Indicators given per service in the flat form, and their names in the nested form (the new
#: capacity of a service is ``new_capacity`` there, ``places`` in the flat form).
FLAT_SERVICE_KEYS: dict[str, str] = {"sites": "sites", "places": "new_capacity", "cost": "cost",
                                     "per_1000": "per_1000", "unmet": "unmet",
                                     "required": "required"}


def run_services(service: object) -> list[str]:
    """The services of a scenario's ``service`` parameter (``'both'`` is both).

    Examples
    --------
    >>> run_services("both"), run_services("eldercare")
    (['childcare', 'eldercare'], ['eldercare'])
    """
    return list(SERVICES) if service == "both" else [str(service or "childcare")]


def nested_indicators(indicators: Mapping[str, Any] | None,
                      service: object = None) -> dict[str, dict[str, Any]]:
    """Indicators per service and in total, from the nested or the flat (older) form.

    Parameters
    ----------
    indicators : mapping
        ``results['indicators']`` of a run or a saved scenario.
    service : str, optional
        The scenario's ``service`` parameter; tells which service a flat one-service form
        belongs to (default child care).

    Returns
    -------
    dict
        ``{service: {...}, ..., "total": {...}}``; each service's figures in its unit (new
        capacity as ``new_capacity``), the total the figures of the whole run (sites, cost,
        share covered, status, gap …).

    Examples
    --------
    >>> flat = {"sites": 2, "places": 120.0, "status": "optimal"}
    >>> nested_indicators(flat, "childcare")["childcare"]["new_capacity"]
    120.0
    >>> nested_indicators(flat, "childcare")["total"]["status"]
    'optimal'
    """
    ind = dict(indicators or {})
    if "total" in ind or any(isinstance(ind.get(s), Mapping) for s in SERVICES):
        out = {s: dict(ind[s]) for s in SERVICES if isinstance(ind.get(s), Mapping)}
        out["total"] = dict(ind.get("total") or {})
        return out
    prefixed = [s for s in SERVICES if any(f"{s}_{k}" in ind for k in FLAT_SERVICE_KEYS)]
    if prefixed:
        out = {s: {new: ind[f"{s}_{old}"] for old, new in FLAT_SERVICE_KEYS.items()
                   if f"{s}_{old}" in ind} for s in prefixed}
        out["total"] = {k: v for k, v in ind.items()
                        if not any(k.startswith(f"{s}_") for s in prefixed)}
        return out
    svc = run_services(service)[0]
    return {svc: {new: ind[old] for old, new in FLAT_SERVICE_KEYS.items() if old in ind},
            "total": ind}


def total(nested: Mapping[str, Mapping[str, Any]], key: str) -> Any:
    """A run-wide figure: the total's, or (counts and money) the sum over the services.

    Only ``sites`` and ``cost`` are summed; other keys (new capacity, unmet) have a unit per
    service and give None when the total does not hold them.
    """
    tot = nested.get("total") or {}
    if tot.get(key) is not None:
        return tot[key]
    if key in ("sites", "cost"):
        values = [v[key] for s, v in nested.items() if s != "total" and v.get(key) is not None]
        return sum(values) if values else None
    return None


def unmet_text(nested: Mapping[str, Mapping[str, Any]], services: Sequence[str], lang: str, *,
               label: Callable[[str], str] | None = None, default: float | None = None) -> str:
    """Unmet demand in each service's own unit: ``52.4 托位`` or ``托育 … 托位；养老 … m²``.

    Parameters
    ----------
    nested : mapping
        From :func:`nested_indicators`.
    services : sequence of str
        The scenario's services; with one, the service is not named.
    lang : {'zh', 'en'}
        Language of the names and units.
    label : callable, optional
        Name of a service (default :func:`core.texts.value_label`).
    default : float, optional
        Shown for a service without the figure (default: the service is left out).

    Returns
    -------
    str
        The text, or ``–`` when no service has the figure.
    """
    name = label or (lambda s: str(value_label(s, lang)))
    parts = []
    for s in services:
        value = (nested.get(s) or {}).get("unmet")
        if value is None:
            value = default
        if value is None or s not in SERVICES:
            continue
        who = f"{name(s)} " if len(services) > 1 else ""
        parts.append(f"{who}{value:,.1f} {t(f'sc.unit.{s}', lang)}")
    return "；".join(parts) or "–"


def per_service_value(nested: Mapping[str, Mapping[str, Any]], services: Sequence[str],
                      key: str) -> float | dict[str, float] | None:
    """One service's figure *key*, or ``{service: figure}`` for a scenario of both."""
    values: dict[str, float] = {}
    for s in services:
        v = (nested.get(s) or {}).get(key)
        if v is not None:
            values[s] = v
    if len(services) == 1:
        return values.get(services[0])
    return values or None


def per_service_text(value: float | Mapping[str, float] | None, spec: str, lang: str, *,
                     service: str | None = None) -> Any:
    """A figure of :func:`per_service_value` as text with its unit.

    ``700 托位`` for one service (*service*; no unit when not given), ``托育 365 托位；养老
    5,012 m²`` for both: 托位 and m² are never added.
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        return "；".join(f"{value_label(s, lang)} {format(v, spec)} {t(f'sc.unit.{s}', lang)}"
                        for s, v in value.items())
    unit = f" {t(f'sc.unit.{service}', lang)}" if service in SERVICES else ""
    return f"{format(value, spec)}{unit}"


def shortfall_by_development(rules: pd.DataFrame, kind: object) -> tuple[pd.Series, str]:
    """Shortfall per development for one rule kind, and its unit (colours the map).

    Parameters
    ----------
    rules : DataFrame
        ``ComplianceReport.to_frame()``: one row per development and rule, with
        ``development_id``, ``kind``, ``shortfall`` and ``unit``.
    kind : str or None
        The rule kind to sum (e.g. ``childcare_per_1000``); None sums every rule (only
        meaningful when they share a unit).

    Returns
    -------
    (Series, str)
        Shortfall summed per development id (as text), and the unit of the rule kind
        (empty when the rows carry none).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"development_id": ["D1", "D1", "D2"], "kind": ["a", "a", "b"],
    ...                       "shortfall": [3.0, 2.0, 9.0], "unit": ["托位", "托位", "m²"]})
    >>> short, unit = shortfall_by_development(frame, "a")
    >>> short.to_dict(), unit
    ({'D1': 5.0}, '托位')
    """
    sub = rules[rules["kind"] == kind] if kind else rules
    short = pd.to_numeric(sub["shortfall"], errors="coerce").groupby(
        sub["development_id"].astype(str)).sum()
    unit = str(sub["unit"].dropna().iloc[0]) if sub["unit"].notna().any() else ""
    return short, unit


def uncovered_ids(areas: pd.DataFrame | None, service: str | None = None) -> list[Any]:
    """Ids of the areas a run left not fully served, to outline on a map.

    With *service* (or a measure's column of it, e.g. ``childcare_unmet``), those whose demand
    for that service is not fully served
    (``<service>_unmet`` above zero), so that a map coloured by one service's measure rings
    that service's gaps; without, those not fully served in any service (``fully_served``).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"id": ["a", "b"], "fully_served": [True, False],
    ...                   "childcare_unmet": [0.0, 0.0], "eldercare_unmet": [0.0, 12.5]})
    >>> uncovered_ids(a), uncovered_ids(a, "childcare"), uncovered_ids(a, "eldercare")
    (['b'], [], ['b'])
    >>> uncovered_ids(None)
    []
    """
    if areas is None or "id" not in areas.columns:
        return []
    if service and service not in SERVICES:  # a measure's column names its service
        service = next((s for s in SERVICES if service.startswith(s)), None)
    col = f"{service}_unmet" if service else None
    if col and col in areas.columns:
        unmet = pd.to_numeric(areas[col], errors="coerce").fillna(0.0)
        return list(areas.loc[unmet > 1e-6, "id"])
    if "fully_served" not in areas.columns:
        return []
    return list(areas.loc[~areas["fully_served"].astype(bool), "id"])


def any_unmet(nested: Mapping[str, Mapping[str, Any]], services: Sequence[str]) -> bool:
    """Whether some demand of a service is left unmet."""
    return any(((nested.get(s) or {}).get("unmet") or 0) > 0 for s in services)


def unmet_with_names(unmet: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The unmet-demand table with each area's name beside its id (second column).

    Examples
    --------
    >>> import pandas as pd
    >>> areas = pd.DataFrame({"id": ["a"], "name": ["甲小区"]})
    >>> unmet_with_names(pd.DataFrame({"id": ["a"], "amount": [3.0]}), areas).columns.tolist()
    ['id', 'name', 'amount']
    """
    names = (pd.Series(areas["name"].to_numpy(), index=areas["id"].astype(str))
             if "name" in areas.columns and "id" in areas.columns else pd.Series(dtype=object))
    out = unmet.copy()
    out.insert(1, "name", out["id"].astype(str).map(names))
    return out


def indicators_frame(indicators: Mapping[str, Any] | None, service: object = None) -> pd.DataFrame:
    """The indicators as a table for a spreadsheet.

    The flat form gives one row, as it is; the nested form one row per service and one for
    the total, with a ``service`` column first.

    Examples
    --------
    >>> nested = {"childcare": {"sites": 1}, "eldercare": {"sites": 2}, "total": {"gap": 0.0}}
    >>> indicators_frame(nested)["service"].tolist()
    ['childcare', 'eldercare', 'total']
    """
    ind = dict(indicators or {})
    if not any(isinstance(v, Mapping) for v in ind.values()):
        return pd.DataFrame([ind])
    nested = nested_indicators(ind, service)
    return pd.DataFrame([{"service": k, **v} for k, v in nested.items()])


# --------------------------------------------------------------------------- comparison

@dataclass(frozen=True)
class ComparisonRow:
    """One scenario's figures for the side-by-side comparison.

    ``places`` and ``per_1000`` are a number for a one-service scenario and ``{service:
    number}`` for a scenario of both (托位 and m² are never added); ``unmet`` is already text
    in the service's unit (see :func:`planning.summaries.unmet_text`).
    """

    name: str
    service: str
    objective: str
    sites: Any
    places: float | dict[str, float] | None
    cost: Any
    share_covered: Any
    per_1000: float | dict[str, float] | None
    unmet: str
    status: Any
    gap: Any


def comparison_rows(scenarios: Sequence[Any], *,
                    lang: str = "zh") -> list[ComparisonRow]:
    """The figures of each scenario, from its stored indicators (nested or older flat form).

    Parameters
    ----------
    scenarios : list of planning.scenarios.Scenario
        Saved scenarios (``results['indicators']`` as written by a run).
    lang : {'zh', 'en'}
        Language of the unmet-demand text.

    Returns
    -------
    list of ComparisonRow
        One per scenario, in order.
    """
    rows = []
    for sc in scenarios:
        ind = sc.results.get("indicators", {}) if isinstance(sc.results, dict) else {}
        service = str(sc.parameters.get("service", ""))
        services = run_services(service)
        nested = nested_indicators(ind, service)
        rows.append(ComparisonRow(
            name=sc.name, service=service, objective=str(sc.parameters.get("objective", "")),
            sites=total(nested, "sites"),
            places=per_service_value(nested, services, "new_capacity"),
            cost=total(nested, "cost"),
            share_covered=total(nested, "share_covered"),
            per_1000=per_service_value(nested, services, "per_1000"),
            unmet=unmet_text(nested, services, lang),
            status=total(nested, "status"),
            gap=total(nested, "gap"),
        ))
    return rows


def _numbers_or_text(values: list[Any], services: list[str], spec: str,
                     lang: str) -> list[Any]:
    """A column of numbers; all as text with units when one scenario gives one per service."""
    if any(isinstance(v, Mapping) for v in values):
        return [per_service_text(v, spec, lang, service=s) for v, s in zip(values, services,
                                                                            strict=True)]
    return values


def comparison_table(scenarios: Sequence[Any], *, lang: str = "zh") -> pd.DataFrame:
    """One row per scenario, ready to show: labelled columns, values in the language.

    Sites, new capacity, cost, share covered, capacity per 1000 residents, unmet demand (in
    each service's unit), solver status and gap, from :func:`comparison_rows`. Column labels
    and the service, objective and status values are translated (:mod:`core.texts`).
    Capacity and per-1000 figures are numbers, or text with the unit of each service when a
    scenario of both services is among them (托位 and m² are never added).
    """
    rows = comparison_rows(scenarios, lang=lang)
    services = [r.service for r in rows]
    places = _numbers_or_text([r.places for r in rows], services, ",.0f", lang)
    per_1000 = _numbers_or_text([r.per_1000 for r in rows], services, ".2f", lang)
    return pd.DataFrame([{
        t("ind.scenario", lang): r.name,
        t("ind.service", lang): t(f"sc.{r.service}", lang) if r.service in (
            "childcare", "eldercare", "both") else r.service,
        t("ind.objective", lang): t(f"sc.obj.{r.objective}", lang) if r.objective in (
            "min_cost", "max_coverage", "p_median") else r.objective,
        t("ind.sites", lang): r.sites,
        t("ind.places", lang): places[k],
        t("ind.cost", lang): r.cost,
        t("ind.share_covered", lang): r.share_covered,
        t("ind.per_1000", lang): per_1000[k],
        t("ind.unmet", lang): r.unmet,
        t("ind.status", lang): value_label(r.status, lang),
        t("ind.gap", lang): r.gap,
    } for k, r in enumerate(rows)])


def shortfall_layers(areas: Any, lang: str = "zh") -> list[tuple[str, str]]:
    """The columns a map can colour areas by shortfall, each with its legend label and unit.

    One service: ``shortfall`` in that service's unit. Both services: one column per service
    (``childcare_unmet`` in 托位, ``eldercare_unmet`` in m²), never a sum of the two.

    Returns
    -------
    list of (column, label)
        In display order; empty when the areas carry no shortfall.
    """
    from core.texts import t

    if areas is None:
        return []
    cols = list(getattr(areas, "columns", []))
    out = []
    for svc in SERVICES:
        col = f"{svc}_unmet"
        if col in cols:
            out.append((col, t("map.shortfall_of", lang, service=t(f"sc.{svc}", lang),
                               unit=t(f"sc.unit.{svc}", lang))))
    if "shortfall" in cols:
        return [("shortfall", out[0][1] if len(out) == 1 else t("map.shortfall", lang))]
    return out
