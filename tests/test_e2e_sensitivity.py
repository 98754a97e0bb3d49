"""End to end: the 敏感性分析 page in headless Chromium with the network off.

Runs the default budget sweep of the demo, checks the curve (Vega, bundled with Streamlit)
is drawn, that a click on a point opens its run's plan on the map, and saves a screenshot
(``$SENS_SCREENSHOT``, default the test's temporary folder) to be looked at.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.test_e2e_browser import (  # noqa: F401 - app_url is a fixture
    NEEDS_CHROMIUM,
    _launch,
    _offline,
    app_url,
    wait_for_map,
)

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]
playwright = pytest.importorskip("playwright.sync_api")


def test_sensitivity_page_draws_curve_and_map_offline(app_url, tmp_path) -> None:  # noqa: F811
    from PIL import Image

    with playwright.sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 3000})
        blocked = _offline(page, (app_url, "data:", "about:", "blob:"))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(app_url, wait_until="domcontentloaded")
        page.locator('[data-testid="stSidebarNav"]').get_by_text("敏感性分析").click(
            timeout=60_000)
        page.get_by_role("button", name="运行敏感性分析").click(timeout=60_000)
        page.get_by_text("各次运行").first.wait_for(timeout=120_000)
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.wait_for(timeout=30_000)
        points = chart.locator("g.mark-symbol path")  # Vega draws the curve as SVG
        points.first.wait_for(timeout=30_000)
        assert points.count() == 4  # the default sweep: four budgets
        # a click on the last point (the largest budget) shows that run's plan
        points.nth(3).click(force=True)
        page.get_by_text("#4 · 预算（元） 16,000,000 的选址方案").first.wait_for(timeout=60_000)
        frame = wait_for_map(page, "path.leaflet-interactive", 51, seconds=60)
        assert frame is not None, "no Leaflet map of the chosen run"
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        chart.screenshot(path=str(tmp_path / "curve.png"))
        pixels = np.asarray(Image.open(tmp_path / "curve.png").convert("L"), dtype=float)
        assert pixels.std() > 10, "the curve is blank"
        shot = Path(os.environ.get("SENS_SCREENSHOT") or tmp_path / "sens.png")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    # the curve needs nothing from outside (the tab's icon, app.py's page_icon, is asked
    # from fonts.gstatic.com and falls back to none when blocked)
    assert not [u for u in blocked if "fonts.gstatic.com/s/i/" not in u], blocked
    assert not errors, errors
