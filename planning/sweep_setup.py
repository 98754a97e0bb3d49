"""What a sweep's scenarios share: the varied parameters, their combinations, the requirements
under each set of rates and the walking times computed once (see :mod:`planning.sweep`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import pandas as pd

from core.messages import Message, Quantity
from errors import InputError, PlanningError
from geo import DEFAULT_REACH, Reach, travel_times
from planning.demand import compute_demand
from planning.params import ScenarioParams
from planning.run_demand import profile_for
from planning.sites import joint_site_table, site_table

#: The two sides of a travel-time table, as :mod:`geo.unreached` names them.
SIDES = ("origins", "destinations")


@dataclass(frozen=True)
class Varied:
    """One parameter a sweep can vary: what it sets and what values it takes."""

    name: str
    #: ``'param'`` (a :class:`ScenarioParams` field) or ``'rate'`` (a profile rule's value)
    target: str
    #: the ScenarioParams field, or the rule kind
    field: str
    #: ``'positive'`` (a number > 0) or ``'count'`` (a whole number >= 1)
    kind: str = "positive"
    #: area types a rate applies to
    area_types: tuple[str, ...] = ()


_RATES = {"childcare_per_1000": "childcare_places_per_1000",
          "eldercare_per_100_households": "eldercare_area_per_100_households"}

#: Every parameter ``--vary`` accepts, by name.
VARY: dict[str, Varied] = {
    "budget": Varied("budget", "param", "budget"),
    "p": Varied("p", "param", "p", "count"),
    "minutes": Varied("minutes", "param", "minutes"),
    "speed": Varied("speed", "param", "speed_m_per_min"),
    # developments count from their completion year by the occupancy ramp (run_demand)
    "target_year": Varied("target_year", "param", "target_year", "count"),
    **{f"{name}{suffix}": Varied(f"{name}{suffix}", "rate", kind, "positive", types)
       for name, kind in _RATES.items()
       for suffix, types in (("", ("new", "old", "any")), ("_new", ("new",)),
                             ("_old", ("old",)))},
}

#: Environment of local Dask workers: one thread per numeric library, glibc's own malloc
#: trimming (Dask's default ``MALLOC_TRIM_THRESHOLD_=65536`` doubles the time to build a model).
WORKER_ENVIRON = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}

#: Most combinations a sweep runs unless asked for more.
MAX_RUNS = 400

#: Called after every finished run with (runs done, runs in all, the finished row).
SweepProgress = Callable[[int, int, dict[str, Any]], None]


def parse_vary(specs: Sequence[str]) -> dict[str, list[float | int]]:
    """``["budget=1e6,2e6", "minutes=10,15"]`` → ``{"budget": [1e6, 2e6], "minutes": [...]}``.

    Raises
    ------
    errors.InputError
        Naming every malformed, unknown, repeated or out-of-range entry at once.
    """
    problems: list[Message] = []
    out: dict[str, list[float | int]] = {}
    if not specs:
        problems.append(Message("sweep.vary_none"))
    for spec in specs:
        name, sep, values = spec.partition("=")
        name = name.strip()
        items = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not name or not items:
            problems.append(Message("sweep.vary_syntax", {"value": spec}))
            continue
        if name not in VARY:
            problems.append(Message("sweep.vary_unknown",
                                    {"name": name, "choices": sorted(VARY)}))
            continue
        if name in out:
            problems.append(Message("sweep.vary_twice", {"name": name}))
            continue
        kind = VARY[name].kind
        parsed: list[float | int] = []
        for item in items:
            try:
                v = float(item)
            except ValueError:
                v = math.nan
            ok = math.isfinite(v) and v > 0 and (kind != "count" or v == int(v))
            if not ok:
                problems.append(Message("sweep.vary_value", {
                    "name": name, "value": item, "kind": Message(f"sweep.kind_{kind}")}))
                continue
            parsed.append(int(v) if kind == "count" else v)
        out[name] = parsed
    if problems:
        raise InputError(problems, source="--vary")
    return out


def combinations(vary: Mapping[str, Sequence[float | int]]) -> list[dict[str, float | int]]:
    """Every combination of the varied values, the first name varying slowest."""
    names = list(vary)
    return [dict(zip(names, values, strict=True))
            for values in itertools.product(*(vary[n] for n in names))]


def scenario_params(base: ScenarioParams, combo: Mapping[str, Any]) -> ScenarioParams:
    """``base`` with the combination's scenario parameters (rates go to the profile)."""
    changes = {VARY[k].field: v for k, v in combo.items() if VARY[k].target == "param"}
    return replace(base, **changes)


def rates_of(combo: Mapping[str, Any]) -> tuple[tuple[str, float], ...]:
    """The combination's provision rates, as a hashable key."""
    return tuple((k, float(v)) for k, v in combo.items() if VARY[k].target == "rate")


def profile_with_rates(profile: Any, rates: Sequence[tuple[str, float]]) -> Any:
    """``profile`` with the rules behind the varied rates set to the given values.

    Raises
    ------
    errors.InputError
        When the profile has no rule of that kind for an area type named (``_new`` / ``_old``).
    """
    if not rates:
        return profile
    rules = list(profile.rules)
    problems: list[Message] = []
    for name, value in rates:
        v = VARY[name]
        hit = False
        for k, r in enumerate(rules):
            if r.kind == v.field and r.area_type in v.area_types:
                rules[k] = replace(r, value=float(value))
                hit = True
        if not hit:
            problems.append(Message("sweep.rate_missing", {
                "profile": profile.id, "kind": v.field, "area_type": "/".join(v.area_types),
                "name": name}))
    if problems:
        raise InputError(problems, source="--vary")
    return replace(profile, rules=tuple(rules))


# --------------------------------------------------------------------------- shared data

@dataclass
class SharedTimes:
    """Walking times computed once, read like :func:`geo.access.travel_times`.

    ``tables`` maps the tuple of destination ids of a site table to its pairs
    (``origin_id``, ``destination_id``, ``distance_m``) from every area, at the widest reach
    of the sweep. Called with the arguments of :func:`geo.access.travel_times`, it returns
    the pairs within that call's cutoff, with ``minutes`` at that call's speed, and the
    reasons of what reaches nothing (``attrs['unreached']``, :mod:`geo.unreached`) as a
    search with that cutoff gives them: the reasons that do not depend on the limit
    (off the network, an isolated fragment, nothing of the other side) as the wide search
    found them, and ``beyond_limit`` at this call's minutes for every other feature left
    without a pair.
    """

    origin_ids: tuple[str, ...]
    tables: dict[tuple[str, ...], pd.DataFrame] = field(default_factory=dict)
    method: str = "network"
    unsnapped: dict[tuple[str, ...], dict[str, list[Any]]] = field(default_factory=dict)
    #: the wide search's ``attrs['unreached']`` per site table (absent: none were given)
    unreached: dict[tuple[str, ...], list[dict[str, Any]]] = field(default_factory=dict)

    def __call__(self, network: Any, origins: pd.DataFrame, destinations: pd.DataFrame, *,
                 reach: Reach = DEFAULT_REACH, **_: Any) -> pd.DataFrame:
        key = tuple(destinations["id"].astype(str))
        if key not in self.tables or tuple(origins["id"].astype(str)) != self.origin_ids:
            raise PlanningError("walking times asked for areas or sites the sweep did not "
                                "compute (a programming error)")
        pairs = self.tables[key]
        minutes, speed_m_per_min = reach.minutes, reach.speed_m_per_min
        cutoff_m = reach.metres
        sel = pairs[pairs["distance_m"].to_numpy() <= cutoff_m]
        dist = sel["distance_m"].to_numpy()
        out = pd.DataFrame({"origin_id": sel["origin_id"].to_numpy(),
                            "destination_id": sel["destination_id"].to_numpy(),
                            "minutes": dist / speed_m_per_min, "distance_m": dist})
        out.attrs.update({"method": self.method, "minutes": float(minutes),
                          "speed_m_per_min": float(speed_m_per_min), "cutoff_m": cutoff_m,
                          "unsnapped": self.unsnapped.get(key, {"origins": [],
                                                                "destinations": []})})
        if key in self.unreached:
            out.attrs["unreached"] = unreached_within(
                self.unreached[key], (_py_ids(origins), _py_ids(destinations)),
                (set(out["origin_id"]), set(out["destination_id"])), float(minutes))
        return out


def _py_ids(frame: pd.DataFrame) -> list[Any]:
    """The ids of a table as plain Python values (as :mod:`geo.unreached` records them)."""
    return frame["id"].tolist()


def unreached_within(wide: Sequence[Mapping[str, Any]],
                     ids: tuple[Sequence[Any], Sequence[Any]],
                     in_pairs: tuple[set[Any], set[Any]], minutes: float,
                     ) -> list[dict[str, Any]]:
    """The unreached records of a search with a shorter limit, from a wider search's.

    Parameters
    ----------
    wide : list of dict
        ``attrs['unreached']`` of the wide search (:mod:`geo.unreached`).
    ids : pair of sequences
        Origin and destination ids, in the order of the table.
    in_pairs : pair of sets
        The origin and destination ids that are in a pair within the shorter limit.
    minutes : float
        The shorter walking limit.

    Returns
    -------
    list of dict
        Per side in id order: the wide record where its reason does not depend on the limit,
        else ``beyond_limit`` at ``minutes``.
    """
    fixed = {(r["side"], str(r["id"])): r for r in wide if r["kind"] != "beyond_limit"}
    out: list[dict[str, Any]] = []
    for side, side_ids, reached in zip(SIDES, ids, in_pairs, strict=True):
        seen = {str(i) for i in reached}
        for i in side_ids:
            if str(i) in seen:
                continue
            rec = fixed.get((side, str(i)))
            out.append(dict(rec) if rec is not None else {
                "side": side, "id": i, "kind": "beyond_limit",
                "reason": Message(f"geo.unreached.beyond_limit_{side}",
                                  {"minutes": Quantity(minutes, "minutes", 1)})})
    return out


@dataclass
class SweepData:
    """What every scenario of a sweep reads: layers, profiles, requirements and times."""

    areas: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame | None
    candidates: gpd.GeoDataFrame | None
    profiles: dict[tuple[tuple[str, float], ...], Any]
    demand: dict[tuple[tuple[str, float], ...], gpd.GeoDataFrame]
    times: SharedTimes


def widest_reach_m(base: ScenarioParams, combos: Sequence[Mapping[str, Any]],
                   profile: Any) -> float:
    """The longest walk (metres) any scenario of the sweep allows for any of its services."""
    return max(p.reach(profile, s).metres
               for p in (scenario_params(base, c) for c in combos) for s in p.services)


def prepare(*, areas: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame | None,
            candidates: gpd.GeoDataFrame | None, network: Any | None, profile: Any,
            base: ScenarioParams, combos: Sequence[Mapping[str, Any]]) -> SweepData:
    """Compute once what the sweep's scenarios share (see the module notes).

    Raises
    ------
    errors.InputError
        Bad parameters of any combination, or a rate the profile has no rule for.
    """
    problems = []
    for c in combos:
        try:
            scenario_params(base, c).validate()
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems, source="scenario parameters")
    profile = profile_for(profile, base)  # the planner's figures, as run_scenario applies them
    profiles = {key: profile_with_rates(profile, key)
                for key in dict.fromkeys(rates_of(c) for c in combos)}
    demand = {key: compute_demand(areas, prof) for key, prof in profiles.items()}
    first = next(iter(demand.values()))
    # the site tables do not depend on the rates; every scenario's services, joint or not
    services = sorted({s for c in combos for s in scenario_params(base, c).services})
    tables = {s: site_table(facilities, candidates, service=s, profile=profile,
                            candidate_ids=base.candidate_ids, areas=first) for s in services}
    destinations = list(tables.values())
    if base.service == "both" and base.joint and any(
            scenario_params(base, c).objective == "min_cost" for c in combos):
        destinations.append(joint_site_table(tables))
    reach = widest_reach_m(base, combos, profile)
    speed = 60.0  # any speed: only distances are kept
    shared = SharedTimes(origin_ids=tuple(first["id"].astype(str)))
    for dest in destinations:
        key = tuple(dest["id"].astype(str))
        if key in shared.tables:
            continue
        pairs = travel_times(network, first, dest,
                             reach=Reach(reach / speed * (1 + 1e-9), speed),
                             fallback=network is None, drop_unsnapped=True)
        shared.tables[key] = pairs[["origin_id", "destination_id", "distance_m"]].copy()
        shared.method = pairs.attrs.get("method", shared.method)
        shared.unsnapped[key] = pairs.attrs.get("unsnapped", {})
        if "unreached" in pairs.attrs:  # why areas reach nothing: unmet reasons and notes
            shared.unreached[key] = list(pairs.attrs["unreached"])
    return SweepData(areas=areas, facilities=facilities, candidates=candidates,
                     profiles=profiles, demand=demand, times=shared)


