"""Take the README's screenshots of the app on the demo district, offline, in Chromium.

Starts ``streamlit run app.py`` from this checkout on a free local port, with a fresh
scenario store in a temporary folder, and drives headless Chromium (Debian's
``/usr/bin/chromium``, through playwright) with every request outside the app blocked:

* ``docs/screenshot.png``: the 选址方案 page after a joint 托育 + 养老 run, the status line,
  the four figures and the map (shared sites marked) in one view;
* ``docs/screenshot_sensitivity.png``: the 敏感性分析 page after a three-budget sweep, its
  curve and table of runs.

Usage (from the repository root)::

    .venv/bin/python scripts/screenshot.py [--only scenario|sensitivity] [--out docs]

Each PNG is reduced to a palette image when it is over ``--max-kb`` (400 KB by default).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_e2e_browser import _free_port, _launch, _map_frame, _offline  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1000}
#: The three budgets of the sweep (元): too little, about half, all of the demo's need.
BUDGETS = "2000000, 6000000, 16000000"


@contextlib.contextmanager
def running_app(store: Path) -> Iterator[str]:
    """Run the app on a free port with its scenario store in *store*; yield its URL."""
    port = _free_port()
    env = dict(os.environ, YILAO_DATA_DIR=str(store), MPLBACKEND="Agg")
    log = (store / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false",
         "--client.toolbarMode", "minimal"],  # no developer menu ("Deploy") in the picture
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    proc.kill()
                    out = (store / "streamlit.log").read_text(errors="replace")
                    raise SystemExit(
                        f"streamlit did not start on {url}:\n{out[-3000:]}") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _open_page(browser, url: str, title: str):
    """A new 1400-wide tab on *url* (network blocked but for the app) at page *title*."""
    page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
    page.blocked = _offline(page, (url, "data:", "about:", "blob:"))
    page.goto(url, wait_until="domcontentloaded")
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title).click(timeout=60_000)
    return page


def _close(page, path: Path) -> None:
    """Close *page*; say which requests were blocked (a picture missing something?)."""
    # the tab's icon (app.py's page_icon) is asked from fonts.gstatic.com: not in the picture
    missed = sorted({u for u in page.blocked if "fonts.gstatic.com/s/i/" not in u})
    page.close()
    for u in missed:
        print(f"{path.name}: blocked {u}", file=sys.stderr)


def _wait_for_map(page, selector: str, seconds: float = 60):
    """The Leaflet frame once it holds *selector*; SystemExit when it does not appear."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        frame = _map_frame(page)
        if frame is not None and frame.locator(selector).count():
            return frame
        time.sleep(0.5)
    raise SystemExit(f"no map with {selector} on the page")


def _scroll_to(page, locator, margin: int = 16) -> None:
    """Scroll the page so that *locator*'s top is *margin* px below the top of the view."""
    locator.evaluate(
        """(e, margin) => {
            e.scrollIntoView({block: 'start'});
            let pane = e.parentElement;
            while (pane && pane.scrollHeight <= pane.clientHeight + 1) pane = pane.parentElement;
            if (pane) pane.scrollBy(0, -margin);
        }""", margin)
    page.wait_for_timeout(600)


#: Pan the map sideways so the district sits between the zoom buttons and the legend (as a
#: planner would drag it), nothing of it under the legend.
_CLEAR_OF_LEGEND = """() => {
    const m = Object.values(window).find(v => v instanceof L.Map);
    const legend = document.querySelector('.pl-legend');
    if (!m || !legend) return 0;
    let b = null;
    m.eachLayer(l => {
        if (!l.getBounds || l instanceof L.TileLayer) return;
        const lb = l.getBounds();
        if (!lb.isValid()) return;
        if (b) b.extend(lb); else b = L.latLngBounds(lb.getSouthWest(), lb.getNorthEast());
    });
    if (!b) return 0;
    const box = m.getContainer().getBoundingClientRect();
    const left = m.latLngToContainerPoint(b.getSouthWest()).x;
    const right = m.latLngToContainerPoint(b.getNorthEast()).x;
    const free = [56, legend.getBoundingClientRect().left - box.left - 12];
    const dx = Math.round((left + right) / 2 - (free[0] + free[1]) / 2);
    m.panBy([dx, 0], {animate: false});
    return dx;
}"""


def shoot_scenario(browser, url: str, out: Path) -> Path:
    """The 选址方案 page after a joint 托育 + 养老 run: status, figures and map."""
    page = _open_page(browser, url, "选址方案")
    page.get_by_text("托育 + 养老").first.click(timeout=60_000)
    page.get_by_role("button", name="运行方案").click(timeout=60_000)
    page.get_by_text("求解状态").first.wait_for(timeout=120_000)
    frame = _wait_for_map(page, ".pl-site.site-shared")
    frame.locator(".pl-legend").first.wait_for(timeout=10_000)
    status = page.locator('[data-testid="stAlert"]').filter(has_text="求解状态").first
    _scroll_to(page, status)
    frame.evaluate(_CLEAR_OF_LEGEND)
    page.wait_for_timeout(800)
    box = page.locator("iframe").first.bounding_box()
    path = out / "screenshot.png"
    clip = None if box is None else {  # down to just below the map
        "x": 0, "y": 0, "width": VIEWPORT["width"],
        "height": min(VIEWPORT["height"], box["y"] + box["height"] + 16)}
    page.screenshot(path=str(path), clip=clip)
    _close(page, path)
    return path


def shoot_sensitivity(browser, url: str, out: Path) -> Path:
    """The 敏感性分析 page after a three-budget sweep: the curve and the runs."""
    page = _open_page(browser, url, "敏感性分析")
    values = page.get_by_label("预算（元） 的取值")
    values.wait_for(timeout=60_000)
    values.fill(BUDGETS)
    values.press("Enter")
    page.wait_for_timeout(800)
    page.get_by_role("button", name="运行敏感性分析").click(timeout=60_000)
    page.get_by_text("各次运行").first.wait_for(timeout=180_000)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.locator("g.mark-symbol path").first.wait_for(timeout=30_000)
    _wait_for_map(page, ".pl-site")  # the first run's plan: the page has finished
    page.wait_for_timeout(1000)
    success = page.locator('[data-testid="stAlert"]').first
    _scroll_to(page, success)
    page.mouse.move(340, VIEWPORT["height"] - 10)  # on no widget: no hover toolbars
    page.wait_for_timeout(1000)
    # from the summary line down to just below the choice of a run (its map follows)
    top = success.bounding_box()
    box = page.locator('[data-testid="stSelectbox"]').filter(
        has_text="查看哪一次运行的方案").first.bounding_box()
    path = out / "screenshot_sensitivity.png"
    y0 = 0 if top is None else max(0, top["y"] - 12)
    clip = None if box is None else {
        "x": 0, "y": y0, "width": VIEWPORT["width"],
        "height": min(VIEWPORT["height"], box["y"] + box["height"] + 20) - y0}
    page.screenshot(path=str(path), clip=clip)
    _close(page, path)
    return path


def shrink(path: Path, max_kb: int) -> int:
    """Rewrite *path* optimised, as a 256-colour palette PNG when still over *max_kb*."""
    from PIL import Image

    img = Image.open(path).convert("RGB")
    img.save(path, optimize=True)
    if path.stat().st_size > max_kb * 1024:
        buf = io.BytesIO()
        img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
                     ).save(buf, format="PNG", optimize=True)
        path.write_bytes(buf.getvalue())
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--only", choices=["scenario", "sensitivity"])
    parser.add_argument("--max-kb", type=int, default=400)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    shots = {"scenario": shoot_scenario, "sensitivity": shoot_sensitivity}
    with tempfile.TemporaryDirectory() as store, running_app(Path(store)) as url, \
            sync_playwright() as p:
        browser = _launch(p)
        try:
            for name, shoot in shots.items():
                if args.only in (None, name):
                    path = shoot(browser, url, args.out)
                    size = shrink(path, args.max_kb)
                    print(f"{path} {size / 1024:.0f} KB")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
