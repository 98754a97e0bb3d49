"""Maps of a plan: symbols per service and status, shared sites, one colour scale for many."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from maps.folium_map import build_map
from maps.layers import area_measures, shared_range
from maps.offline import offline_html
from maps.sites import plan_site_layer, site_symbols


@pytest.fixture
def joint_sites() -> gpd.GeoDataFrame:
    """A joint run's site layer: J1 hosts both services, K existing, E enlarged."""
    return gpd.GeoDataFrame(
        {
            "id": ["J1-childcare", "J1-eldercare", "K", "E"],
            "name": ["共享中心", "共享中心", "现状托育园", "扩建养老站"],
            "service": ["childcare", "eldercare", "childcare", "eldercare"],
            "status": ["proposed", "proposed", "existing", "proposed"],
            "capacity": [40.0, 1000.0, 160.0, 90.0],
        },
        geometry=[Point(117.27, 31.86), Point(117.27, 31.86), Point(117.28, 31.86),
                  Point(117.29, 31.86)],
        crs=4326,
    )


@pytest.fixture
def site_table() -> pd.DataFrame:
    """The run's site table: E had 50 m² before the plan (enlarged)."""
    return pd.DataFrame({"id": ["J1-childcare", "J1-eldercare", "K", "E"],
                         "site_id": ["J1", "J1", "K", "E"],
                         "existing_capacity": [0.0, 0.0, 160.0, 50.0],
                         "new_capacity": [40.0, 1000.0, 0.0, 40.0]})


def _markers(html: str) -> list[dict]:
    """Each site marker's classes, SVG, z offset and popup (from the rendered script)."""
    out = []
    pattern = (r'L\.marker\((\[[^\]]+\]), \{\s*icon: L\.divIcon\(\{html: ("(?:[^"\\]|\\.)*"), '
               r'className: ("[^"]*")[^}]*\}\),\s*zIndexOffset: (-?\d+)')
    for found in re.finditer(pattern, html):
        rest = html[found.end():]
        popup = re.search(r'bindPopup\(("(?:[^"\\]|\\.)*")', rest)
        out.append({"loc": json.loads(found.group(1)), "svg": json.loads(found.group(2)),
                    "cls": json.loads(found.group(3)).split(), "z": int(found.group(4)),
                    "popup": json.loads(popup.group(1)) if popup else ""})
    return out


def test_joint_map_marks_the_shared_site_and_scales_each_service(joint_sites,
                                                                  site_table) -> None:
    layer = plan_site_layer(joint_sites, site_table)
    html = offline_html(build_map(sites=layer, basemap="offline", lang="zh"))
    markers = _markers(html)
    assert len(markers) == 3  # J1 is drawn once
    by_cls = {m["cls"][-1]: m for m in markers}
    shared = [m for m in markers if "site-shared" in m["cls"]]
    assert len(shared) == 1
    assert {"site-childcare", "site-eldercare", "site-new"} <= set(shared[0]["cls"])
    assert "ring-shared" in shared[0]["svg"]
    # the popup lists both services with their units
    assert "<th>托育</th><td>新建 · 40 托位</td>" in shared[0]["popup"]
    assert "<th>养老</th><td>新建 · 1,000 m²</td>" in shared[0]["popup"]
    # each service on its own scale: child care 40 of 160 → 4 + 12·√0.25 = 10, 160 → 16;
    # elder care 1000 of 1000 → 16, 90 → 4 + 12·√0.09 = 7.6 (one scale would give 6.4)
    radii = {(m_.group(1), m_.group(2)): float(m_.group(3)) for m in markers for m_ in
             re.finditer(r'sym-(\w+) sym-(\w+)" data-r="([\d.]+)"', m["svg"])}
    assert radii == pytest.approx({("childcare", "new"): 10.0, ("eldercare", "new"): 16.0,
                                   ("childcare", "existing"): 16.0,
                                   ("eldercare", "enlarged"): 7.6})
    # in the shared marker both symbols are whole, side by side: the circle left of the
    # square of equal area per size (half-side 16·√π/2 = 14.18), in the orange frame
    svg = shared[0]["svg"]
    circle = re.search(r'<circle cx="([\d.]+)" cy="[\d.]+" r="10.00" class="sym sym-childcare',
                       svg)
    square = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="28.36" height="28.36" '
                       r'class="sym sym-eldercare', svg)
    assert circle and square and float(circle.group(1)) + 10.0 < float(square.group(1))
    assert 'class="ring-shared"' in svg
    # the enlarged site says what it had; smaller symbols sit above larger ones
    enlarged = by_cls["site-enlarged"]
    assert "扩建 · 90 m² （原有 50 m²）" in enlarged["popup"]
    assert "site-eldercare" in enlarged["cls"] and "site-childcare" not in enlarged["cls"]
    existing = by_cls["site-existing"]
    assert enlarged["z"] > existing["z"] >= shared[0]["z"]
    # no image anywhere: every marker is an inline-SVG divIcon
    assert "<img" not in html and "\\u003cimg" not in html
    body = html[html.index("</head>"):]  # the map's own script, after the inlined Leaflet
    assert "L.Icon" not in body and "marker-icon" not in body and "setIcon" not in body
    assert html.count("L.marker(") == html.count("L.divIcon(") == 3
    # the legend: each service with its unit and scale, and the shared ring
    for text in ("托育", "(托位)", "养老", "(m²)", "最大 160 托位", "最大 1,000 m²",
                 "共享站点（托育与养老同址，橙色框）", "扩建"):
        assert json.dumps(text)[1:-1] in html


def test_sites_at_one_point_without_a_site_table_are_shared(joint_sites) -> None:
    symbols = site_symbols(joint_sites)
    assert [s.shared for s in symbols].count(True) == 1
    # without existing capacities a proposed site counts as new
    assert {p.kind for s in symbols for p in s.parts} == {"new", "existing"}


def _fills(html: str) -> list[str]:
    return re.findall(r'"_fill": "(#[0-9a-f]{6,8})"', html)


def test_one_colour_scale_across_scenarios() -> None:
    a = gpd.GeoDataFrame({"id": ["a1", "a2"], "childcare_unmet": [5.0, np.nan]},
                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    b = gpd.GeoDataFrame({"id": ["b1", "b2"], "childcare_unmet": [5.0, 12.0]},
                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    assert shared_range([a, None, b, a.drop(columns="childcare_unmet")],
                        "childcare_unmet") == (5.0, 12.0)
    assert shared_range([a.drop(columns="childcare_unmet")], "childcare_unmet") is None
    kw = {"value_col": "childcare_unmet", "basemap": "offline", "value_range": (0.0, 12.0)}
    html_a = offline_html(build_map(areas=a, **kw))
    html_b = offline_html(build_map(areas=b, **kw))
    # the same 5 托位 has the same colour on both maps, and both legends run 0 (a shortfall
    # ramp starts at none) to 12
    assert _fills(html_a)[0] == _fills(html_b)[0]
    for html in (html_a, html_b):
        assert "<span>0</span><span>12</span>" in json.loads(
            re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*")', html).group(1))
    # on its own the first map would make 5 its darkest colour
    alone = offline_html(build_map(areas=a, value_col="childcare_unmet", basemap="offline"))
    assert _fills(alone)[0] != _fills(html_a)[0]


def test_measures_of_a_joint_run_per_service_with_units() -> None:
    cols = ["childcare_unmet", "eldercare_unmet", "childcare_served_share",
            "eldercare_served_share", "childcare_places_required",
            "eldercare_area_required_m2", "coverage"]
    areas = pd.DataFrame({c: [1.0] for c in cols})
    got = area_measures(areas, ["childcare", "eldercare"], lang="zh")
    assert got == [
        ("childcare_unmet", "shortfall", "托育缺口（托位）"),
        ("childcare_served_share", "coverage", "托育需求满足比例（%）"),
        ("childcare_places_required", "value", "托育需求（托位）"),
        ("eldercare_unmet", "shortfall", "养老缺口（m²）"),
        ("eldercare_served_share", "coverage", "养老需求满足比例（%）"),
        ("eldercare_area_required_m2", "value", "养老需求（m²）"),
    ]
    one = pd.DataFrame({"shortfall": [1.0], "eldercare_unmet": [1.0]})
    assert area_measures(one, ["eldercare"], lang="en")[0] == (
        "eldercare_unmet", "shortfall", "Elder care shortfall (m²)")


def test_report_figure_sizes_each_service_on_its_own_scale(joint_sites, site_table) -> None:
    import math

    import matplotlib.pyplot as plt

    from maps.export import figure_map

    fig = figure_map(sites=plan_site_layer(joint_sites, site_table), lang="zh")
    try:
        sizes = sorted(float(c.get_sizes()[0]) for c in fig.axes[0].collections)
    finally:
        plt.close(fig)
    # marker diameter 1.5 points per pixel of web radius; squares of the circle's area:
    # child care 40 → r 10 → 15² = 225, 160 → r 16 → 24² = 576; elder care 1000 → r 16 →
    # 24²·π/4, 90 → r 7.6 → 11.4²·π/4; the shared ring spans both: (1.5·(10 + 16) + 8)²
    assert sizes == pytest.approx(sorted([225.0, 576.0, 576.0 * math.pi / 4,
                                          11.4 ** 2 * math.pi / 4, 47.0 ** 2]))


def test_export_bundle_map_shows_enlarged_and_shared_sites_like_the_app(joint_sites,
                                                                      site_table) -> None:
    """A saved scenario's site table reaches the export's map: E enlarged, J1 shared."""
    from maps.bundle import scenario_bundle
    from planning.scenarios import Scenario

    sc = Scenario(name="联合", parameters={"service": "both", "objective": "min_cost"},
                  results={"sites": site_table.to_dict("records")},
                  layers={"sites": joint_sites})
    html = scenario_bundle(scenario=sc, lang="zh")["html"].decode("utf-8")
    markers = _markers(html)
    enlarged = [m for m in markers if "site-enlarged" in m["cls"]]
    assert len(enlarged) == 1 and "扩建 · 90 m² （原有 50 m²）" in enlarged[0]["popup"]
    shared = [m for m in markers if "site-shared" in m["cls"]]
    assert len(shared) == 1 and "<th>id</th><td>J1</td>" in shared[0]["popup"]


def _ramp_ends(html: str) -> list[str]:
    legend = json.loads(re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*")', html).group(1))
    return re.findall(r"<span>([^<]*)</span><span>([^<]*)</span></div>", legend)[0]


def test_legend_ramp_ends_are_shown_by_the_measure_unit() -> None:
    """Persons whole, places with at most one decimal, shares as percentages."""
    from maps.layers import measure_number

    geoms = [box(0, 0, 1, 1), box(1, 0, 2, 1)]
    density = gpd.GeoDataFrame({"id": ["a", "b"], "residents_per_ha": [12.345, 43.83]},
                               geometry=geoms, crs=4326)
    html = offline_html(build_map(areas=density, value_col="residents_per_ha",
                                  value_kind="value", value_label="人口密度（人/公顷）",
                                  basemap="offline"))
    assert _ramp_ends(html) == ("12", "44")
    places = gpd.GeoDataFrame({"id": ["a", "b"], "childcare_unmet": [0.0, 5.26]},
                              geometry=geoms, crs=4326)
    html = offline_html(build_map(areas=places, value_col="childcare_unmet",
                                  basemap="offline"))
    assert _ramp_ends(html) == ("0", "5.3")
    shares = gpd.GeoDataFrame({"id": ["a", "b"], "childcare_served_share": [0.518, 1.0]},
                              geometry=geoms, crs=4326)
    html = offline_html(build_map(areas=shares, value_col="childcare_served_share",
                                  value_kind="coverage", basemap="offline"))
    assert _ramp_ends(html) == ("0%", "100%")
    assert "51.8%" in html  # the area's popup says it the same way
    assert measure_number(1234.56, column="eldercare_unmet", kind="shortfall") == "1,235"
    assert measure_number(None) == "–"


def test_uncovered_areas_per_service() -> None:
    """A map coloured by one service rings that service's gaps, not the other's."""
    import pandas as pd

    from planning.summaries import uncovered_ids

    a = pd.DataFrame({"id": ["a", "b", "c"], "fully_served": [True, False, False],
                      "childcare_unmet": [0.0, 0.0, 3.2], "eldercare_unmet": [0.0, 12.5, 0.0]})
    assert uncovered_ids(a) == ["b", "c"]
    assert uncovered_ids(a, "childcare") == ["c"]
    assert uncovered_ids(a, "eldercare") == ["b"]
    assert uncovered_ids(a, "childcare_unmet") == ["c"]  # the measure shown names it
