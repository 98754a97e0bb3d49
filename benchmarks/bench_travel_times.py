"""Benchmark: all (area, site) walking times within 15 minutes, ours vs osmnx + networkx.

Run ``python benchmarks/bench_travel_times.py [--case nanjing|city|all]``. Each case runs in
its own subprocess so that peak memory (``ru_maxrss``) is per case; inside it both methods run
side by side on the same network and the same inputs.

Ours: :func:`geo.access.travel_times` end to end, on a network fresh from its constructor
(input checks, access points on polygon boundaries, building the snapping grid and snapping onto
edges, sparse Dijkstra searches with a cutoff from the smaller side, the pairs DataFrame).

Peer ("strongest fair use" of osmnx + networkx): the same graph as a networkx graph (built
outside the timing, as ours is), the same access points (computed inside its timing with the
same function, as ours are), snapped to their nearest node (``osmnx.distance.nearest_nodes``,
which builds its k-d tree in the call, as ours builds its grid), then one
``networkx.single_source_dijkstra_path_length`` with ``cutoff`` per distinct site node (the
smaller side; never per-pair queries), and the minimum over each area's access points.
(``osmnx.graph_from_xml`` is timed on the Nanjing file for reference only.) If the peer would
take longer than ``--peer-budget`` seconds, it is timed on a random sample of sources and
extrapolated linearly (said plainly in the output).

Results go to ``benchmarks/results/travel_times.json`` and a markdown table is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NANJING = ROOT.parent / "shared" / "data" / "osm" / "nanjing_xinjiekou.osm"
MINUTES = 15.0
SPEED = 60.0  # m/min, the DESIGN.md default of the walking-speed parameter


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def city_network(n_side: int = 548, step: float = 60.0, seed: int = 42):
    """Perturbed grid of n_side² nodes (~300,000), 15 % of edges removed, seeded."""
    from geo.network import WalkNetwork

    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(n_side), np.arange(n_side), indexing="ij")
    x = 500000.0 + jj.ravel() * step + rng.uniform(-12, 12, n_side * n_side)
    y = 3500000.0 + ii.ravel() * step + rng.uniform(-12, 12, n_side * n_side)
    k = (ii * n_side + jj).ravel()
    right = k[(jj < n_side - 1).ravel()]
    up = k[(ii < n_side - 1).ravel()]
    u = np.concatenate([right, up])
    v = np.concatenate([right + 1, up + n_side])
    keep = rng.random(len(u)) >= 0.15
    return WalkNetwork.from_arrays(x, y, u[keep], v[keep], crs="EPSG:32650")


def city_layers(net, n_areas: int = 10_000, n_sites: int = 3_000, seed: int = 7):
    """Residential polygons (≈100×80 m boxes) and site points spread over the city."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    lo_x, hi_x, lo_y, hi_y = net.x.min(), net.x.max(), net.y.min(), net.y.max()
    cx = rng.uniform(lo_x + 200, hi_x - 200, n_areas)
    cy = rng.uniform(lo_y + 200, hi_y - 200, n_areas)
    w = rng.uniform(70, 130, n_areas)
    h = rng.uniform(60, 100, n_areas)
    areas = gpd.GeoDataFrame({"id": [f"r{i}" for i in range(n_areas)]},
                             geometry=shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
                             crs=net.crs)
    sx = rng.uniform(lo_x + 100, hi_x - 100, n_sites)
    sy = rng.uniform(lo_y + 100, hi_y - 100, n_sites)
    sites = gpd.GeoDataFrame({"id": [f"s{i}" for i in range(n_sites)]},
                             geometry=shapely.points(sx, sy), crs=net.crs)
    return areas, sites


def nanjing_layers(net, n_areas: int = 1_000, n_sites: int = 150, seed: int = 7):
    """Small residential boxes and site points in the Xinjiekou core (seeded)."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    core = gpd.GeoSeries([shapely.box(118.772, 32.037, 118.793, 32.050)], crs=4326).to_crs(
        net.crs).total_bounds
    cx, cy = rng.uniform(core[0], core[2], n_areas), rng.uniform(core[1], core[3], n_areas)
    w, h = rng.uniform(50, 120, n_areas), rng.uniform(40, 100, n_areas)
    areas = gpd.GeoDataFrame({"id": [f"r{i}" for i in range(n_areas)]},
                             geometry=shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
                             crs=net.crs)
    sx, sy = rng.uniform(core[0], core[2], n_sites), rng.uniform(core[1], core[3], n_sites)
    sites = gpd.GeoDataFrame({"id": [f"s{i}" for i in range(n_sites)]},
                             geometry=shapely.points(sx, sy), crs=net.crs)
    return areas, sites


def peer_travel_times(G, node_x, node_y, node_keys, areas_ap, sites_ap, *, cutoff_m: float,
                      budget_s: float, seed: int = 0):
    """osmnx + networkx: nearest-node snapping, one cutoff Dijkstra per distinct site node.

    Returns (pairs dict, seconds, extrapolated: bool, sources timed, sources total).
    """
    import networkx as nx
    import osmnx as ox

    t0 = time.perf_counter()
    # osmnx.distance.nearest_nodes needs a graph with x/y attributes (projected)
    a_nodes = ox.distance.nearest_nodes(G, areas_ap["x"], areas_ap["y"])
    s_nodes = ox.distance.nearest_nodes(G, sites_ap["x"], sites_ap["y"])
    a_off = np.hypot(areas_ap["x"] - node_x[np.searchsorted(node_keys, a_nodes)],
                     areas_ap["y"] - node_y[np.searchsorted(node_keys, a_nodes)])
    s_off = np.hypot(sites_ap["x"] - node_x[np.searchsorted(node_keys, s_nodes)],
                     sites_ap["y"] - node_y[np.searchsorted(node_keys, s_nodes)])
    snap_s = time.perf_counter() - t0
    by_node: dict = {}
    for k, nd in enumerate(a_nodes):
        by_node.setdefault(nd, []).append(k)
    uniq = np.unique(s_nodes)
    site_at: dict = {}
    for k, nd in enumerate(s_nodes):
        site_at.setdefault(nd, []).append(k)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(uniq))
    best: dict = {}
    t1 = time.perf_counter()
    done = 0
    for pos in order:
        src = uniq[pos]
        dist = nx.single_source_dijkstra_path_length(G, src, cutoff=cutoff_m, weight="length")
        for sk in site_at[src]:
            so = s_off[sk]
            sid = sites_ap["owner"][sk]
            for nd, d in dist.items():
                for ak in by_node.get(nd, ()):
                    tot = so + d + a_off[ak]
                    if tot <= cutoff_m:
                        key = (areas_ap["owner"][ak], sid)
                        if tot < best.get(key, np.inf):
                            best[key] = tot
        done += 1
        if time.perf_counter() - t1 > budget_s and done < len(uniq):
            break
    search_s = time.perf_counter() - t1
    extrapolated = done < len(uniq)
    if extrapolated:
        search_s = search_s / done * len(uniq)
    return best, snap_s, search_s, extrapolated, done, len(uniq)


def _median_run(runs: list) -> tuple[float, dict]:
    """The run with the median total time (an odd count gives a real run): (seconds, stages)."""
    ordered = sorted(runs, key=lambda r: r[0])
    return ordered[(len(ordered) - 1) // 2]


def run_case(case: str, peer_budget: float, repeat: int = 3, gc_mode: str = "paused") -> dict:
    import geopandas as gpd
    import networkx as nx
    import osmnx as ox
    import shapely

    from geo.access import travel_times
    from geo.access_points import access_points
    from geo.network import WalkNetwork
    from geo.reach import Reach

    out: dict = {"case": case, "repeat": repeat, "gc": gc_mode}
    t = time.perf_counter()
    if case == "nanjing":
        clip = shapely.box(118.770, 32.036, 118.795, 32.051)
        net = WalkNetwork.from_osm_file(NANJING, clip=clip, margin_m=300)
        out["ours_network_read_s"] = time.perf_counter() - t
        t = time.perf_counter()
        Gox = ox.graph_from_xml(NANJING, bidirectional=True, simplify=False, retain_all=False)
        out["osmnx_graph_from_xml_s"] = time.perf_counter() - t
        areas, sites = nanjing_layers(net)
    else:
        net = city_network()
        out["ours_network_build_s"] = time.perf_counter() - t
        areas, sites = city_layers(net)
    out["nodes"], out["edges"] = net.n_nodes, net.n_edges
    out["areas"], out["sites"] = len(areas), len(sites)
    rss0 = _maxrss_mib()

    # ---- ours, end to end; each repeat on a copy of the network with cold caches (no
    # snapping grid, no detour bound; the CSR matrix is part of building the network)
    runs = []
    for _ in range(repeat):
        cold = dataclasses.replace(net, _edge_grid=None, _detour=None)
        if gc_mode == "paused":
            gc.disable()
        t = time.perf_counter()
        pairs = travel_times(cold, areas, sites, reach=Reach(MINUTES, SPEED),
                             max_snap_m=300, drop_unsnapped=True)
        runs.append((time.perf_counter() - t, pairs.attrs.get("timings")))
        gc.enable()
    out["ours_runs_s"] = [r[0] for r in runs]
    out["ours_s"], out["ours_timings"] = _median_run(runs)
    out["ours_pairs"] = int(len(pairs))
    out["ours_search"] = pairs.attrs.get("search")
    out["ours_access_points"] = pairs.attrs["access_points"]
    out["ours_peak_rss_mib"] = _maxrss_mib()
    # a further call on the same network reuses the cached snapping grid (e.g. the
    # child-care and elder-care runs of one command); reported, not compared
    t = time.perf_counter()
    travel_times(cold, areas, sites, reach=Reach(MINUTES, SPEED), max_snap_m=300,
                 drop_unsnapped=True)
    out["ours_warm_s"] = time.perf_counter() - t
    out["rss_before_ours_mib"] = rss0

    # ---- peer: the same walking graph as networkx (node ids = indices), projected x/y
    t = time.perf_counter()
    G = nx.MultiDiGraph(crs=net.crs)
    G.add_nodes_from((i, {"x": float(net.x[i]), "y": float(net.y[i])})
                     for i in range(net.n_nodes))
    G.add_edges_from(zip(net.edge_u.tolist(), net.edge_v.tolist(),
                         ({"length": float(v)} for v in net.edge_length), strict=True))
    G.add_edges_from(zip(net.edge_v.tolist(), net.edge_u.tolist(),
                         ({"length": float(v)} for v in net.edge_length), strict=True))
    out["peer_graph_build_s"] = time.perf_counter() - t
    peer_runs = []
    for _ in range(repeat):
        # the peer's timed stage starts from the same layers as ours: access points (the
        # same function: osmnx has none), then its snapping and searches; like ours it
        # runs with Python's cyclic garbage collector paused unless --gc on
        if gc_mode == "paused":
            gc.disable()
        t = time.perf_counter()
        ap_a = access_points(areas, net)
        ap_s = access_points(sites, net)
        areas_ap = {"x": ap_a.x, "y": ap_a.y, "owner": areas["id"].to_numpy()[ap_a.owner]}
        sites_ap = {"x": ap_s.x, "y": ap_s.y, "owner": sites["id"].to_numpy()[ap_s.owner]}
        peer_ap_s = time.perf_counter() - t
        best, peer_snap_s, peer_search_s, extrap, done, total = peer_travel_times(
            G, net.x, net.y, np.arange(net.n_nodes), areas_ap, sites_ap,
            cutoff_m=MINUTES * SPEED, budget_s=peer_budget)
        gc.enable()
        peer_runs.append((peer_ap_s + peer_snap_s + peer_search_s,
                          {"access_points_s": peer_ap_s, "snap_s": peer_snap_s,
                           "search_s": peer_search_s}))
    out["peer_runs_s"] = [r[0] for r in peer_runs]
    out["peer_s"], peer_t = _median_run(peer_runs)
    out["peer_access_points_s"] = peer_t["access_points_s"]
    out["peer_snap_s"] = peer_t["snap_s"]
    out["peer_search_s"] = peer_t["search_s"]
    out["search_speedup"] = out["peer_search_s"] / out["ours_timings"]["search_s"]
    out["peer_extrapolated"] = extrap
    out["peer_sources_timed"] = done
    out["peer_sources_total"] = total
    out["peer_pairs"] = None if extrap else len(best)
    out["speedup"] = out["peer_s"] / out["ours_s"]
    out["peak_rss_mib"] = _maxrss_mib()
    if case == "nanjing":
        del Gox
    # ---- correctness check: nodes as points, ours must equal networkx exactly
    rng = np.random.default_rng(1)
    oi = rng.choice(net.n_nodes, min(300, net.n_nodes), replace=False)
    di = rng.choice(net.n_nodes, min(60, net.n_nodes), replace=False)
    o = gpd.GeoDataFrame({"id": oi}, geometry=shapely.points(net.x[oi], net.y[oi]), crs=net.crs)
    d = gpd.GeoDataFrame({"id": di}, geometry=shapely.points(net.x[di], net.y[di]), crs=net.crs)
    r = travel_times(net, o, d, reach=Reach(MINUTES, SPEED), max_snap_m=1)
    got = {(a, b): m for a, b, m in zip(r.origin_id, r.destination_id, r.distance_m,
                                        strict=True)}
    Gs = nx.Graph(G)
    ref = {}
    for j in di:
        dist = nx.single_source_dijkstra_path_length(Gs, int(j), cutoff=MINUTES * SPEED,
                                                     weight="length")
        for i in oi:
            if int(i) in dist:
                ref[(i, j)] = dist[int(i)]
    out["check_pairs"] = len(ref)
    out["check_equal"] = bool(got.keys() == ref.keys() and all(
        abs(got[k] - ref[k]) < 1e-9 for k in ref))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=["nanjing", "city", "all"], default="all")
    ap.add_argument("--peer-budget", type=float, default=240.0,
                    help="seconds of peer searching before extrapolating from a sample")
    ap.add_argument("--repeat", type=int, default=3,
                    help="timed runs of each side per case; the median run is reported")
    ap.add_argument("--gc", choices=["paused", "on"], default="paused",
                    help="Python's cyclic GC during both sides' timed stages; 'on' charges "
                         "each side the collections its allocations trigger")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(run_case(args.worker, args.peer_budget, args.repeat, args.gc)))
        return 0
    cases = ["nanjing", "city"] if args.case == "all" else [args.case]
    results = []
    for case in cases:
        if case == "nanjing" and not NANJING.exists():
            print(f"skipping nanjing: {NANJING} not present", file=sys.stderr)
            continue
        proc = subprocess.run([sys.executable, __file__, "--worker", case, "--peer-budget",
                               str(args.peer_budget), "--repeat", str(args.repeat),
                               "--gc", args.gc],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    res_dir = ROOT / "benchmarks" / "results"
    res_dir.mkdir(parents=True, exist_ok=True)
    path = res_dir / "travel_times.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    merged = {r["case"]: r for r in old.get("cases", [])}
    merged.update({r["case"]: r for r in results})
    doc = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "minutes": MINUTES, "speed_m_per_min": SPEED,
        "command": (f"python benchmarks/bench_travel_times.py --case {args.case} "
                    f"--peer-budget {args.peer_budget:g} --repeat {args.repeat} "
                    f"--gc {args.gc}"),
        "cases": list(merged.values()),
    }
    path.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    print("| case | nodes | areas × sites | pairs ≤ 15 min | ours (s) | osmnx+networkx (s) | "
          "speed-up | peak RSS (MiB) | equal to networkx |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in doc["cases"]:
        peer = f"{r['peer_s']:.2f}" + (
            f" (extrapolated from {r['peer_sources_timed']}/{r['peer_sources_total']} sources)"
            if r["peer_extrapolated"] else "")
        print(f"| {r['case']} | {r['nodes']:,} | {r['areas']:,} × {r['sites']:,} | "
              f"{r['ours_pairs']:,} | {r['ours_s']:.3f} | {peer} | {r['speedup']:.0f}× | "
              f"{r['ours_peak_rss_mib']:.0f} | {r['check_equal']} ({r['check_pairs']} pairs) |")
    print(f"\nwritten {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
