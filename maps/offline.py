"""Self-contained HTML for Folium maps: Leaflet inlined from files shipped in ``maps/static``.

Folium pulls Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. Planners on government
intranets have no CDN, so our maps use Leaflet alone (no Folium element that needs jQuery or
Bootstrap) and this module inlines the vendored Leaflet JS and CSS (images as data URIs). The
same HTML is what the Streamlit app shows, so the app works on an intranet too.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
from branca.element import Element

from core.fileio import atomic_write

STATIC_DIR = Path(__file__).resolve().parent / "static"
LEAFLET_VERSION = "1.9.4"

_EXTERNAL = re.compile(
    r"""(<script[^>]+src\s*=\s*["']?(?:https?:)?//)|(<link[^>]+href\s*=\s*["']?(?:https?:)?//)"""
    r"""|(@import\s+url\(\s*["']?(?:https?:)?//)""",
    re.IGNORECASE,
)


class OfflineAssetError(RuntimeError):
    """The map needs a JS/CSS asset that is not vendored in ``maps/static``."""


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Return (css, js) of the vendored Leaflet, CSS images inlined as data URIs."""
    css = (STATIC_DIR / "leaflet.css").read_text(encoding="utf-8")

    def _inline(match: re.Match[str]) -> str:
        rel = match.group(1)
        path = STATIC_DIR / rel
        if not path.exists():
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[\w\-]+\.png)\)", _inline, css)
    js = (STATIC_DIR / "leaflet.js").read_text(encoding="utf-8")
    if "</script" in js.lower():  # pragma: no cover - guards a vendor update
        raise OfflineAssetError("maps/static/leaflet.js contains '</script' and cannot be inlined")
    return css, js


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def make_offline(m: folium.Map) -> folium.Map:
    """Strip the CDN links of *m* and put the vendored Leaflet into its page header.

    Raises
    ------
    OfflineAssetError
        If an element of the map needs a JS/CSS library other than Leaflet (e.g. a Folium
        plugin): it would not load without internet.
    """
    for el in _walk(m):
        if el is m:
            continue
        for attr in ("default_js", "default_css"):
            assets = getattr(el, attr, None) or []
            extra = [name for name, _ in assets if name not in ("leaflet", "leaflet_css")]
            if extra:
                raise OfflineAssetError(
                    f"map element {type(el).__name__} needs {', '.join(extra)}, "
                    "which is not vendored in maps/static; use Leaflet-only elements"
                )
            if assets:
                setattr(el, attr, [])
    m.default_js = []
    m.default_css = []
    css, js = leaflet_assets()
    root: Any = m.get_root()
    root.header.add_child(
        Element(f"<style>{css}</style>\n<script>{js}</script>"), name="leaflet_inline", index=0
    )
    return m


def offline_html(m: folium.Map) -> str:
    """Render *m* to one self-contained HTML page (no script or stylesheet from the web).

    Tile layers still request tiles from their servers when the machine is online; in the
    ``offline`` base-map mode there are none and the page needs no network at all.

    Raises
    ------
    OfflineAssetError
        If the rendered page still links an external script or stylesheet.
    """
    make_offline(m)
    html = m.get_root().render()
    found = _EXTERNAL.search(html)
    if found:
        raise OfflineAssetError(
            "rendered map still links an external asset near: "
            f"{html[found.start():found.start() + 120]!r}"
        )
    return html


def save_html(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write :func:`offline_html` of *m* to *path* with :func:`core.fileio.atomic_write`.

    Parameters
    ----------
    m : folium.Map
        The map.
    path : path-like
        The ``.html`` file to write.

    Returns
    -------
    pathlib.Path
        *path*.
    """
    html = offline_html(m)

    def write(tmp: Path) -> None:
        tmp.write_text(html, encoding="utf-8")

    return atomic_write(path, write)
