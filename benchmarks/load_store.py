"""Load test of the scenario stores and of the team server's access rules.

Run ``python benchmarks/load_store.py`` (about two minutes on the 2-core development machine).
Bounded and local: a throw-away PostgreSQL on a unix socket (``scripts/pg_test_server.sh``,
stopped at the end) unless ``--database-url`` or ``$YILAO_TEST_DATABASE_URL`` names one, a
SQLite file in a temporary folder, nothing on the network; every phase has a deadline
(``--deadline`` seconds) after which the run stops and reports failure.

1. **Writers** (each store; also ``planning.scenarios.ScenarioStore`` without the writers'
   queue of :class:`planning.store_sqlite.SQLiteScenarioStore`, for comparison):
   ``--procs`` processes (8) each save ``--saves`` (20) scenarios of
   ``--areas`` (1,000) residential-area polygons with their attributes and a result table,
   all starting together. Afterwards every scenario is counted and reopened: lost = saves that
   reported success but are missing or incomplete, plus saves that failed.
2. **Sessions** (each store, behind :class:`planning.team_store.TeamStore`): ``--sessions``
   (20) threads in one process, as the app's sessions are, each a user who logs in (argon2id
   with the production parameters) and then, for ``--rounds`` (8) rounds, saves a scenario,
   shares it by a fixed pattern (a colleague read-only, another colleague editable, the whole
   team read-only, or nobody), lists what it sees, opens what is shared with it, edits one
   editable share, and tries what it must not do (open an unshared scenario of another
   user, save over a read-only share). Every list and load is checked against the pattern:
   a scenario seen that should not be is a leak; one of one's own missing is a loss.

Results go to ``benchmarks/results/load_store.json`` and a markdown table is printed. The exit
status is 1 when anything was lost or leaked, or a deadline passed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCRIPT = ROOT / "scripts" / "pg_test_server.sh"
RESULTS = ROOT / "benchmarks" / "results" / "load_store.json"


# ---- data --------------------------------------------------------------------------------------
def areas_layer(n: int, seed: int) -> Any:
    """*n* residential-area polygons (about 100 m square, 8 vertices) with their attributes."""
    import geopandas as gpd
    from shapely.geometry import Polygon

    rng = np.random.default_rng(seed)
    x0 = 117.20 + rng.random(n) * 0.12
    y0 = 31.78 + rng.random(n) * 0.10
    polys = []
    for x, y in zip(x0, y0, strict=True):
        angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
        r = 0.0005 * (1 + 0.3 * rng.random(8))
        polys.append(Polygon(np.c_[x + r * np.cos(angles), y + r * np.sin(angles)]))
    return gpd.GeoDataFrame(
        {
            "id": [f"A{seed}-{i:04d}" for i in range(n)],
            "name": [f"小区{i}" for i in range(n)],
            "population": rng.integers(300, 6000, n).astype(float),
            "households": rng.integers(100, 2000, n),
            "area_type": rng.choice(["new", "old"], n),
            "admin_unit": rng.choice(["街道甲", "街道乙", "街道丙"], n),
            "coverage": rng.random(n),
        },
        geometry=polys,
        crs=4326,
    )


def scenario(name: str, layer: Any, seed: int) -> Any:
    import pandas as pd

    from planning.scenarios import Scenario

    rng = np.random.default_rng(seed)
    n = len(layer)
    table = pd.DataFrame({"id": layer["id"], "shortfall": rng.random(n) * 50,
                          "served": rng.random(n) > 0.2})
    return Scenario(name=name, profile_id="hefei",
                    parameters={"service": "childcare", "objective": "min_cost",
                                "minutes": 15.0, "seed": seed},
                    results={"indicators": {"childcare": {"new_capacity": float(n),
                                                          "unmet": 0.0}},
                             "areas": table},
                    layers={"areas": layer})


def open_store(kind: str, target: str, schema: str | None) -> Any:
    if kind == "sqlite":
        from planning.store_sqlite import SQLiteScenarioStore

        return SQLiteScenarioStore(target)
    if kind == "sqlite-plain":  # the store without the writers' queue, for comparison
        from planning.scenarios import ScenarioStore

        return ScenarioStore(target)
    from planning.store_postgres import PostgresScenarioStore

    return PostgresScenarioStore(target, schema=schema, max_connections=4)


# ---- 1. writers ------------------------------------------------------------------------------
def _writer(k: int, kind: str, target: str, schema: str | None, saves: int, areas: int,
            barrier: Any, out: Any) -> None:
    layer = areas_layer(areas, k)
    store = open_store(kind, target, schema)
    done: list[dict[str, Any]] = []
    barrier.wait(timeout=120)
    for i in range(saves):
        t0 = time.perf_counter()
        try:
            sid = store.save(scenario(f"p{k}-s{i:02d}", layer, 100 * k + i), owner=f"proc{k}")
            done.append({"ok": True, "id": sid, "name": f"p{k}-s{i:02d}",
                         "s": time.perf_counter() - t0})
        except Exception as exc:  # noqa: BLE001 - counted as lost
            done.append({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300],
                         "s": time.perf_counter() - t0})
    store.close()
    out.put((k, done))


def run_writers(kind: str, target: str, schema: str | None, *, procs: int, saves: int,
                areas: int, deadline: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")  # clean processes, as separate app servers or scripts are
    barrier = ctx.Barrier(procs + 1)
    out = ctx.Queue()
    ps = [ctx.Process(target=_writer, args=(k, kind, target, schema, saves, areas, barrier, out))
          for k in range(procs)]
    for p in ps:
        p.start()
    barrier.wait(timeout=180)
    t0 = time.perf_counter()
    results: dict[int, list[dict[str, Any]]] = {}
    timed_out = False
    while len(results) < procs:
        left = deadline - (time.perf_counter() - t0)
        if left <= 0:
            timed_out = True
            break
        try:
            k, done = out.get(timeout=min(left, 5.0))
            results[k] = done
        except queue.Empty:  # look again until the deadline
            if not any(p.is_alive() for p in ps) and out.empty():
                break
    wall = time.perf_counter() - t0
    for p in ps:
        p.join(timeout=10)
        if p.is_alive():
            p.kill()
    attempts = [d for done in results.values() for d in done]
    ok = [d for d in attempts if d["ok"]]
    errors = [d["error"] for d in attempts if not d["ok"]]
    # verify: every reported save is there, whole
    from planning.scenarios import ScenarioNotFound

    store = open_store(kind, target, schema)
    t1 = time.perf_counter()
    missing = incomplete = 0
    for d in ok:
        owner = "proc" + d["name"][1:].split("-")[0]
        try:
            sc = store.load(d["id"], owner=owner)
            if sc.name != d["name"] or len(sc.layers["areas"]) != areas \
                    or len(sc.results["areas"]) != areas:
                incomplete += 1
        except ScenarioNotFound:  # lost: reported saved, not there
            missing += 1
        except Exception as exc:  # noqa: BLE001 - anything else is a bug of the check, kept
            errors.append(f"verify {d['id']}: {exc!r}")
    listed = sum(len(store.list(owner=f"proc{k}")) for k in range(procs))
    verify_s = time.perf_counter() - t1
    store.close()
    lat = np.array([d["s"] for d in ok]) if ok else np.array([np.nan])
    expected = procs * saves
    lost = (expected - len(ok)) + missing + incomplete
    return {
        "store": kind, "processes": procs, "saves_per_process": saves, "areas": areas,
        "expected": expected, "saved": len(ok), "failed": len(errors),
        "missing_after": missing, "incomplete_after": incomplete, "listed": listed,
        "lost": lost, "timed_out": timed_out, "errors": errors[:5],
        "wall_s": round(wall, 2), "saves_per_s": round(len(ok) / wall, 2) if wall else None,
        "save_p50_s": round(float(np.percentile(lat, 50)), 3),
        "save_p95_s": round(float(np.percentile(lat, 95)), 3),
        "save_max_s": round(float(np.max(lat)), 3),
        "verify_s": round(verify_s, 2),
    }


# ---- 2. sessions -----------------------------------------------------------------------------
def visible(author: int, rnd: int, viewer: int, n: int) -> str | None:
    """What *viewer* may do with round *rnd*'s scenario of *author*: owner, edit, read, None."""
    if viewer == author:
        return "owner"
    pattern = rnd % 4
    if pattern == 0 and viewer == (author + 1) % n:
        return "read"
    if pattern == 1 and viewer == (author + 2) % n:
        return "edit"
    if pattern == 2:
        return "read"  # the whole team
    return None


def run_sessions(kind: str, target: str, schema: str | None, *, sessions: int, rounds: int,
                 areas: int, deadline: float) -> dict[str, Any]:
    from argon2 import PasswordHasher

    from errors import PermissionDenied
    from planning.accounts import TEAM
    from planning.scenarios import ScenarioNotFound
    from planning.store_factory import Settings, open_team

    if kind == "sqlite":
        cfg = Settings(mode="team", store="sqlite", sqlite_path=Path(target))
    else:
        cfg = Settings(mode="team", store="postgres", database_url=target, schema=schema)
    team = open_team(cfg, hasher=PasswordHasher())  # production parameters
    users = [f"user{i:02d}" for i in range(sessions)]
    for u in users:  # made by the admin beforehand (not timed)
        team.accounts.add(u, f"{u}-password")
    layers = [areas_layer(areas, 1000 + i) for i in range(sessions)]
    registry: dict[str, tuple[int, int]] = {}  # scenario id -> (author, round)
    reg_lock = threading.Lock()
    stats: dict[str, Any] = {"saves": 0, "save_errors": [], "lists": 0, "loads": 0,
                             "leaks": [], "losses": [], "denied_ok": 0, "edits": 0,
                             "login_s": [], "save_s": [], "list_s": [], "load_s": []}
    st_lock = threading.Lock()
    start = threading.Barrier(sessions)
    stop_at = time.perf_counter() + deadline

    def note(key: str, value: Any) -> None:
        with st_lock:
            if isinstance(stats[key], list):
                stats[key].append(value)
            else:
                stats[key] += value

    def session(i: int) -> None:
        rng = random.Random(i)
        start.wait(timeout=60)
        t = time.perf_counter()
        user = team.accounts.authenticate(users[i], f"{users[i]}-password").name
        note("login_s", time.perf_counter() - t)
        mine: list[str] = []
        for r in range(rounds):
            if time.perf_counter() > stop_at:
                note("save_errors", "deadline")
                return
            t = time.perf_counter()
            try:
                sid = team.store.save(scenario(f"u{i:02d}-r{r:02d}", layers[i], i * 100 + r),
                                      owner=user)
            except Exception as exc:  # noqa: BLE001
                note("save_errors", f"{type(exc).__name__}: {exc}"[:300])
                continue
            note("save_s", time.perf_counter() - t)
            note("saves", 1)
            mine.append(sid)
            with reg_lock:
                registry[sid] = (i, r)
            pattern = r % 4
            if pattern == 0:
                team.store.share(sid, owner=user, with_user=users[(i + 1) % sessions])
            elif pattern == 1:
                team.store.share(sid, owner=user, with_user=users[(i + 2) % sessions],
                                 can_edit=True)
            elif pattern == 2:
                team.store.share(sid, owner=user, with_user=TEAM)
            # what do I see?
            t = time.perf_counter()
            seen = team.store.list(owner=user)
            note("list_s", time.perf_counter() - t)
            note("lists", 1)
            seen_ids = {s["id"] for s in seen}
            for sid_mine in mine:
                if sid_mine not in seen_ids:
                    note("losses", (user, sid_mine))
            for s in seen:
                with reg_lock:
                    who = registry.get(s["id"])
                if who is None:  # saved but not yet registered by its author: check by name
                    a, rr = int(s["name"][1:3]), int(s["name"][5:7])
                else:
                    a, rr = who
                allowed = visible(a, rr, i, sessions)
                if allowed is None or allowed != s["access"]:
                    note("leaks", (user, s["name"], s["access"], allowed))
            # open one scenario shared with me, whole
            others = [s for s in seen if s["access"] != "owner"]
            if others:
                s = rng.choice(others)
                t = time.perf_counter()
                sc = team.store.load(s["id"], owner=user)
                note("load_s", time.perf_counter() - t)
                note("loads", 1)
                if len(sc.layers["areas"]) != areas:
                    note("losses", (user, s["id"], "incomplete"))
                if s["access"] == "edit":
                    sc.parameters = {**sc.parameters, "edited_by": user}
                    team.store.save(sc, owner=user)
                    note("edits", 1)
                elif s["access"] == "read":
                    try:
                        team.store.save(sc, owner=user)
                        note("leaks", (user, s["name"], "saved over a read-only share"))
                    except PermissionDenied:
                        note("denied_ok", 1)
            # try to open a scenario I may not see
            with reg_lock:
                forbidden = [k for k, (a, rr) in registry.items()
                             if visible(a, rr, i, sessions) is None]
            if forbidden:
                try:
                    team.store.load(rng.choice(forbidden), owner=user, layers=False)
                    note("leaks", (user, "opened a scenario not shared with them"))
                except ScenarioNotFound:
                    note("denied_ok", 1)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    errors: list[str] = []
    for th in threads:
        th.join(timeout=max(1.0, stop_at - time.perf_counter() + 30))
    wall = time.perf_counter() - t0
    timed_out = any(th.is_alive() for th in threads)
    # the end state: each user sees exactly what the pattern allows, nothing lost
    final_wrong = 0
    for j, u in enumerate(users):
        want = {sid for sid, (a, r) in registry.items() if visible(a, r, j, sessions)}
        got = {s["id"] for s in team.store.list(owner=u)}
        final_wrong += len(want ^ got)
    owned = sum(len(team.raw.list(owner=u)) for u in users)
    team.close()

    def pct(key: str, q: float) -> float | None:
        v = stats[key]
        return round(float(np.percentile(v, q)), 3) if v else None

    return {
        "store": kind, "sessions": sessions, "rounds": rounds, "areas": areas,
        "expected_saves": sessions * rounds, "saved": stats["saves"], "stored_after": owned,
        "save_errors": len(stats["save_errors"]), "errors": stats["save_errors"][:5] + errors,
        "lists": stats["lists"], "loads": stats["loads"], "edits_of_shared": stats["edits"],
        "refused_as_they_should": stats["denied_ok"],
        "leaks": len(stats["leaks"]), "leak_examples": [str(x) for x in stats["leaks"][:5]],
        "losses": len(stats["losses"]) + (sessions * rounds - owned),
        "final_visibility_mismatches": final_wrong, "timed_out": timed_out,
        "wall_s": round(wall, 2),
        "login_p50_s": pct("login_s", 50), "login_max_s": pct("login_s", 100),
        "save_p50_s": pct("save_s", 50), "save_p95_s": pct("save_s", 95),
        "list_p50_s": pct("list_s", 50), "list_p95_s": pct("list_s", 95),
        "load_p50_s": pct("load_s", 50), "load_p95_s": pct("load_s", 95),
    }


# ---- main --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--procs", type=int, default=8)
    ap.add_argument("--saves", type=int, default=20)
    ap.add_argument("--areas", type=int, default=1000)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--stores", nargs="+", default=["sqlite", "postgres"],
                    choices=["sqlite", "postgres"])
    ap.add_argument("--compare", nargs="*", default=["sqlite-plain"],
                    choices=["sqlite-plain"],
                    help="also run the writers on planning.scenarios.ScenarioStore as it is, "
                         "without the queue of SQLiteScenarioStore (its losses are reported, "
                         "not counted as a failure)")
    ap.add_argument("--deadline", type=float, default=300.0,
                    help="seconds each phase may take before the run stops as failed")
    ap.add_argument("--database-url", default=os.environ.get("YILAO_TEST_DATABASE_URL"))
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="yilao-load-"))
    suffix = f"{os.getpid()}_{int(time.time())}"  # fresh tables even in a database given
    schemas = {"writers": f"load_writers_{suffix}", "sessions": f"load_sessions_{suffix}"}
    pg_dir = None
    url = args.database_url
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
        "writers": [], "sessions": [],
    }
    try:
        if "postgres" in args.stores and not url:
            pg_dir = tempfile.mkdtemp(prefix="yilao-pg-")
            done = subprocess.run(["bash", str(SCRIPT), "start", pg_dir], capture_output=True,
                                  text=True, timeout=180, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            url = done.stdout.strip().splitlines()[-1]
        for kind in args.stores + args.compare:
            target = str(tmp / f"writers-{kind}.sqlite") if kind != "postgres" else str(url)
            r = run_writers(kind, target, schemas["writers"], procs=args.procs, saves=args.saves,
                            areas=args.areas, deadline=args.deadline)
            report["writers"].append(r)
            print(json.dumps(r, ensure_ascii=False), flush=True)
        for kind in args.stores:
            target = str(tmp / "team.sqlite") if kind == "sqlite" else str(url)
            r = run_sessions(kind, target, schemas["sessions"], sessions=args.sessions,
                             rounds=args.rounds, areas=args.areas, deadline=args.deadline)
            report["sessions"].append(r)
            print(json.dumps(r, ensure_ascii=False), flush=True)
    except Exception:  # noqa: BLE001 - reported, exit status 1
        traceback.print_exc()
        report["crashed"] = True
    finally:
        if url and not pg_dir:  # a database we were given: leave it as it was
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                for name in schemas.values():
                    conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        if pg_dir:
            subprocess.run(["bash", str(SCRIPT), "stop", pg_dir], capture_output=True,
                           check=False)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)

    report["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    print()
    print("| store | writers | saved / expected | lost | failed saves | saves/s | "
          "save p50 / p95 (s) |")
    print("|---|---|---|---|---|---|---|")
    for r in report["writers"]:
        print(f"| {r['store']} | {r['processes']} × {r['saves_per_process']} of {r['areas']} "
              f"areas | {r['saved']} / {r['expected']} | {r['lost']} | {r['failed']} | "
              f"{r['saves_per_s']} | {r['save_p50_s']} / {r['save_p95_s']} |")
    print()
    print("| store | sessions × rounds | saved / expected | lost | leaks | refused | "
          "list p95 (s) | login p50 (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in report["sessions"]:
        print(f"| {r['store']} | {r['sessions']} × {r['rounds']} | {r['stored_after']} / "
              f"{r['expected_saves']} | {r['losses']} | {r['leaks']} | "
              f"{r['refused_as_they_should']} | {r['list_p95_s']} | {r['login_p50_s']} |")
    bad = report.get("crashed") or any(
        r["lost"] or r["timed_out"] for r in report["writers"]
        if r["store"] != "sqlite-plain") or any(
        r["losses"] or r["leaks"] or r["final_visibility_mismatches"] or r["timed_out"]
        or r["save_errors"] for r in report["sessions"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
