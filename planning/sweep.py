"""Scenario sweeps: one scenario per combination of varied parameters, run as Dask tasks.

A bureau comparing budgets, numbers of sites, walking limits or provision rates asks many
questions of the same city at once. :func:`run_sweep` expands the ``--vary`` lists into
their combinations (:func:`combinations`, the first name varying slowest), computes what the
scenarios share once in this process — the requirements of every area under each rate
variant (:func:`planning.demand.compute_demand`) and the walking times from every area to
every site at the widest reach of the sweep (:func:`geo.access.travel_times`) — scatters
them to the workers of a :mod:`dask.distributed` client, and runs each scenario as one task
through :func:`planning.runs.run_scenario` (which reads the shared times through
:class:`SharedTimes` instead of searching the network again). Rows come back in the order of
the combinations whatever order the tasks finish in; a scenario that fails is reported in
its row (``status`` ``'failed'`` and the error as a message) and the others finish.

Why the results do not depend on the workers
    Every task runs the same code on the same data: the times of a scenario are the shared
    pairs within its own cutoff (``distance_m <= minutes × speed``, minutes recomputed as
    ``distance_m / speed``), exactly what a search with that cutoff returns, since shortest
    distances within a cutoff do not depend on how far the search went on. A sweep on one
    worker, on two, on a remote scheduler, or one by one in this process (``workers=0``)
    therefore gives the same rows as :func:`planning.runs.run_scenario` called once per
    combination with the network — except runs stopped by their time limit (status
    ``'feasible'``, not proven), whose best plan so far depends on how fast the worker was.

Parameters that can vary (:data:`VARY`)
    ``budget`` (yuan), ``p`` (new sites), ``minutes`` (service circle), ``speed`` (m/min),
    ``childcare_per_1000`` (托位 per 1000 residents, every area type; ``_new`` / ``_old`` for
    one area type) and ``eldercare_per_100_households`` (m² of elder-care floor area per 100
    households; ``_new`` / ``_old``). The rates change the profile's rules for the run only;
    the requirements are computed once per distinct set of rates.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import pandas as pd

from core.messages import Message
from core.vocab import SERVICE_UNITS
from errors import InputError, PlanningError
from planning.params import ScenarioParams
from planning.sweep_setup import (  # what the scenarios of a sweep share
    MAX_RUNS,
    VARY,
    WORKER_ENVIRON,
    SharedTimes,
    SweepData,
    SweepProgress,
    Varied,
    combinations,
    parse_vary,
    prepare,
    profile_with_rates,
    rates_of,
    scenario_params,
    widest_reach_m,
)

# --------------------------------------------------------------------------- one run

def error_json(exc: BaseException) -> dict[str, Any]:
    """An error as JSON: its type and message (code, arguments, English text)."""
    msg = exc.message if isinstance(exc, PlanningError) else None
    if isinstance(msg, Message):
        return {"type": type(exc).__name__, **msg.to_json()}
    if isinstance(exc, InputError):
        return {"type": type(exc).__name__, "code": None, "args": {},
                "text": exc.render("en"), "problems": [p.to_json() for p in exc.problems]}
    return {"type": type(exc).__name__, "code": None, "args": {}, "text": str(exc)}


def failed_row(index: int, combo: Mapping[str, Any], exc: BaseException,
               seconds: float = 0.0) -> dict[str, Any]:
    """The row of a run that failed: its parameters, status ``'failed'`` and the error."""
    return {"index": index, "params": dict(combo), "status": "failed",
            "proven_optimal": False, "gap": None, "objective": None, "cost": None,
            "covered_share": {}, "unmet": {}, "required": {}, "sites": None,
            "proposed_sites": {}, "notes": [],
            "seconds": round(seconds, 3), "error": error_json(exc)}


def _number(v: Any, kind: type = float) -> Any:
    """``v`` as a number of ``kind``, or None where it is missing."""
    return None if v is None else kind(v)


def run_row(run: Any, index: int, combo: Mapping[str, Any], seconds: float) -> dict[str, Any]:
    """The sweep row of a finished :class:`planning.runs.ScenarioRun`."""
    solves = list(run.solver.values())
    statuses = sorted({s["status"] for s in solves})
    gaps = [s["gap"] for s in solves if s.get("gap") is not None]
    services = [s for s in run.indicators if s != "total"]
    covered: dict[str, float | None] = {}
    unmet: dict[str, dict[str, Any]] = {}
    required: dict[str, dict[str, Any]] = {}
    for s in services:
        ind = run.indicators[s]
        req = float(ind.get("required") or 0.0)
        left = _number(ind.get("unmet"))  # None where a run found no plan
        covered[s] = (req - left) / req if req > 0 and left is not None else None
        unmet[s] = {"value": left, "unit": SERVICE_UNITS[s]}
        required[s] = {"value": req, "unit": SERVICE_UNITS[s]}
    proposed = run.sites[run.sites["status"] == "proposed"] if len(run.sites) else run.sites
    return {
        "index": index, "params": dict(combo),
        "status": statuses[0] if len(statuses) == 1 else ", ".join(statuses),
        "proven_optimal": all(bool(s["proven_optimal"]) for s in solves),
        "gap": max(gaps) if gaps else None,
        "objective": solves[0]["objective"] if len(solves) == 1 else None,
        "cost": _number(run.indicators["total"].get("cost")),
        "covered_share": covered, "unmet": unmet, "required": required,
        "sites": _number(run.indicators["total"].get("sites"), int),
        "proposed_sites": {s: sorted(proposed.loc[proposed["service"] == s, "id"].astype(str))
                           for s in services},
        "notes": [n.to_json() for n in run.notes if isinstance(n, Message)],
        "seconds": round(seconds, 3),
    }


def run_one(data: SweepData, index: int, combo: Mapping[str, Any],
            base: ScenarioParams) -> dict[str, Any]:
    """One scenario of the sweep on the shared data: its row (a failure is reported there).

    This is the Dask task; it never raises for a scenario's own error.
    """
    from planning.runs import run_scenario

    t0 = time.perf_counter()
    try:
        key = rates_of(combo)
        run = run_scenario(areas=data.areas, facilities=data.facilities,
                           candidates=data.candidates, network=None,
                           profile=data.profiles[key], params=scenario_params(base, combo),
                           demand=data.demand[key], travel=data.times)
    except Exception as exc:  # noqa: BLE001 - reported in the run's row; the others go on
        return failed_row(index, combo, exc, time.perf_counter() - t0)
    return run_row(run, index, combo, time.perf_counter() - t0)


# --------------------------------------------------------------------------- Dask

@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None,
                timeout: float = 10.0, processes: bool = True) -> Iterator[Any]:
    """A :class:`distributed.Client`: on the scheduler at ``scheduler``, else on a local
    cluster of ``workers`` single-threaded worker processes listening on 127.0.0.1 only
    (environment :data:`WORKER_ENVIRON`; workers of a cluster of one's own are best started
    with ``MALLOC_TRIM_THRESHOLD_`` unset too). With ``processes=False`` the workers are
    threads of this process (no process start, nothing pickled); the cluster is closed when
    the block ends, also on an error.

    Raises
    ------
    errors.InputError
        When the scheduler cannot be reached.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise InputError([Message("sweep.scheduler_unreachable",
                                      {"address": scheduler, "error": str(exc)})],
                             source="--scheduler") from exc
        try:
            yield client
        finally:
            client.close()
        return
    import dask

    # Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which makes the
    # optimiser's model building (large temporary numpy arrays) about twice as slow; keep
    # one thread per library only.
    with dask.config.set({"distributed.nanny.pre-spawn-environ": WORKER_ENVIRON}), \
            LocalCluster(n_workers=max(1, int(workers or 1)), threads_per_worker=1,
                         processes=processes,
                         # threads talk in-process; processes on 127.0.0.1 only
                         host="127.0.0.1" if processes else None, dashboard_address=None,
                         silence_logs=40) as cluster, Client(cluster) as client:
        yield client


def run_sweep(
    *,
    areas: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame | None,
    candidates: gpd.GeoDataFrame | None,
    network: Any | None,
    profile: Any,
    base: ScenarioParams,
    vary: Mapping[str, Sequence[float | int]],
    client: Any | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: SweepProgress | None = None,
    max_runs: int = MAX_RUNS,
) -> dict[str, Any]:
    """Run one scenario per combination of ``vary`` and return the sweep's JSON-able result.

    Parameters
    ----------
    areas, facilities, candidates, network, profile
        As for :func:`planning.runs.run_scenario`.
    base : ScenarioParams
        What every scenario shares (service, objective, solver, gap …).
    vary : mapping
        Parameter name (a key of :data:`VARY`) → values, e.g. from :func:`parse_vary`.
    client : distributed.Client, optional
        Run on this client. Otherwise on ``scheduler`` (``tcp://host:port``) if given, else on
        a local cluster of ``workers`` processes; ``workers=0`` runs the scenarios one by one
        in this process (no Dask).
    progress : callable(done, total, row), optional
        Called as each run finishes (in the order they finish).
    max_runs : int
        Most combinations to run.

    Returns
    -------
    dict
        ``{"base": params, "vary": {...}, "profile", "method", "seconds", "workers",
        "runs": [row, ...]}``, rows in the order of :func:`combinations`; each row has
        ``index``, ``params`` (the varied values), ``status``, ``proven_optimal``, ``gap``,
        ``objective``, ``cost`` (yuan), ``covered_share``, ``unmet`` and ``required``
        (the demand under the run's target year and rates; both ``{"value", "unit"}``) per
        service, ``notes`` (the run's notes as messages, e.g. areas alone on street
        fragments), ``sites`` (new sites), ``proposed_sites`` per service,
        ``seconds``, and ``error`` (a message) when it failed.

    Raises
    ------
    errors.InputError
        Bad parameters or too many combinations, before anything runs.
    """
    t0 = time.perf_counter()
    combos = combinations(vary)
    if len(combos) > max_runs:
        raise InputError([Message("sweep.too_many", {"n": len(combos), "limit": max_runs})],
                         source="--vary")
    data = prepare(areas=areas, facilities=facilities, candidates=candidates,
                   network=network, profile=profile, base=base, combos=combos)
    rows: list[dict[str, Any] | None] = [None] * len(combos)
    n_workers: int | None = 0

    def finished(row: dict[str, Any]) -> None:
        rows[row["index"]] = row
        if progress is not None:
            progress(sum(r is not None for r in rows), len(rows), row)

    if client is None and scheduler is None and workers == 0:
        for i, combo in enumerate(combos):
            finished(run_one(data, i, combo, base))
    elif client is not None:
        n_workers = _submit_all(client, data, combos, base, finished)
    else:
        with dask_client(workers=workers, scheduler=scheduler) as own:
            n_workers = _submit_all(own, data, combos, base, finished)
    return {
        "base": base.to_dict(), "vary": {k: list(v) for k, v in vary.items()},
        "profile": profile.id, "method": data.times.method, "workers": n_workers,
        "seconds": round(time.perf_counter() - t0, 3),
        "runs": rows,
    }


def _submit_all(client: Any, data: SweepData, combos: list[dict[str, Any]],
                base: ScenarioParams, finished: Callable[[dict[str, Any]], None]) -> int:
    """Scatter the shared data once, submit one task per combination, collect the rows."""
    from distributed import as_completed

    shared = client.scatter(data, broadcast=True, hash=False)
    tag = uuid.uuid4().hex[:8]
    futures = {client.submit(run_one, shared, i, combo, base, pure=False,
                             key=f"sweep-{tag}-{i}"): i for i, combo in enumerate(combos)}
    for fut in as_completed(futures):
        i = futures[fut]
        try:
            row = fut.result()
        except Exception as exc:  # noqa: BLE001 - a lost worker: reported in the row
            row = failed_row(i, combos[i], PlanningError(Message(
                "sweep.worker_lost", {"error": f"{type(exc).__name__}: {exc}"})))
        finished(row)
    return len(client.scheduler_info(n_workers=-1).get("workers", {}))


def summary(result: Mapping[str, Any]) -> Message:
    """How many runs finished, were proven optimal, failed, and the time taken."""
    runs = result["runs"]
    return Message("sweep.summary", {
        "done": len(runs), "proven": sum(bool(r["proven_optimal"]) for r in runs),
        "failed": sum(r["status"] == "failed" for r in runs),
        "seconds": float(result["seconds"])})


def rows_frame(result: Mapping[str, Any]) -> pd.DataFrame:
    """One line per run: the varied values, status, cost, coverage and required demand per
    service (for tables and the curve)."""
    lines = []
    for r in result["runs"]:
        line: dict[str, Any] = {**r["params"], "index": r["index"], "status": r["status"],
                                "proven_optimal": r["proven_optimal"], "gap": r["gap"],
                                "cost": r["cost"], "sites": r["sites"]}
        for s, v in r["covered_share"].items():
            line[f"{s}_covered_share"] = v
        for s, v in r.get("required", {}).items():
            line[f"{s}_required"] = v["value"]
        lines.append(line)
    return pd.DataFrame(lines)


def saved_sweep(result: Mapping[str, Any], *, name: str, profile_id: str | None) -> Any:
    """The store record of a finished sweep (``kind='sweep'``).

    Its base parameters and what varied as parameters, the whole result (rows, curve data) as
    results, no layers.

    Not saved yet: pass it to the store's ``save`` like a scenario; :func:`sweep_result` gives
    the result back from the loaded record.
    """
    from planning.scenarios import Scenario

    return Scenario(name=name, profile_id=profile_id, kind="sweep",
                    parameters={"base": dict(result["base"]), "vary": dict(result["vary"])},
                    results={"sweep": dict(result)})


def sweep_result(record: Any) -> dict[str, Any]:
    """The result of :func:`run_sweep` kept in a loaded sweep record (see :func:`saved_sweep`).

    Raises
    ------
    errors.InputError
        When the record is not a sweep.
    """
    if getattr(record, "kind", None) != "sweep" or "sweep" not in record.results:
        raise InputError([Message("sweep.not_a_sweep", {"name": str(record.name)})])
    return dict(record.results["sweep"])


__all__ = ["MAX_RUNS", "VARY", "WORKER_ENVIRON", "SharedTimes", "SweepData", "SweepProgress",
           "combinations", "dask_client", "error_json", "failed_row", "parse_vary", "prepare",
           "profile_with_rates", "rates_of", "rows_frame", "run_one", "run_row", "run_sweep",
           "saved_sweep", "scenario_params", "summary", "sweep_result", "Varied", "widest_reach_m"]
