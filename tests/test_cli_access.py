"""CLI: ``access`` and ``coverage`` on the demo district and on small files."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from planning.cli import main


def _tiny_osm(path: Path) -> Path:
    """Two streets meeting at a right angle near Hefei (nodes every 0.001°)."""
    lon0, lat0 = 117.27, 31.86
    pts = {1: (lon0, lat0), 2: (lon0 + 0.001, lat0), 3: (lon0 + 0.002, lat0),
           4: (lon0 + 0.002, lat0 + 0.001), 5: (lon0 + 0.002, lat0 + 0.002)}
    nodes = "".join(f'<node id="{i}" version="1" lat="{la}" lon="{lo}"/>\n'
                    for i, (lo, la) in pts.items())
    ways = ('<way id="1" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
            '<tag k="highway" v="residential"/></way>\n'
            '<way id="2" version="1"><nd ref="3"/><nd ref="4"/><nd ref="5"/>'
            '<tag k="highway" v="footway"/></way>\n')
    path.write_text(f'<?xml version="1.0"?>\n<osm version="0.6">\n{nodes}{ways}</osm>\n',
                    encoding="utf-8")
    return path


def test_access_on_files_matches_network_lengths(tmp_path: Path, capsys) -> None:
    from geo.network import WalkNetwork

    osm = _tiny_osm(tmp_path / "roads.osm")
    o = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(117.27, 31.86)], crs=4326)
    d = gpd.GeoDataFrame({"id": ["end", "mid"]},
                         geometry=[shapely.Point(117.272, 31.862), shapely.Point(117.271, 31.86)],
                         crs=4326)
    o.to_file(tmp_path / "o.gpkg")
    d.to_file(tmp_path / "d.gpkg")
    out = tmp_path / "pairs.csv"
    rc = main(["access", "--network", str(osm), "--origins", str(tmp_path / "o.gpkg"),
               "--destinations", str(tmp_path / "d.gpkg"), "--minutes", "15", "--speed", "60",
               "--out", str(out)])
    assert rc == 0
    pairs = pd.read_csv(out)
    assert list(pairs.columns) == ["origin_id", "destination_id", "minutes"]
    net = WalkNetwork.from_osm_file(osm)
    e = {(int(net.node_ids[u]), int(net.node_ids[v])): w
         for u, v, w in zip(net.edge_u, net.edge_v, net.edge_length, strict=True)}
    expected = {"mid": e[(1, 2)] / 60, "end": sum(e.values()) / 60}
    got = dict(zip(pairs["destination_id"], pairs["minutes"], strict=True))
    assert got == pytest.approx(expected, abs=1e-6)
    assert "2 pairs within 15 min at 60 m/min (street network; 1 origins × 2 destinations)" \
        in capsys.readouterr().out


def test_access_bad_network_writes_nothing(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.osm"
    bad.write_text("this is not osm", encoding="utf-8")
    o = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(117.27, 31.86)], crs=4326)
    o.to_file(tmp_path / "o.gpkg")
    out = tmp_path / "pairs.csv"
    rc = main(["access", "--network", str(bad), "--origins", str(tmp_path / "o.gpkg"),
               "--destinations", str(tmp_path / "o.gpkg"), "--minutes", "15",
               "--out", str(out)])
    assert rc == 2 and not out.exists()
    assert "not a readable OSM file" in capsys.readouterr().err
    rc = main(["access", "--origins", str(tmp_path / "o.gpkg"), "--out", str(out)])
    assert rc == 2 and "--destinations" in capsys.readouterr().err


def test_access_demo(tmp_path: Path, capsys, monkeypatch) -> None:
    out = tmp_path / "pairs.csv"
    monkeypatch.setenv("PLANNING_LANG", "zh")
    assert main(["access", "--demo", "--minutes", "10", "--speed", "60", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert " 对起终点在步行 10 分钟内（步速 60 米/分钟；路网步行时间；起点 71 个 × 终点 " in text
    assert "路网：WalkNetwork(" in text
    pairs = pd.read_csv(out)
    assert len(pairs) > 0 and pairs["minutes"].max() <= 10
    assert pairs["origin_id"].str.startswith("R").all()


def test_coverage_demo_is_consistent_with_access(tmp_path: Path) -> None:
    from geo.demo import load_demo
    from planning.demand import compute_demand
    from planning.profiles import load_profile

    out = tmp_path / "cov.json"
    assert main(["coverage", "--profile", "national", "--demo", "--service", "childcare",
                 "--out", str(out)]) == 0
    rep = json.loads(out.read_text(encoding="utf-8"))
    cc = rep["services"]["childcare"]
    assert set(rep["services"]) == {"childcare"} and cc["method"] == "network"
    prof = load_profile("national")
    assert cc["minutes"] == prof.param("childcare_service_minutes")
    # recompute: areas with an existing child-care facility within reach
    pairs_csv = tmp_path / "p.csv"
    demo = load_demo()
    fac = demo["facilities"]
    fac = fac[(fac["service"] == "childcare") & (fac["status"] == "existing")]
    fac[["id", "geometry"]].to_file(tmp_path / "fac.gpkg")
    demo["areas"][["id", "geometry"]].to_file(tmp_path / "areas.gpkg")
    from geo.demo import demo_paths

    assert main(["access", "--network", str(demo_paths()["network"]), "--origins",
                 str(tmp_path / "areas.gpkg"), "--destinations", str(tmp_path / "fac.gpkg"),
                 "--minutes", str(cc["minutes"]), "--speed", str(cc["speed_m_per_min"]),
                 "--out", str(pairs_csv)]) == 0
    covered = set(pd.read_csv(pairs_csv)["origin_id"])
    pop = compute_demand(demo["areas"], prof).set_index("id")["population"]
    assert cc["overall"]["covered_population"] == pytest.approx(pop[list(covered)].sum())
    assert set(cc["not_covered"]) == set(pop.index) - covered
    assert sum(u["population"] for u in cc["by_unit"]) == pytest.approx(pop.sum())


def test_coverage_needs_inputs(tmp_path: Path, capsys) -> None:
    rc = main(["coverage", "--profile", "national", "--out", str(tmp_path / "c.json")])
    assert rc == 2 and "--areas" in capsys.readouterr().err
