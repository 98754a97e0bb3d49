"""Demand of residential areas under a policy profile: population, 托位 and elder-care floor area.

Every figure comes from the profile (persons per household, the per-1000 and per-100-household
rules by area type, the elderly share); how each number was obtained is recorded as a code in a
column next to it (``population_method``: ``given``, ``households`` or ``floor_area``, with the
factor used in ``population_factor``), so that a planner can see which rows were derived and
from what. :func:`population_message` renders a row's derivation in the interface language.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from core.messages import Message
from errors import InputError, ProblemCollector
from geo import parse_number_list
from planning.profiles import Profile

FrameT = TypeVar("FrameT", bound=pd.DataFrame)

#: Area types the rules distinguish.
AREA_TYPES: tuple[str, ...] = ("new", "old")

#: Columns :func:`compute_demand` adds (or fills in).
DEMAND_COLUMNS: tuple[str, ...] = (
    "population", "population_method", "population_factor", "population_source",
    "households", "households_method", "households_factor", "households_source",
    "childcare_places_required", "childcare_rule", "eldercare_area_required_m2",
    "eldercare_rule", "elderly_share_used", "elderly_population", "elderly_source",
)


def row_ids(frame: pd.DataFrame) -> list[Hashable]:
    """Ids of the rows of ``frame``: its ``id`` column if any, else its index."""
    if "id" in frame.columns:
        return list(frame["id"])
    return list(frame.index)


#: Figures per residential area beyond any real 小区 (the largest compounds in Chinese cities
#: house some tens of thousands of residents): tool limits, not policy figures. Areas above
#: them are kept, and named in a warning in every output, since a typo (an extra zero, a
#: city total in one row) would otherwise drive the whole plan.
PLAUSIBLE_MAX: dict[str, float] = {"population": 100_000.0, "households": 40_000.0}


def implausible(demand: pd.DataFrame) -> list[Message]:
    """Warnings naming the areas whose population or households exceed :data:`PLAUSIBLE_MAX`."""
    out: list[Message] = []
    ids = np.asarray(row_ids(demand), dtype=object)
    for column, limit in PLAUSIBLE_MAX.items():
        if column not in demand.columns:
            continue
        values = pd.to_numeric(demand[column], errors="coerce").to_numpy(dtype=float)
        big = np.nan_to_num(values) > limit
        if big.any():
            out.append(Message("planning.implausible", {
                "field": column, "limit": limit,
                "rows": [f"{i}={v:,.0f}" for i, v in zip(ids[big], values[big], strict=True)]}))
    return out


def numeric_column(
    frame: pd.DataFrame, column: str, c: ProblemCollector, *, allow_negative: bool = False,
    maximum: float | None = None,
) -> pd.Series:
    """``frame[column]`` as floats (NaN when absent); bad values recorded in ``c``.

    Text that is not a number, negative values (unless allowed) and values above ``maximum``
    are reported with the ids of the offending rows.
    """
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    ids = np.asarray(row_ids(frame), dtype=object)
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        shown = ", ".join(f"{i}={v:g}" for i, v in zip(ids[infinite], values[infinite],
                                                        strict=True))
        c.add(f"not a finite number: {shown}", rows=list(ids[infinite]), field=column)
        values = values.where(~infinite)
    not_number = raw.notna().to_numpy() & values.isna().to_numpy()
    if not_number.any():
        bad = [f"{i}={v!r}" for i, v in zip(ids[not_number], raw[not_number], strict=True)]
        c.add(f"not a number: {', '.join(bad[:20])}", rows=list(ids[not_number]), field=column)
    if not allow_negative:
        neg = (values < 0).to_numpy()
        if neg.any():
            shown = ", ".join(f"{i}={v:g}" for i, v in zip(ids[neg], values[neg], strict=True))
            c.add(f"negative values: {shown}", rows=list(ids[neg]), field=column)
    if maximum is not None:
        big = (values > maximum).to_numpy()
        if big.any():
            shown = ", ".join(f"{i}={v:g}" for i, v in zip(ids[big], values[big], strict=True))
            c.add(f"values above {maximum:g}: {shown}", rows=list(ids[big]), field=column)
    return values


def compute_demand(
    areas: FrameT,
    profile: Profile,
    *,
    source: str | None = None,
    missing_rule: str = "nan",
    use_profile_elderly_share: bool = True,
) -> FrameT:
    """Population, 托位 required and elder-care floor area required for every area.

    Parameters
    ----------
    areas : GeoDataFrame or DataFrame
        Canonical columns: ``id``, ``area_type`` ('new'/'old'), ``population`` and/or
        ``households`` (NaN where unknown), optional ``floor_area_m2`` (residential floor area),
        optional ``elderly_share`` (0–1).
    profile : Profile
        Supplies ``persons_per_household``, ``floor_area_per_person_m2``,
        ``elderly_share_60plus`` and the ``childcare_places_per_1000`` and
        ``eldercare_area_per_100_households`` rules for each area type.
    source : str, optional
        Name of the input (file) for error messages.
    missing_rule : {'nan', 'zero', 'error'}
        What an area gets when the profile has no rule for its area type (e.g. Suizhou's old
        areas, 「按标补齐」 with no figure): NaN (default), 0, or an error.
    use_profile_elderly_share : bool
        Where a row has no ``elderly_share``, use the profile's ``elderly_share_60plus``
        (recorded in ``elderly_source``); otherwise leave ``elderly_population`` NaN.

    Returns
    -------
    Same type as ``areas``
        A copy with ``population`` (filled: given, else households × persons per household,
        else floor area / floor area per person), ``population_source``, ``households``
        (given, else population / persons per household), ``households_source``,
        ``childcare_places_required`` (population / 1000 × rule), ``childcare_rule`` (rule id),
        ``eldercare_area_required_m2`` (households / 100 × rule), ``eldercare_rule``,
        ``elderly_share_used``, ``elderly_population``, ``elderly_source``. Requirements are
        not rounded.

    Raises
    ------
    errors.InputError
        Every problem at once, naming the rows: population that is missing with neither
        households nor floor area to derive it from, negative or non-numeric population /
        households / floor area, unknown area types, elderly shares outside 0–1, and (with
        ``missing_rule='error'``) area types the profile has no rule for.
    """
    if missing_rule not in ("nan", "zero", "error"):
        raise ValueError(f"missing_rule must be 'nan', 'zero' or 'error', got {missing_rule!r}")
    c = ProblemCollector(source=source)
    out = areas.copy()
    ids = np.asarray(row_ids(out), dtype=object)
    n = len(out)

    pop = numeric_column(out, "population", c)
    hh = numeric_column(out, "households", c)
    floor = numeric_column(out, "floor_area_m2", c)
    share = numeric_column(out, "elderly_share", c, maximum=1.0)

    if "area_type" not in out.columns:
        c.add("column is missing (each area must be 'new' or 'old')", field="area_type")
        area_type = pd.Series([None] * n, index=out.index, dtype=object)
    else:
        area_type = out["area_type"].astype(object)
        bad = ~area_type.isin(AREA_TYPES).to_numpy()
        if bad.any():
            shown = ", ".join(f"{i}={v!r}" for i, v in zip(ids[bad], area_type[bad], strict=True))
            c.add(f"area type must be 'new' or 'old': {shown}", rows=list(ids[bad]),
                  field="area_type")

    pph_p = profile.parameter("persons_per_household")
    fa_p = profile.parameter("floor_area_per_person_m2")
    pph, fa = pph_p.value, fa_p.value

    has_pop = pop.notna() & (pop >= 0)
    has_hh = hh.notna() & (hh >= 0)
    has_floor = floor.notna() & (floor >= 0)
    nothing = ~(has_pop | has_hh | has_floor) & ~(pop < 0) & ~(hh < 0) & ~(floor < 0)
    if nothing.any():
        c.add("population is missing and there are no households or floor_area_m2 to derive "
              "it from", rows=list(ids[nothing.to_numpy()]), field="population")

    # rules by area type
    rules: dict[str, dict[str, Any]] = {}
    for at in AREA_TYPES:
        rules[at] = {
            "childcare": profile.rule("childcare_places_per_1000", service="childcare",
                                      area_type=at),
            "eldercare": profile.rule("eldercare_area_per_100_households", service="eldercare",
                                      area_type=at),
        }
    if missing_rule == "error":
        present = set(area_type[area_type.isin(AREA_TYPES)])
        for at in sorted(present):
            for svc, kind in (("childcare", "childcare_places_per_1000"),
                              ("eldercare", "eldercare_area_per_100_households")):
                if rules[at][svc] is None:
                    rows = list(ids[(area_type == at).to_numpy()])
                    c.add(f"profile '{profile.id}' has no {kind} rule for {at} areas",
                          rows=rows, field="area_type")
    c.raise_if_any()

    tag = f"profile {profile.id}"
    population = pop.copy()
    pop_method = pd.Series("given", index=out.index, dtype=object)
    pop_factor = pd.Series(np.nan, index=out.index, dtype=float)
    from_hh = ~has_pop & has_hh
    population[from_hh] = hh[from_hh] * pph
    pop_method[from_hh] = "households"
    pop_factor[from_hh] = pph
    from_floor = ~has_pop & ~has_hh & has_floor
    population[from_floor] = floor[from_floor] / fa
    pop_method[from_floor] = "floor_area"
    pop_factor[from_floor] = fa

    households = hh.copy()
    hh_method = pd.Series("given", index=out.index, dtype=object)
    hh_factor = pd.Series(np.nan, index=out.index, dtype=float)
    derive_hh = ~has_hh
    households[derive_hh] = population[derive_hh] / pph
    hh_method[derive_hh] = "population"
    hh_factor[derive_hh] = pph

    fill = 0.0 if missing_rule == "zero" else np.nan
    cc_req = pd.Series(fill, index=out.index, dtype=float)
    cc_rule = pd.Series(None, index=out.index, dtype=object)
    ec_req = pd.Series(fill, index=out.index, dtype=float)
    ec_rule = pd.Series(None, index=out.index, dtype=object)
    for at in AREA_TYPES:
        mask = area_type == at
        r = rules[at]["childcare"]
        if r is not None:
            cc_req[mask] = population[mask] / 1000.0 * r.value
            cc_rule[mask] = r.id
        r = rules[at]["eldercare"]
        if r is not None:
            ec_req[mask] = households[mask] / 100.0 * r.value
            ec_rule[mask] = r.id

    share_used = share.copy()
    el_src = pd.Series(None, index=out.index, dtype=object)
    el_src[share.notna()] = "elderly_share"
    if use_profile_elderly_share:
        default = profile.param("elderly_share_60plus")
        share_used[share.isna()] = default
        el_src[share.isna()] = f"{tag}: elderly_share_60plus={default:g}"

    out["population"] = population.astype(float)
    out["population_method"] = pop_method
    out["population_factor"] = pop_factor
    out["population_source"] = pop_method  # the code, kept for readers of the first release
    out["households"] = households.astype(float)
    out["households_method"] = hh_method
    out["households_factor"] = hh_factor
    out["households_source"] = hh_method
    out["childcare_places_required"] = cc_req
    out["childcare_rule"] = cc_rule
    out["eldercare_area_required_m2"] = ec_req
    out["eldercare_rule"] = ec_rule
    out["elderly_share_used"] = share_used.astype(float)
    out["elderly_population"] = (population * share_used).astype(float)
    out["elderly_source"] = el_src
    out.attrs.setdefault("demand_profile", profile.id)
    out.attrs["warnings"] = implausible(out)
    out.attrs["persons_per_household"] = pph_p.describe()
    return out


#: The profile parameter behind each derivation method.
METHOD_PARAMETER = {"households": "persons_per_household", "floor_area": "floor_area_per_person_m2",
                    "population": "persons_per_household"}


def population_message(method: str, factor: float | None, profile_id: str) -> Message:
    """How a population figure was obtained, as a message (``given``, ``households×2.62 …``)."""
    if method == "households":
        return Message("policy.population_households", {
            "factor": float(factor or 0.0), "profile": profile_id,
            "param": METHOD_PARAMETER[method]})
    if method == "floor_area":
        return Message("policy.population_floor_area", {
            "factor": float(factor or 0.0), "profile": profile_id,
            "param": METHOD_PARAMETER[method]})
    return Message("policy.population_given")


def households_message(method: str, factor: float | None, profile_id: str) -> Message:
    """How a households figure was obtained, as a message."""
    if method == "population":
        return Message("policy.households_population", {
            "factor": float(factor or 0.0), "profile": profile_id,
            "param": METHOD_PARAMETER[method]})
    return Message("policy.population_given")


__all__ = ["AREA_TYPES", "DEMAND_COLUMNS", "InputError", "compute_demand", "households_message",
           "numeric_column", "parse_number_list", "population_message", "row_ids"]
