"""In headless Chromium: a planner uploads residential points in BD-09 (百度) with some rows
lacking coordinates, confirms their exclusion, sets a default area type, and runs a joint
child-care and elder-care scenario on them.

Uses the app server and the browser helpers of :mod:`tests.test_e2e_browser`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_e2e_browser import NEEDS_CHROMIUM, _launch, _offline, app_url, wait_for_map

__all__ = ["app_url"]  # the fixture, imported to be used here

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]
playwright = pytest.importorskip("playwright.sync_api")

N_POINTS = 30
NO_COORDS = ["P31", "P32", "P33"]


def _bd09_csv(path: Path) -> None:
    """30 residential points at the demo district's areas, in BD-09, and 3 without coordinates."""
    from geo import load_demo
    from geo.datums import wgs84_to_bd09

    areas = load_demo()["areas"].head(N_POINTS)
    centres = areas.to_crs(3857).geometry.centroid.to_crs(4326)
    lon, lat = wgs84_to_bd09(centres.x.to_numpy(), centres.y.to_numpy())
    lines = ["编号,名称,户数,经度,纬度"]
    for i, (x, y, hh) in enumerate(zip(lon, lat, areas["households"], strict=True)):
        lines.append(f"P{i + 1:02d},小区{i + 1},{int(hh)},{x:.6f},{y:.6f}")
    lines += [f"{rid},小区{rid},200,," for rid in NO_COORDS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _select(page, label: str, option: str) -> None:
    """Choose *option* of the Streamlit selectbox labelled *label*."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).click()


def test_bd09_points_excluded_rows_default_type_joint_run(app_url, tmp_path) -> None:
    csv = tmp_path / "residential_bd09.csv"
    _bd09_csv(csv)
    with playwright.sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        _offline(page, (app_url, "data:", "about:", "blob:"))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(app_url, wait_until="domcontentloaded")
        nav = page.locator('[data-testid="stSidebarNav"]')
        nav.get_by_text("数据", exact=True).click(timeout=60_000)
        page.get_by_text("上传自有数据").first.wait_for(timeout=60_000)

        _select(page, "坐标系", "BD-09 (百度)")
        page.wait_for_timeout(1500)  # the select's rerun: a file given during it can be lost
        missing = page.get_by_text("3 行没有坐标（坐标为空或不是数字）：P31、P32、P33")
        for attempt in range(3):  # the uploader is the data page's first file input
            page.locator('input[type="file"]').first.set_input_files(str(csv))
            try:
                missing.wait_for(timeout=20_000)
                break
            except playwright.Error:
                if attempt == 2:
                    raise
        page.get_by_text(f"{N_POINTS} 行没有新旧类型").first.wait_for(timeout=30_000)
        page.get_by_text("确认排除这 3 行").click()
        page.get_by_text("全部设为老旧（已建成）").click()
        page.wait_for_timeout(1500)  # the widgets' reruns
        page.get_by_role("button", name="读取", exact=True).click()
        page.get_by_text(f"已读取 {N_POINTS} 条记录：居住区").wait_for(timeout=60_000)
        exclusion = "经规划师确认，排除 3 行没有坐标的记录（坐标为空或不是数字）：P31、P32、P33"
        assert page.get_by_text(exclusion).count() >= 1
        assert page.get_by_text("以下图层仍是示例数据").count() == 1

        nav.get_by_text("选址方案").click()
        page.get_by_text("托育 + 养老").first.click(timeout=60_000)
        page.wait_for_timeout(1500)
        page.get_by_role("button", name="运行方案").click()
        page.get_by_text("求解状态").first.wait_for(timeout=120_000)
        assert page.get_by_text("联合选址 · 求解状态").count() == 1  # one joint model
        page.get_by_text("托育和养老在共址站点上联合选址").first.wait_for(timeout=60_000)
        page.get_by_text(exclusion).first.wait_for(timeout=30_000)  # carried by the run

        frame = wait_for_map(page, ".leaflet-interactive", N_POINTS)
        assert frame is not None, "no Leaflet map on the page"
        assert frame.locator(".leaflet-interactive").count() >= N_POINTS  # the planner's points
        page.wait_for_timeout(1000)
        images = frame.evaluate(
            "() => Array.from(document.images).map(i => [i.src.slice(0, 80), i.complete,"
            " i.naturalWidth])")
        broken = [im for im in images if not im[1] or im[2] == 0]
        assert not broken, broken
        assert not [im for im in images if "marker-icon" in im[0]]  # no default Leaflet pins
        # a site hosting both services is marked, and each service keeps its own unit
        assert frame.locator(".pl-site.site-shared").count() >= 1
        assert page.get_by_text("未满足需求 · 托育").count() == 1
        assert page.get_by_text("未满足需求 · 养老").count() == 1

        # the export page's Excel and report give every figure its service's unit
        nav.get_by_text("导出", exact=True).click()
        page.get_by_role("button", name="生成导出文件").click(timeout=60_000)
        files = {}
        for label, name in (("表格（Excel）", "tables.xlsx"),
                            ("规划报告（PDF，中文）", "report.pdf")):
            button = page.get_by_role("button", name=label)
            button.wait_for(timeout=120_000)
            with page.expect_download() as dl:
                button.click()
            files[name] = tmp_path / name
            dl.value.save_as(files[name])
        browser.close()
    assert not [e for e in errors if "leaflet" in e.lower()], errors
    _check_exports(files)


def _check_exports(files: dict[str, Path]) -> None:
    """Unmet demand and sites in the workbook carry 托位 or m² by service; the report too."""
    import shutil
    import subprocess

    import pandas as pd

    sheets = pd.read_excel(files["tables.xlsx"], sheet_name=None)
    for sheet in ("站点", "未满足需求"):
        frame = sheets[sheet]
        units = dict(zip(frame["服务"], frame["单位"], strict=True))
        assert set(units) <= {"托育", "养老"} and units, (sheet, units)
        assert all(units[s] == {"托育": "托位", "养老": "m²"}[s] for s in units), units
    assert files["report.pdf"].read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(files["report.pdf"]), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "托位" in text and "m²" in text and "未满足需求" in text
