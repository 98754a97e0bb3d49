"""The sites of a plan on a map: one symbol per service and status, shared sites marked.

Child care is a circle, elder care a square; a new site is filled with its service's colour,
an enlarged one is outlined in it (white inside), an existing one is grey. Symbol sizes are
scaled within each service (托位 and m² never share a scale): half-size in pixels
``4 + 12·√(capacity / largest of the service)``. Sites of both services at one place (a joint
run's shared site, or two layers' rows at the same point) are drawn once: both symbols side
by side, whole, in an orange frame. Symbols are inline SVG in a Leaflet ``divIcon``
(no image file), each marker with the CSS classes ``pl-site site-<service> site-<status>``
and ``site-shared`` for a shared site; smaller symbols are drawn above larger ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from core.texts import t
from maps.html import BindText, esc, fmt, table

#: Colour of each service's symbols (not on the yellow→red or red→green area ramps).
SERVICE_COLOURS: dict[str, str] = {"childcare": "#1f5fbf", "eldercare": "#7b2d8e"}
OTHER_SERVICE_COLOUR = "#ff7f0e"
EXISTING_FILL = "#9e9e9e"
SHARED_COLOUR = "#ff8c00"
CANDIDATE_COLOUR = "#7f7f7f"
#: Services in drawing and legend order.
SERVICES: tuple[str, ...] = ("childcare", "eldercare")
#: Shape of each service's symbol.
SHAPES: dict[str, str] = {"childcare": "circle", "eldercare": "square"}
#: Statuses of a site on the map, in legend order.
KINDS: tuple[str, ...] = ("new", "enlarged", "existing", "candidate")
CANDIDATE_RADIUS = 3.0
SHARED_RING_GAP = 3.0
_PAD = 2.0
_GAP = 2.0
#: Half-side of a square per pixel of radius: a square and a circle of one size have one area.
SQUARE_HALF = math.sqrt(math.pi) / 2.0


def symbol_radius(capacity: Any, cap_max: float) -> float:
    """Half-size of a symbol in pixels: 4 + 12·√(capacity / largest), area ∝ capacity.

    Parameters
    ----------
    capacity : object
        The site's capacity (托位 or m²); not a positive number gives the smallest size.
    cap_max : float
        The largest capacity of the same service on the map.

    Returns
    -------
    float
        Between 4 and 16 pixels.
    """
    try:
        c = float(capacity)
    except (TypeError, ValueError):
        c = float("nan")
    if math.isnan(c) or c <= 0 or cap_max <= 0:
        return 4.0
    return 4.0 + 12.0 * math.sqrt(min(c / cap_max, 1.0))


def site_kind(status: Any, existing_capacity: Any = None) -> str:
    """The map status of a site: ``new``, ``enlarged``, ``existing`` or ``candidate``.

    A proposed site with an existing capacity above zero is enlarged, otherwise new.
    """
    s = str(status) if status is not None and status == status else "existing"
    if s in ("new", "enlarged", "existing", "candidate"):
        return s
    if s == "proposed":
        try:
            had = float(existing_capacity)
        except (TypeError, ValueError):
            had = 0.0
        return "enlarged" if had > 0 else "new"
    return "existing"


@dataclass
class SymbolPart:
    """One service's symbol inside a marker."""

    service: str
    kind: str
    radius: float
    capacity: float
    existing_capacity: float | None
    name: str
    site_id: str


@dataclass
class SiteSymbol:
    """One marker: a place with one or more services' symbols."""

    lat: float
    lon: float
    parts: list[SymbolPart] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        """True when the place hosts more than one service."""
        return len({p.service for p in self.parts}) > 1

    @property
    def classes(self) -> str:
        """CSS classes of the marker (stable, for styling and browser tests)."""
        names = ["pl-site"]
        names += [f"site-{s}" for s in dict.fromkeys(p.service for p in self.parts)]
        names += [f"site-{k}" for k in dict.fromkeys(p.kind for p in self.parts)]
        if self.shared:
            names.append("site-shared")
        return " ".join(names)

    @property
    def outer(self) -> float:
        """Half-size of the largest symbol in pixels (what orders the drawing)."""
        return max(p.radius for p in self.parts)

    @property
    def layout(self) -> list[SymbolPart]:
        """The symbols in drawing order.

        Side by side in service order at a shared site (each whole), else from the largest
        to the smallest (the smaller on top).
        """
        if self.shared:
            order = {s: k for k, s in enumerate(SERVICES)}
            return sorted(self.parts, key=lambda p: (order.get(p.service, 99), -p.radius))
        return sorted(self.parts, key=lambda p: -p.radius)

    @property
    def box(self) -> tuple[float, float]:
        """Width and height of the marker in pixels (the ring of a shared site included)."""
        pad = _PAD + (SHARED_RING_GAP + 1.5 if self.shared else 0.0)
        h = 2 * self.outer + 2 * pad
        if not self.shared:
            return h, h
        return sum(2 * p.radius for p in self.parts) + _GAP * (len(self.parts) - 1) + 2 * pad, h


def _num(value: Any) -> float:
    v = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(v) if pd.notna(v) else float("nan")


def site_symbols(sites: gpd.GeoDataFrame) -> list[SiteSymbol]:
    """Group the sites by place and size each service's symbol on its own scale.

    Parameters
    ----------
    sites : GeoDataFrame
        EPSG:4326, with ``service`` (default ``childcare``), ``status`` (``existing`` |
        ``proposed`` | ``candidate``, or ``new`` | ``enlarged``), ``capacity`` and optionally
        ``existing_capacity``, ``site_id``, ``name``, ``id``.

    Returns
    -------
    list of SiteSymbol
        One per place (same point to 1e-6°: a shared site's rows), largest first.
    """
    if sites is None or not len(sites):
        return []
    idx = sites.index
    service = sites.get("service", pd.Series("childcare", index=idx)).fillna("childcare")
    status = sites.get("status", pd.Series("existing", index=idx)).fillna("existing")
    had = sites.get("existing_capacity", pd.Series(np.nan, index=idx))
    kinds = pd.Series([site_kind(s, h) for s, h in zip(status, had, strict=True)], index=idx)
    caps = pd.to_numeric(sites.get("capacity", pd.Series(np.nan, index=idx)), errors="coerce")
    sized = caps.where(kinds != "candidate")
    cap_max = sized.groupby(service.astype(str)).max().fillna(0.0).to_dict()
    pts = sites.geometry.representative_point()  # None where the geometry is missing
    ids = sites.get("id", pd.Series(idx.astype(str), index=idx)).astype(str)
    site_ids = sites.get("site_id", ids).fillna(ids).astype(str)
    groups: dict[Any, SiteSymbol] = {}
    for i in idx:
        pt = pts[i]
        if pt is None or pt.is_empty:
            continue  # a site without a place is listed in tables, not drawn
        key = (round(pt.x, 6), round(pt.y, 6))
        sym = groups.setdefault(key, SiteSymbol(lat=float(pt.y), lon=float(pt.x)))
        svc, kind = str(service[i]), str(kinds[i])
        r = CANDIDATE_RADIUS if kind == "candidate" else symbol_radius(
            caps[i], float(cap_max.get(svc, 0.0)))
        sym.parts.append(SymbolPart(service=svc, kind=kind, radius=r, capacity=float(caps[i]),
                                    existing_capacity=_num(had[i]), name=str(
                                        sites.loc[i].get("name", "") or ""),
                                    site_id=str(site_ids[i])))
    return sorted(groups.values(), key=lambda s: -s.outer)


def _shape_svg(part: SymbolPart, c: float, *, legend: bool = False,
               cy: float | None = None) -> str:
    """The SVG element of one service's symbol centred at (c, *cy*, default c)."""
    cy = c if cy is None else cy
    colour = SERVICE_COLOURS.get(part.service, OTHER_SERVICE_COLOUR)
    if part.kind == "new":
        fill, stroke, width, extra = colour, "#ffffff", 1.5, ""
    elif part.kind == "enlarged":
        fill, stroke, width, extra = "#ffffff", colour, 3.0, ""
    elif part.kind == "candidate":
        fill, stroke, width, extra = "none", CANDIDATE_COLOUR, 1.2, ' stroke-dasharray="2,1"'
    else:
        fill, stroke, width, extra = EXISTING_FILL, colour, 1.5, ""
    r = part.radius
    attrs = (f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{extra}' if legend else
             f'class="sym sym-{esc(part.service)} sym-{part.kind}" data-r="{r:.2f}" '
             f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{extra}')
    if SHAPES.get(part.service, "circle") == "square":
        h = r * SQUARE_HALF
        return (f'<rect x="{c - h:.2f}" y="{cy - h:.2f}" width="{2 * h:.2f}" '
                f'height="{2 * h:.2f}" {attrs}/>')
    return f'<circle cx="{c:.2f}" cy="{cy:.2f}" r="{r:.2f}" {attrs}/>'


def symbol_svg(symbol: SiteSymbol) -> str:
    """Inline SVG of a marker.

    A shared site's services side by side in an orange frame, otherwise the symbols from the
    largest to the smallest.
    """
    w, h = symbol.box
    cy = h / 2
    body = []
    if symbol.shared:
        inset = _PAD + 1.5
        body.append(f'<rect class="ring-shared" x="{inset:.2f}" y="{inset:.2f}" '
                    f'width="{w - 2 * inset:.2f}" height="{h - 2 * inset:.2f}" '
                    f'rx="{cy - inset:.2f}" fill="#ffffff" fill-opacity="0.7" '
                    f'stroke="{SHARED_COLOUR}" stroke-width="3"/>')
        x = _PAD + SHARED_RING_GAP + 1.5
        for part in symbol.layout:
            body.append(_shape_svg(part, x + part.radius, cy=cy))
            x += 2 * part.radius + _GAP
    else:
        body += [_shape_svg(part, w / 2, cy=cy) for part in symbol.layout]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
            f'viewBox="0 0 {w:.2f} {h:.2f}">{"".join(body)}</svg>')


class SiteMarker(MacroElement):
    """A Leaflet marker with an inline-SVG ``divIcon`` (never Leaflet's image icon)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.marker({{ this.location|tojson }}, {
            icon: L.divIcon({html: {{ this.html|tojson }}, className: {{ this.cls|tojson }},
                iconSize: [{{ this.width }}, {{ this.height }}],
                iconAnchor: [{{ this.width / 2 }}, {{ this.height / 2 }}]}),
            zIndexOffset: {{ this.z }}, riseOnHover: true, keyboard: false
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, symbol: SiteSymbol) -> None:
        super().__init__()
        self._name = "SiteMarker"
        self.location = [symbol.lat, symbol.lon]
        self.html = symbol_svg(symbol)
        self.cls = symbol.classes
        self.width, self.height = (round(v) for v in symbol.box)
        # smaller symbols above larger ones, whatever their latitude
        self.z = int(round((40.0 - symbol.outer) * 1000))


def _service_label(service: str, lang: str) -> str:
    return t(f"sc.{service}", lang) if service in SERVICES else service


def _unit(service: str, lang: str) -> str:
    return t(f"sc.unit.{service}", lang) if service in SERVICES else ""


def _capacity_text(part: SymbolPart, lang: str) -> str:
    unit = _unit(part.service, lang)
    text = f"{fmt(part.capacity)} {esc(unit)}".strip()
    if part.kind == "enlarged" and part.existing_capacity == part.existing_capacity:
        text += " " + esc(t("map.enlarged_from", lang, was=fmt(part.existing_capacity),
                            unit=unit))
    return text


def symbol_texts(symbol: SiteSymbol, lang: str) -> tuple[str, str]:
    """Tooltip and popup HTML of a marker: each service with its status and capacity (unit)."""
    first = symbol.parts[0]
    rows = [("id", esc(first.site_id)), (t("map.name", lang), esc(first.name))]
    tips = []
    for part in symbol.parts:
        svc = _service_label(part.service, lang)
        status = t(f"map.kind.{part.kind}", lang)
        rows.append((svc, f"{esc(status)} · {_capacity_text(part, lang)}"))
        tips.append(f"{esc(svc)} {esc(status)} {fmt(part.capacity)} "
                    f"{esc(_unit(part.service, lang))}".strip())
    if symbol.shared:
        rows.append((t("map.shared", lang), esc(t("map.shared_note", lang))))
    tip = f"{esc(first.name)}<br>" + "<br>".join(tips)
    return tip, table(rows)


def _legend_svg(service: str, kind: str) -> str:
    part = SymbolPart(service=service, kind=kind, radius=5.0, capacity=0.0,
                      existing_capacity=None, name="", site_id="")
    if kind == "candidate":
        part.radius = CANDIDATE_RADIUS
    return (f'<svg width="14" height="14" viewBox="0 0 14 14" '
            f'style="display:inline-block;vertical-align:middle;margin-right:4px">'
            f"{_shape_svg(part, 7.0, legend=True)}</svg>")


def _ring_svg() -> str:
    """A small shared marker: a circle and a square side by side in the orange frame."""
    parts = [SymbolPart(service=svc, kind="new", radius=4.0, capacity=0.0,
                        existing_capacity=None, name="", site_id="") for svc in SERVICES]
    shapes = "".join(_shape_svg(p, x, cy=7.0, legend=True) for p, x in zip(
        parts, (8.5, 17.5), strict=True))
    return ('<svg width="26" height="14" viewBox="0 0 26 14" '
            'style="display:inline-block;vertical-align:middle;margin-right:4px">'
            f'<rect x="1.5" y="1.5" width="23" height="11" rx="5.5" fill="#ffffff" '
            f'stroke="{SHARED_COLOUR}" stroke-width="2"/>{shapes}</svg>')


def sites_legend(symbols: Iterable[SiteSymbol], lang: str) -> list[str]:
    """Legend rows: per service its symbols by status and its size scale (unit), the ring."""
    symbols = list(symbols)
    parts = [p for s in symbols for p in s.parts]
    rows: list[str] = []
    services = [s for s in SERVICES if any(p.service == s for p in parts)]
    services += sorted({p.service for p in parts} - set(SERVICES))
    for svc in services:
        mine = [p for p in parts if p.service == svc]
        label = _service_label(svc, lang)
        unit = _unit(svc, lang)
        rows.append(f"<div style='margin-top:3px'><b>{esc(label)}</b>"
                    f"{' (' + esc(unit) + ')' if unit else ''}</div>")
        for kind in KINDS:
            if any(p.kind == kind for p in mine):
                rows.append(f"<div>{_legend_svg(svc, kind)}"
                            f"{esc(t(f'map.kind.{kind}', lang))}</div>")
        caps = [p.capacity for p in mine if p.kind != "candidate" and p.capacity > 0]
        if caps:
            rows.append("<div style='color:#555'>" + esc(t(
                f"map.size_{SHAPES.get(svc, 'circle')}", lang, max=fmt(max(caps)),
                unit=unit)) + "</div>")
    if any(s.shared for s in symbols):
        rows.append(f"<div>{_ring_svg()}{esc(t('map.shared_legend', lang))}</div>")
    return rows


def add_sites(m: folium.Map, sites: gpd.GeoDataFrame, *, lang: str) -> list[str]:
    """Draw the sites, one layer per service (and one of shared sites); the legend rows.

    See :func:`site_symbols` for the columns read.
    """
    symbols = site_symbols(sites)
    groups: dict[str, folium.FeatureGroup] = {}
    for sym in symbols:
        if sym.shared:
            key, name = "shared", t("map.shared_sites", lang)
        else:
            svc = sym.parts[0].service
            key, name = svc, t("map.sites_of", lang, service=_service_label(svc, lang))
        if key not in groups:
            groups[key] = folium.FeatureGroup(name=name)
        marker = SiteMarker(sym)
        marker.add_child(BindText(*symbol_texts(sym, lang)))
        groups[key].add_child(marker)
    for key in (*SERVICES, *sorted(set(groups) - {*SERVICES, "shared"}), "shared"):
        if key in groups:
            groups[key].add_to(m)
    return sites_legend(symbols, lang)


def plan_site_layer(site_layer: gpd.GeoDataFrame | None,
                    sites: pd.DataFrame | None) -> gpd.GeoDataFrame | None:
    """The map's site layer of a run with each row's ``site_id`` and ``existing_capacity``.

    Parameters
    ----------
    site_layer : GeoDataFrame or None
        The run's ``site_layer`` (``id``, ``name``, ``service``, ``status``, ``capacity``).
    sites : DataFrame or None
        The run's site table (``id`` with ``site_id``, ``existing_capacity``,
        ``new_capacity``), from which enlarged sites and shared places are known.

    Returns
    -------
    GeoDataFrame or None
        *site_layer* with the extra columns where *sites* has them.
    """
    if site_layer is None or sites is None or "id" not in getattr(sites, "columns", []):
        return site_layer
    extra = [c for c in ("site_id", "existing_capacity", "new_capacity")
             if c in sites.columns and c not in site_layer.columns]
    if not extra:
        return site_layer
    table_ = pd.DataFrame(sites)[["id", *extra]].drop_duplicates("id")
    merged = site_layer.merge(table_, on="id", how="left")
    return gpd.GeoDataFrame(merged, geometry=site_layer.geometry.name, crs=site_layer.crs)
