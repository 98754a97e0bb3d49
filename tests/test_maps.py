"""Folium map builder, offline HTML, figure/GeoPackage/Excel exports and the report PDF."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from openpyxl import load_workbook
from shapely.geometry import LineString, Point, box

from core.messages import Message
from maps.export import figure_bytes, figure_map, write_excel, write_gpkg
from maps.folium_map import build_map, esc
from maps.offline import OfflineAssetError, offline_html, save_html
from maps.report import report_pdf

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["a1", "a2", "a3"],
            "name": [EVIL, "小区`${document.cookie}`", "乙小区"],
            "population": [1000.0, 2000.0, np.nan],
            "shortfall": [5.0, 0.0, np.nan],
        },
        geometry=[
            box(117.270, 31.860, 117.275, 31.865),
            box(117.280, 31.860, 117.285, 31.865),
            box(117.290, 31.860, 117.295, 31.865),
        ],
        crs=4326,
    )


@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["s1", "s2", "s3"],
            "name": ["<img src=x onerror=alert(2)>", "新站", "候选"],
            "status": ["existing", "proposed", "candidate"],
            "service": ["childcare", "eldercare", "childcare"],
            "capacity": [50.0, 200.0, np.nan],
        },
        geometry=[Point(117.272, 31.862), Point(117.282, 31.862), Point(117.292, 31.862)],
        crs=4326,
    )


@pytest.fixture
def network() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        geometry=[LineString([(117.268, 31.858), (117.297, 31.866)])], crs=4326
    )


def test_esc_neutralises_html_and_template_literals() -> None:
    assert esc(EVIL) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert esc("a`${x}`\\") == "a&#96;&#36;{x}&#96;&#92;"
    assert esc(None) == "" and esc(float("nan")) == ""


def test_offline_html_escapes_user_text_and_has_no_cdn(areas, sites, network) -> None:
    m = build_map(areas=areas, value_col="shortfall", sites=sites, network_edges=network,
                  basemap="offline", uncovered_ids=["a1"])
    html = offline_html(m)
    # user text never appears as markup, not even inside the JSON of the GeoJSON layers
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "${document.cookie}" not in html
    # no external script or stylesheet; Leaflet is inlined
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", html)
    assert "cdn.jsdelivr" not in html and "code.jquery" not in html
    assert "Leaflet 1.9.4" in html or "1.9.4" in html
    # offline mode: no tile layer at all
    assert "L.tileLayer" not in html
    # legend, network, uncovered layer present
    for text in ("pl-legend", "未覆盖居住区", "路网", "现状"):
        assert json.dumps(text)[1:-1] in html


def test_popups_escape_text(areas) -> None:
    html = offline_html(build_map(areas=areas, basemap="offline"))
    popups = [json.loads(f'"{p}"') for p in re.findall(r'"_popup": "((?:[^"\\]|\\.)*)"', html)]
    assert len(popups) == 3
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in popups[0]
    assert "<td>小区&#96;&#36;{document.cookie}&#96;</td>" in popups[1]


def test_basemaps(areas) -> None:
    osm = offline_html(build_map(areas=areas, basemap="osm"))
    assert "tile.openstreetmap.org" in osm
    tdt = offline_html(build_map(areas=areas, basemap="tianditu", tianditu_key="KEY123"))
    assert "vec_w/wmts" in tdt and "cva_w/wmts" in tdt and "tk=KEY123" in tdt
    from errors import InputError

    with pytest.raises(InputError, match="key"):
        build_map(areas=areas, basemap="tianditu")
    with pytest.raises(ValueError, match="basemap"):
        build_map(areas=areas, basemap="google")


def test_amap_shifts_overlays_to_gcj02(sites) -> None:
    from geo.crs import wgs84_to_gcj02

    html = offline_html(build_map(sites=sites.iloc[:1], basemap="amap"))
    assert "autonavi.com" in html
    lon, lat = wgs84_to_gcj02(np.array([117.272]), np.array([31.862]))
    found = re.search(r"L\.marker\(\[([\d.]+), ([\d.]+)\]", html)
    assert found is not None
    assert float(found.group(1)) == pytest.approx(float(lat[0]), abs=1e-9)
    assert float(found.group(2)) == pytest.approx(float(lon[0]), abs=1e-9)
    # the shift near Hefei is a few hundred metres, not zero
    assert abs(float(lon[0]) - 117.272) > 1e-3


def test_sites_sized_by_capacity(sites) -> None:
    html = offline_html(build_map(sites=sites, basemap="offline"))
    radii = [float(r) for r in re.findall(r'data-r=\\"([\d.]+)', html)]
    # each service on its own scale: child care 50 is its largest: 16, elder care 200: 16;
    # the candidate: 3
    assert sorted(radii) == pytest.approx([3.0, 16.0, 16.0])


def test_map_with_foreign_plugin_refuses_offline_export(areas) -> None:
    from folium.plugins import Fullscreen

    m = build_map(areas=areas, basemap="offline")
    Fullscreen().add_to(m)
    with pytest.raises(OfflineAssetError, match="Fullscreen"):
        offline_html(m)


def test_figure_png_and_pdf(areas, sites, network) -> None:
    fig = figure_map(areas=areas, value_col="shortfall", sites=sites, network_edges=network,
                     uncovered_ids=["a1"], title="测试方案")
    png = figure_bytes(fig, fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    pdf = figure_bytes(fig, fmt="pdf")
    assert pdf[:5] == b"%PDF-"
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "北" in texts  # north arrow
    assert any(t.endswith(" m") or t.endswith(" km") for t in texts)  # scale bar
    legend = fig.axes[0].get_legend()
    assert legend is not None and "图例" in legend.get_title().get_text()


def test_gpkg_and_excel_roundtrip(tmp_path, areas, sites) -> None:
    gp = write_gpkg({"areas": areas, "sites": sites, "empty": areas.iloc[:0]},
                    tmp_path / "out.gpkg")
    assert {name for name, _ in pyogrio.list_layers(gp)} == {"areas", "sites"}
    back = gpd.read_file(gp, layer="areas")
    assert list(back["name"]) == list(areas["name"])
    xl = write_excel({"居住区": areas, "sites": pd.DataFrame(sites.drop(columns="geometry"))},
                     tmp_path / "out.xlsx")
    wb = load_workbook(xl)
    assert wb.sheetnames == ["居住区", "sites"]
    assert wb["居住区"]["B2"].value == EVIL  # Excel stores text as text
    assert list(tmp_path.glob(".*")) == []  # no temporary file or folder left behind


def test_excel_shows_structured_messages_as_text(tmp_path) -> None:
    note = Message("where.rows", {"rows": ["R1", "R2"]})
    table = pd.DataFrame({"id": ["a", "b"],
                          "reason": [note, note.to_json()]})  # as made, and as stored
    wb = load_workbook(write_excel({"unmet": table}, tmp_path / "en.xlsx"))
    assert [wb["unmet"]["B2"].value, wb["unmet"]["B3"].value] == ["rows R1, R2"] * 2
    wb = load_workbook(write_excel({"unmet": table}, tmp_path / "zh.xlsx", lang="zh"))
    assert wb.worksheets[0]["B2"].value == "行 R1、R2"


def test_save_html_is_atomic_and_readable(tmp_path, areas) -> None:
    path = save_html(build_map(areas=areas, basemap="offline"), tmp_path / "out" / "map.html")
    assert path.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    assert path.stat().st_mode & 0o777 == 0o644  # colleagues can open the exported map
    assert sorted(p.name for p in path.parent.iterdir()) == ["map.html"]


def test_failed_gpkg_leaves_nothing(tmp_path) -> None:
    with pytest.raises(ValueError, match="no non-empty layer"):
        write_gpkg({}, tmp_path / "none.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_report_pdf_renders_chinese(tmp_path, areas, sites) -> None:
    fig = figure_map(areas=areas, value_col="shortfall", sites=sites)
    pdf = report_pdf(
        scenario_name="方案甲 <b>",
        profile_name="合肥市",
        parameters={"服务类型": "托育", "步行时间（分钟）": 15},
        indicators={"新增站点数": 2, "覆盖居民比例": 0.93},
        tables={"未满足需求": pd.DataFrame({"id": ["a9"], "原因": ["15分钟内无站点"]})},
        figure_png=figure_bytes(fig, fmt="png"),
    )
    assert pdf[:5] == b"%PDF-"
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "一老一小设施规划方案报告" in text
        assert "15分钟内无站点" in text and "方案甲 <b>" in text


def test_bundle_of_a_saved_scenario_of_both_services(areas, sites) -> None:
    from maps.bundle import _indicator_rows, scenario_bundle
    from planning.scenarios import Scenario

    nested = {
        "childcare": {"sites": 1, "new_capacity": 60.0, "unmet": 4.0, "unit": "places"},
        "eldercare": {"sites": 1, "new_capacity": 350.0, "unmet": 0.0, "unit": "m2"},
        "total": {"share_covered": 0.5, "status": "optimal", "gap": 0.0},
    }
    sc = Scenario(name="两项", parameters={"service": "both", "objective": "min_cost"},
                  results={"indicators": nested,
                           "unmet": pd.DataFrame({"id": ["a1"], "service": ["childcare"],
                                                  "amount": [4.0], "reason": ["no site"]})},
                  layers={"areas": areas.assign(fully_served=[True, False, True]),
                          "sites": sites})
    bundle = scenario_bundle(scenario=sc, lang="zh")
    assert bundle["report"][:5] == b"%PDF-" and bundle["png"][:4] == b"\x89PNG"
    sheet = load_workbook(io.BytesIO(bundle["xlsx"]))["指标"]
    assert [c.value for c in sheet["A"]][1:] == ["托育", "养老", "合计"]
    # unmet demand in each service's unit (托位 and m² are never added); sites are counted
    rows = _indicator_rows(nested, "both", "zh")
    assert rows["未满足需求"] == "托育 4.0 托位；养老 0.0 m²"
    assert rows["新增站点数"] == 2 and rows["覆盖居民比例"] == "50.0%"


def test_maps_and_pages_stay_small_and_maps_import_no_planning_internals() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for folder in ("maps", "pages"):
        for path in (root / folder).glob("*.py"):
            lines = path.read_text(encoding="utf-8").count("\n")
            assert lines <= 500, f"{path.name} has {lines} lines"
    public = {"planning.summaries", "planning.scenarios"}  # what maps may use of planning
    for path in (root / "maps").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                assert top not in ("pages", "app", "streamlit"), f"{path.name} imports {name}"
                if top == "planning":
                    assert name in public, f"{path.name} imports {name}"


def test_point_areas_are_coloured_circles_not_image_markers() -> None:
    """Residential areas as points (链家 tables, POIs) get circles coloured by the measure."""
    import geopandas as gpd
    from shapely.geometry import Point

    from maps.folium_map import build_map
    from maps.offline import offline_html

    pts = gpd.GeoDataFrame({"id": ["a", "b"], "name": ["甲", "乙"], "shortfall": [0.0, 5.0]},
                           geometry=[Point(117.27, 31.86), Point(117.28, 31.87)], crs=4326)
    html = offline_html(build_map(areas=pts, value_col="shortfall", uncovered_ids=["b"],
                                  basemap="offline", lang="zh"))
    assert "L.marker(" not in html  # Leaflet's default marker needs an unbundled image
    assert "circleMarker" in html and "pointToLayer" in html
    # coloured by the measure (0 → lightest, 5 → darkest of the yellow→red ramp), with
    # popups, the uncovered mark (a dashed red ring) and the legend like polygons
    fills = re.findall(r'"_fill": "(#[0-9a-f]{6,8})"', html)
    assert fills == ["#ffffccff", "#800026ff"]
    popups = [json.loads(f'"{p}"') for p in re.findall(r'"_popup": "((?:[^"\\]|\\.)*)"', html)]
    assert len(popups) == 2 and "<td>乙</td>" in popups[1] and "<td>5</td>" in popups[1]
    assert '"radius": 9' in html and '"dashArray": "5,4"' in html
    legend = json.loads(re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*")', html).group(1))
    for text in ("缺口", "<span>0</span><span>5</span>", "居住区", "未覆盖居住区"):
        assert text in legend


def test_city_figure_draws_point_areas_above_sites_and_legend_clear_of_map_furniture() -> None:
    """300 communities given as points, 200 sites: the dots stay visible and coloured."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(7)
    lon, lat = 116.40 + rng.uniform(0, 0.2, 300), 39.90 + rng.uniform(0, 0.15, 300)
    areas = gpd.GeoDataFrame(
        {"id": [f"a{i}" for i in range(300)], "shortfall": np.arange(300) % 10 * 1.0},
        geometry=gpd.points_from_xy(lon, lat), crs=4326)
    slon, slat = 116.40 + rng.uniform(0, 0.2, 200), 39.90 + rng.uniform(0, 0.15, 200)
    sites = gpd.GeoDataFrame(
        {"id": [f"s{i}" for i in range(200)], "status": ["proposed"] * 200,
         "service": ["childcare", "eldercare"] * 100, "capacity": [100.0] * 200},
        geometry=gpd.points_from_xy(slon, slat), crs=4326)
    fig = figure_map(areas=areas, value_col="shortfall", sites=sites,
                     uncovered_ids=["a0", "a1", "a2"], lang="zh")
    try:
        png = figure_bytes(fig, fmt="png")
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        ax = fig.axes[0]
        by_count = {}
        for c in ax.collections:
            by_count.setdefault(len(c.get_offsets()), []).append(c)
        dots, = by_count[300]  # one scatter of every area
        rings, = by_count[3]  # the uncovered ones ringed
        site_z = [c.get_zorder() for c in by_count[1]]  # one scatter per site symbol
        assert len(site_z) == 200 and dots.get_zorder() > max(site_z)
        assert rings.get_zorder() > dots.get_zorder()
        # each dot in the colour of its shortfall on the YlOrRd ramp (0 … 9 托位)
        cmap = plt.get_cmap("YlOrRd")
        assert np.allclose(dots.get_facecolors()[9], cmap(1.0))
        assert np.allclose(dots.get_facecolors()[0], cmap(0.0))
        # dots of 8·√(100/300) = 4.6 points across at 300 areas, a thin dark edge
        assert dots.get_sizes()[0] == pytest.approx((8 * (100 / 300) ** 0.5) ** 2)
        assert dots.get_linewidths()[0] == pytest.approx(0.4)
        renderer = fig.canvas.get_renderer()
        legend = ax.get_legend().get_window_extent(renderer)
        furniture = [p.get_window_extent(renderer) for p in ax.patches]  # bar, arrow
        furniture += [x.get_window_extent(renderer) for x in ax.texts]  # 0, km, 北
        assert len(furniture) == 6
        assert not any(legend.overlaps(b) for b in furniture)
        # under the map: the legend's top is below the axes' bottom
        assert legend.y1 <= ax.get_window_extent(renderer).y0
        assert ax.get_legend().get_texts()[0].get_fontsize() == 9
    finally:
        plt.close(fig)
