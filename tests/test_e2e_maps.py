"""End to end: a joint scenario's map in headless Chromium, its sites visible and marked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_e2e_browser import (  # noqa: F401 - app_url is a fixture
    _launch,
    _offline,
    app_url,
    pytestmark,
    wait_for_map,
)

playwright = pytest.importorskip("playwright.sync_api")

#: Is each marker the topmost element at its own centre (nothing hides it)?
_ON_TOP = """els => els.map(e => {
    const r = e.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    const m = hit && hit.closest(".pl-site");
    // under the legend or the layer switch (map controls the planner can fold) is not hidden
    // by another symbol
    if (hit && hit.closest(".leaflet-control")) return true;
    return !!hit && (hit === e || e.contains(hit)) ? true : (m ? m.className : String(hit));
})"""


def test_joint_scenario_map_shows_child_care_and_marks_shared_sites(
        app_url, tmp_path) -> None:  # noqa: F811 - the imported fixture
    shots = Path(os.environ.get("MAP_SHOTS", tmp_path))
    with playwright.sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        _offline(page, (app_url, "data:", "about:", "blob:"))
        page.goto(app_url, wait_until="domcontentloaded")
        page.locator('[data-testid="stSidebarNav"]').get_by_text("选址方案").click(
            timeout=60_000)
        page.get_by_text("托育 + 养老").first.click(timeout=60_000)
        page.get_by_role("button", name="运行方案").click(timeout=60_000)
        page.get_by_text("求解状态").first.wait_for(timeout=90_000)
        frame = wait_for_map(page, ".site-shared")
        assert frame is not None, "no Leaflet map on the page"
        shared = frame.locator(".pl-site.site-shared")
        child = frame.locator(".pl-site.site-childcare")
        assert shared.count() >= 1 and child.count() > shared.count()
        assert frame.locator(".leaflet-marker-icon img, img.leaflet-marker-icon").count() == 0
        page.locator("iframe").first.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        # every child-care symbol is on top at its centre, or under a smaller child-care
        # symbol close by (the smaller is drawn above): never under an elder-care one
        on_top = frame.locator(".pl-site.site-childcare:not(.site-shared)").evaluate_all(
            _ON_TOP)
        assert on_top and all(x is True or ("site-childcare" in x and "site-eldercare" not in x)
                              for x in on_top), on_top
        page.locator("iframe").first.screenshot(path=str(shots / "joint_map.png"))
        browser.close()
