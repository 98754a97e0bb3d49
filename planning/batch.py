"""Many places at once: every city or county of a manifest planned as one Dask task.

A province checks all its cities and counties against the same rules. The manifest (TOML)
lists the places, each with its profile, areas, sites and network, and what the scenario
asks; ``[defaults]`` holds what they share::

    [defaults]
    service = "both"            # childcare | eldercare | both
    objective = "min-cost"      # min-cost | max-coverage | min-time
    # budget, p, minutes, speed, gap, time_limit, solver, allow_unmet, side_rules

    [[places]]
    name = "shushan"            # letters, digits, Chinese characters, - and _
    profile = "hefei"
    areas = "shushan/areas.gpkg"            # paths relative to the manifest
    sites = "shushan/sites.gpkg"            # existing (status existing) and candidate sites
    network = "shushan/streets.osm"         # or straight_line = true
    # crs, areas_layer, sites_layer, and any key of [defaults] for this place only

    [[places]]
    name = "demo"
    demo = true                 # the embedded demo district

:func:`read_manifest` checks the whole manifest (every problem at once) before anything
runs. :func:`run_batch` runs :func:`plan_place` per place on a Dask client — the files are
read by the worker, so a real cluster needs them on a path every worker sees — and returns
the outcomes in the manifest's order; a place that fails is reported in its outcome and the
others finish. :func:`summary_row` gives the one line per place of the summary table
(indicators, cost, coverage and status).
"""

from __future__ import annotations

import re
import time
import tomllib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.messages import Message
from core.vocab import OBJECTIVE_CLI, OBJECTIVES, SERVICE_CHOICES, SERVICE_UNITS
from errors import InputError, PlanningError, Problem
from planning.params import ScenarioParams

#: Keys of a place besides the scenario's.
PLACE_KEYS = ("name", "profile", "demo", "areas", "sites", "network", "straight_line", "crs",
              "areas_layer", "sites_layer")
#: Scenario keys of a place or of ``[defaults]``, and the ScenarioParams field of each.
SCENARIO_KEYS = {"service": "service", "objective": "objective", "budget": "budget",
                 "p": "p", "minutes": "minutes", "speed": "speed_m_per_min", "gap": "gap",
                 "time_limit": "time_limit", "solver": "solver", "allow_unmet": "allow_unmet",
                 "side_rules": "side_rules"}
_NAME = re.compile(r"^[\w\-]+$")

#: Called after every finished place with (places done, places in all, the outcome).
BatchProgress = Callable[[int, int, "PlaceOutcome"], None]


@dataclass(frozen=True)
class Place:
    """One place of the manifest, checked: where its layers are and what it asks."""

    name: str
    profile: str
    params: ScenarioParams
    demo: bool = False
    areas: Path | None = None
    sites: Path | None = None
    network: Path | None = None
    crs: str | None = None
    areas_layer: str | None = None
    sites_layer: str | None = None


@dataclass
class PlaceOutcome:
    """What planning one place gave: its run, or the error that stopped it."""

    name: str
    profile: str
    run: Any | None = None
    error: dict[str, Any] | None = None
    seconds: float = 0.0
    notes: list[Message] = field(default_factory=list)


def _scenario(values: dict[str, Any], index: int, problems: list[Problem]) -> ScenarioParams:
    kw: dict[str, Any] = {"allow_unmet": True}
    for key, value in values.items():
        name = SCENARIO_KEYS[key]
        if key == "objective" and isinstance(value, str):
            value = OBJECTIVE_CLI.get(value, value)
        ok = {"service": lambda v: v in SERVICE_CHOICES,
              "objective": lambda v: v in OBJECTIVES,
              "p": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
              "allow_unmet": lambda v: isinstance(v, bool),
              "side_rules": lambda v: isinstance(v, bool),
              "solver": lambda v: v in ("highs", "cbc")}.get(
                  key, lambda v: isinstance(v, int | float) and not isinstance(v, bool)
                  and v > 0)
        if not ok(value):
            problems.append(Problem(Message("sweep.manifest_value", {
                "index": index, "key": key, "value": value})))
            continue
        kw[name] = float(value) if name in ("budget", "minutes", "speed_m_per_min", "gap",
                                           "time_limit") else value
    params = ScenarioParams(**kw)
    try:
        params.validate()
    except InputError as exc:
        problems.extend(exc.problems)
    return params


def read_manifest(path: str | Path) -> list[Place]:
    """The places of a manifest, every one checked (see the module notes).

    Raises
    ------
    errors.InputError
        Every problem of the manifest at once: TOML syntax, missing or unknown keys, bad
        values, duplicate names, files that do not exist, unknown profiles.
    """
    from planning.profiles import DEFAULT_PROFILE, load_profile

    path = Path(path)
    src = str(path)
    if not path.is_file():
        raise InputError([Message("sweep.manifest_missing", {"path": src})], source=src)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Message("sweep.manifest_toml", {"error": str(exc)})],
                         source=src) from exc
    problems: list[Problem] = []
    defaults = doc.get("defaults", {}) or {}
    bad_defaults = sorted(set(defaults) - set(SCENARIO_KEYS))
    if bad_defaults:
        problems.append(Problem(Message("sweep.manifest_unknown_key", {
            "index": "defaults", "keys": bad_defaults, "choices": sorted(SCENARIO_KEYS)})))
    entries = doc.get("places")
    if not isinstance(entries, list) or not entries:
        raise InputError([Message("sweep.manifest_no_places")], source=src)
    places: list[Place] = []
    seen: set[str] = set()
    for k, entry in enumerate(entries, start=1):
        unknown = sorted(set(entry) - set(PLACE_KEYS) - set(SCENARIO_KEYS))
        if unknown:
            problems.append(Problem(Message("sweep.manifest_unknown_key", {
                "index": k, "keys": unknown,
                "choices": sorted({*PLACE_KEYS, *SCENARIO_KEYS})})))
        name = str(entry.get("name", ""))
        if not name:
            problems.append(Problem(Message("sweep.manifest_key", {"index": k, "key": "name"})))
        elif not _NAME.match(name):
            problems.append(Problem(Message("sweep.manifest_name", {"name": name})))
        elif name in seen:
            problems.append(Problem(Message("sweep.manifest_duplicate", {"name": name})))
        seen.add(name)
        demo = bool(entry.get("demo", False))
        files: dict[str, Path | None] = {}
        for key in ("areas", "sites", "network"):
            v = entry.get(key)
            files[key] = None if v is None else (path.parent / str(v)).resolve()
            if files[key] is not None and not files[key].exists():  # type: ignore[union-attr]
                problems.append(Problem(Message("sweep.file_missing", {
                    "flag": f"{name or k}: {key}", "path": str(files[key])})))
        straight = bool(entry.get("straight_line", False))
        if not demo:
            for key in ("profile", "areas", "sites"):
                if entry.get(key) is None:
                    problems.append(Problem(Message("sweep.manifest_key",
                                                    {"index": k, "key": key})))
            if files["network"] is None and not straight:
                problems.append(Problem(Message("sweep.manifest_key",
                                                {"index": k, "key": "network / straight_line"})))
        profile = str(entry.get("profile") or DEFAULT_PROFILE)
        try:
            load_profile(profile)
        except InputError as exc:
            problems.extend(exc.problems)
        scenario = {key: v for key, v in {**defaults, **entry}.items() if key in SCENARIO_KEYS}
        params = _scenario(scenario, k, problems)
        places.append(Place(
            name=name, profile=profile, params=params, demo=demo, areas=files["areas"],
            sites=files["sites"],
            network=None if straight else (files["network"] if not demo or files["network"]
                                           else _demo_network()),
            crs=entry.get("crs"), areas_layer=entry.get("areas_layer"),
            sites_layer=entry.get("sites_layer")))
    if problems:
        raise InputError(problems, source=src)
    return places


def _demo_network() -> Path:
    from geo import demo_paths

    return demo_paths()["network"]


def _layers(place: Place) -> tuple[Any, Any, Any]:
    """(areas, existing facilities, candidate sites) of a place, read and validated."""

    if place.demo:
        from geo import load_demo

        d = load_demo()
        return d["areas"], d["facilities"], d["candidates"]
    from geo import read_areas, read_facilities

    assert place.areas is not None and place.sites is not None  # checked by read_manifest
    areas = read_areas(place.areas, crs=place.crs, layer=place.areas_layer)
    sites = read_facilities(place.sites, crs=place.crs, layer=place.sites_layer,
                            require_status=True)
    from planning.sites import split_sites

    existing, candidates = split_sites(sites, source=str(place.sites))
    return areas, existing, candidates


def plan_place(place: Place) -> PlaceOutcome:
    """Read one place's layers and network and run its scenario (a Dask task).

    Never raises for the place's own error: it is reported in the outcome.
    """
    from planning.profiles import load_profile
    from planning.runs import run_scenario
    from planning.sweep import error_json

    t0 = time.perf_counter()
    out = PlaceOutcome(name=place.name, profile=place.profile)
    try:
        profile = load_profile(place.profile)
        areas, existing, candidates = _layers(place)
        network = None
        if place.network is not None:
            import pandas as pd
            import shapely

            from geo import WGS84, load_network

            reach = max(place.params.reach(profile, s).metres for s in place.params.services)
            layers = [g for g in (areas, existing, candidates) if g is not None and len(g)]
            box = shapely.box(*pd.concat([g.to_crs(WGS84).geometry
                                          for g in layers]).total_bounds)
            network = load_network(place.network, clip=box, margin_m=reach + 200.0,
                                   crs=place.crs)
        out.run = run_scenario(areas=areas, facilities=existing, candidates=candidates,
                               network=network, profile=profile, params=place.params)
    except Exception as exc:  # noqa: BLE001 - reported in the place's row; the others go on
        out.error = error_json(exc)
    out.seconds = time.perf_counter() - t0
    return out


def run_batch(places: Sequence[Place], *, client: Any | None = None,
              workers: int | None = None, scheduler: str | None = None,
              progress: BatchProgress | None = None) -> list[PlaceOutcome]:
    """Plan every place, one Dask task each; outcomes in the order of ``places``.

    ``client``, ``workers`` and ``scheduler`` as for :func:`planning.sweep.run_sweep`
    (``workers=0``: one after another in this process).
    """
    from planning.sweep import dask_client, error_json

    done: list[PlaceOutcome | None] = [None] * len(places)

    def finished(i: int, outcome: PlaceOutcome) -> None:
        done[i] = outcome
        if progress is not None:
            progress(sum(o is not None for o in done), len(done), outcome)

    def submit(c: Any) -> None:
        from distributed import as_completed

        tag = uuid.uuid4().hex[:8]
        futures = {c.submit(plan_place, p, pure=False, key=f"batch-{tag}-{i}"): i
                   for i, p in enumerate(places)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker: reported in the row
                outcome = PlaceOutcome(name=places[i].name, profile=places[i].profile,
                                       error=error_json(PlanningError(Message(
                                           "sweep.worker_lost",
                                           {"error": f"{type(exc).__name__}: {exc}"}))))
            finished(i, outcome)

    if client is None and scheduler is None and workers == 0:
        for i, p in enumerate(places):
            finished(i, plan_place(p))
    elif client is not None:
        submit(client)
    else:
        with dask_client(workers=workers, scheduler=scheduler) as own:
            submit(own)
    return [o for o in done if o is not None]


def summary_row(outcome: PlaceOutcome, place: Place) -> dict[str, Any]:
    """One line of the summary table: status, cost, coverage and indicators per service."""
    row: dict[str, Any] = {"place": outcome.name, "profile": outcome.profile,
                           "service": place.params.service,
                           "objective": place.params.objective}
    if outcome.run is None:
        err = outcome.error or {}
        return row | {"status": "failed", "proven_optimal": False,
                      "seconds": round(outcome.seconds, 3), "error": err.get("text")}
    run = outcome.run
    total = run.indicators["total"]
    solves = list(run.solver.values())
    row |= {"status": total.get("status"),
            "proven_optimal": all(bool(s["proven_optimal"]) for s in solves),
            "gap": total.get("gap"), "cost_yuan": total.get("cost"),
            "new_sites": total.get("sites"), "share_covered": total.get("share_covered"),
            "method": run.method}
    for s in place.params.services:
        ind = run.indicators[s]
        unit = SERVICE_UNITS[s]
        req = float(ind.get("required") or 0.0)
        left = ind.get("unmet")  # None where the run found no plan
        row[f"{s}_required_{unit}"] = req
        row[f"{s}_unmet_{unit}"] = left
        row[f"{s}_covered_share"] = ((req - float(left)) / req if req > 0 and left is not None
                                     else None)
        row[f"{s}_new_{unit}"] = ind.get("new_capacity")
        row[f"{s}_{unit}_per_1000_residents"] = ind.get("per_1000")
    row["seconds"] = round(outcome.seconds, 3)
    row["error"] = None
    return row


def summary_table(rows: Sequence[dict[str, Any]]) -> Any:
    """The summary rows as a table: the places' columns first, time and error last."""
    import pandas as pd

    table = pd.DataFrame(list(rows))
    last = [c for c in ("seconds", "error") if c in table.columns]
    return table[[c for c in table.columns if c not in last] + last]
