"""Exports for planning reports: HTML map, PNG/PDF figure, GeoPackage layers, Excel tables.

Every writer goes through :func:`core.fileio.atomic_write` (a temporary file beside the
target, moved into place at the end), so a failed export never leaves a half-written file.
``*_bytes`` variants feed Streamlit's download buttons.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrow, Patch, Rectangle  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from core.fileio import atomic_write, spreadsheet_safe  # noqa: E402
from core.messages import as_text  # noqa: E402
from core.texts import SHEET_LABELS, is_message, label_frame, t  # noqa: E402
from maps.folium_map import build_map  # noqa: E402
from maps.fonts import cjk_font  # noqa: E402
from maps.offline import offline_html, save_html  # noqa: E402
from maps.sites import EXISTING_FILL, SERVICE_COLOURS, SHARED_COLOUR, site_symbols  # noqa: E402

__all__ = [
    "figure_map",
    "save_figure",
    "figure_bytes",
    "write_gpkg",
    "gpkg_bytes",
    "write_excel",
    "excel_bytes",
    "html_map_bytes",
    "save_html",
    "offline_html",
]


def html_map_bytes(**map_kwargs: Any) -> bytes:
    """Self-contained offline HTML of :func:`maps.folium_map.build_map` (UTF-8 bytes)."""
    return offline_html(build_map(**map_kwargs)).encode("utf-8")


# --------------------------------------------------------------------------- figure


def _nice_length(span_m: float) -> float:
    """A round scale-bar length of about a fifth of *span_m* (1, 2 or 5 × 10^k metres)."""
    target = max(span_m / 5.0, 1.0)
    exp = math.floor(math.log10(target))
    for mult in (5, 2, 1):
        if mult * 10**exp <= target:
            return float(mult * 10**exp)
    return float(10**exp)


def _scale_bar(ax: Any, *, lang: str) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    bx, by = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    h = 0.012 * (y1 - y0)
    half = length / 2
    ax.add_patch(Rectangle((bx, by), half, h, facecolor="black", edgecolor="black", zorder=10))
    ax.add_patch(Rectangle((bx + half, by), half, h, facecolor="white", edgecolor="black",
                           zorder=10))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(bx, by + 1.8 * h, "0", fontsize=7, ha="center", zorder=10)
    ax.text(bx + length, by + 1.8 * h, label, fontsize=7, ha="center", zorder=10)


def _north_arrow(ax: Any, *, lang: str) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x1 - 0.06 * (x1 - x0)
    y = y1 - 0.16 * (y1 - y0)
    dy = 0.08 * (y1 - y0)
    ax.add_patch(FancyArrow(x, y, 0, dy, width=0.012 * (x1 - x0), head_width=0.035 * (x1 - x0),
                            head_length=0.035 * (y1 - y0), length_includes_head=True,
                            color="black", zorder=10))
    ax.text(x, y + dy + 0.01 * (y1 - y0), t("map.north", lang), ha="center", va="bottom",
            fontsize=10, fontweight="bold", zorder=10)


# z-order of the figure's layers: network 1, service areas 2, area polygons 3 (their
# uncovered outlines 4), site frames 5 and symbols 6, area points 7 (uncovered rings 8) — a
# community given as a point must stay visible on a city of hundreds of sites; scale bar and
# north arrow 10
_Z_AREA_POINTS = 7
_Z_UNCOVERED_RINGS = 8
_AREA_EDGE = "#333333"
_MISSING = "#d9d9d9"


def _point_diameter(n: int) -> float:
    """Diameter (points) of an area drawn as a dot: 8 up to 100 dots, shrinking to 3.5."""
    return max(3.5, min(8.0, 8.0 * math.sqrt(100.0 / max(n, 1))))


def _figure_areas(ax: Any, areas_m: gpd.GeoDataFrame, *, value_col: str | None,
                  value_kind: str, value_label: str | None,
                  uncovered_ids: Iterable[Any] | None, lang: str) -> list[Any]:
    """Draw the areas (coloured by *value_col*) and the uncovered ones; legend handles.

    Polygons lie under the sites; areas given as points are small dots with a thin dark
    edge *above* the site symbols, so that the measure's colours stay readable at city
    scale (hundreds of sites over hundreds of communities).
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    handles: list[Any] = []
    is_point = areas_m.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    polys, pts = areas_m[~is_point], areas_m[is_point]
    xy = pts.geometry.representative_point()  # empty when no area is a point
    d = _point_diameter(len(pts))
    # the legend's dot is neutral: its colour is the measure's, read on the colour bar
    mid: Any = "white"
    if value_col and value_col in areas_m.columns:
        cmap = plt.get_cmap("RdYlGn" if value_kind == "coverage" else "YlOrRd")
        vals = pd.to_numeric(areas_m[value_col], errors="coerce")
        vmin, vmax = (0.0, 1.0) if value_kind == "coverage" else (
            0.0, max(float(vals.max()) if vals.notna().any() else 1.0, 1e-9))
        norm = Normalize(vmin=vmin, vmax=vmax)
        if len(polys):
            polys.assign(_v=vals[~is_point]).plot(
                ax=ax, column="_v", cmap=cmap, norm=norm, edgecolor="#555555", linewidth=0.3,
                alpha=0.8, zorder=3, missing_kwds={"color": _MISSING})
        if len(pts):
            v = vals[is_point].to_numpy()
            colours = [cmap(norm(x)) if pd.notna(x) else _MISSING for x in v]
            ax.scatter(xy.x, xy.y, s=d**2, c=colours, edgecolors=_AREA_EDGE, linewidths=0.4,
                       zorder=_Z_AREA_POINTS)
        ax.figure.colorbar(
            ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6,
            label=value_label or t(
                "map.coverage" if value_kind == "coverage" else "map.shortfall", lang),
            **({"format": PercentFormatter(1.0, decimals=0)}
               if value_kind == "coverage" else {}))
    else:
        if len(polys):
            polys.plot(ax=ax, color=_MISSING, edgecolor="#555555", linewidth=0.3, zorder=3)
        if len(pts):
            ax.scatter(xy.x, xy.y, s=d**2, c=_MISSING, edgecolors=_AREA_EDGE, linewidths=0.4,
                       zorder=_Z_AREA_POINTS)
    if len(polys):
        handles.append(Patch(facecolor="#fdae61", edgecolor="#555555",
                             label=t("map.areas", lang)))
    else:
        handles.append(Line2D([], [], marker="o", ls="", markersize=6, markerfacecolor=mid,
                              markeredgecolor=_AREA_EDGE, markeredgewidth=0.6,
                              label=t("map.areas", lang)))
    unc = {str(i) for i in (uncovered_ids or [])}
    if unc and "id" in areas_m.columns:
        hit = areas_m["id"].astype(str).isin(unc).to_numpy()
        u_pts, u_polys = areas_m[hit & is_point], areas_m[hit & ~is_point]
        if len(u_pts):  # areas given as points: a red ring around the dot
            r = u_pts.geometry.representative_point()
            ax.scatter(r.x, r.y, s=(d + 5) ** 2, facecolors="none", edgecolors="#e31a1c",
                       linewidths=1.1, zorder=_Z_UNCOVERED_RINGS)
        if len(u_polys):
            u_polys.boundary.plot(ax=ax, color="#e31a1c", linewidth=1.2, linestyle="--",
                                  zorder=4)
        if len(u_pts) or len(u_polys):
            handles.append(Line2D([], [], color="#e31a1c", ls="--" if len(u_polys) else "",
                                  marker="" if len(u_polys) else "o", mfc="none",
                                  label=t("map.uncovered", lang)))
    return handles


_MPL_MARKERS = {"childcare": "o", "eldercare": "s"}


def _figure_sites(ax: Any, sites_m: gpd.GeoDataFrame, *, lang: str) -> list[Any]:
    """Draw the sites as on the web map (:mod:`maps.sites`); legend handles.

    Per service its marker (circle / square) sized on its own scale, per status its fill
    (new: colour, enlarged: outlined, existing: grey); a place of both services shows them
    side by side in an orange ring. Candidates are left out.
    """
    from matplotlib.transforms import offset_copy

    symbols = [s_ for s_ in site_symbols(sites_m)
               if any(p.kind != "candidate" for p in s_.parts)]
    fig = ax.figure

    def style(service: str, kind: str) -> dict[str, Any]:
        colour = SERVICE_COLOURS.get(service, "#ff7f0e")
        face, edge, width = {"new": (colour, "white", 0.6), "enlarged": ("white", colour, 1.6),
                             }.get(kind, (EXISTING_FILL, colour, 0.8))
        return {"marker": _MPL_MARKERS.get(service, "o"), "facecolors": face,
                "edgecolors": edge, "linewidths": width}

    # points of marker diameter per pixel of web-map radius, halved; smaller when many sites
    # share the page (a city of hundreds of sites must stay readable, not one blot)
    k = 0.75 * min(1.0, math.sqrt(40.0 / max(len(symbols), 1)))
    for sym in symbols:
        parts = [p for p in sym.layout if p.kind != "candidate"]
        span = 2 * k * sum(p.radius for p in parts)  # side by side at a shared site
        if sym.shared:
            ax.scatter([sym.lon], [sym.lat], s=(span + 8) ** 2, marker="o",
                       facecolors="white", edgecolors=SHARED_COLOUR, linewidths=1.8,
                       zorder=5, alpha=0.9)
        left = -span / 2
        for part in parts:
            dx = left + k * part.radius if sym.shared else 0.0
            trans = offset_copy(ax.transData, fig=fig, x=dx, y=0, units="points")
            # a square of the circle's area (side √π/2 of the diameter)
            area = (2 * k * part.radius) ** 2 * (math.pi / 4 if _MPL_MARKERS.get(
                part.service) == "s" else 1.0)
            ax.scatter([sym.lon], [sym.lat], s=area, zorder=6, transform=trans,
                       **style(part.service, part.kind))
            left += 2 * k * part.radius
    handles: list[Any] = []
    seen = {(p.service, p.kind) for s_ in symbols for p in s_.parts}
    for svc in SERVICE_COLOURS:
        for kind in ("new", "enlarged", "existing"):
            if (svc, kind) in seen:
                st = style(svc, kind)
                handles.append(Line2D([], [], marker=st["marker"], ls="", markersize=7,
                                      markerfacecolor=st["facecolors"],
                                      markeredgecolor=st["edgecolors"],
                                      label=f"{t(f'sc.{svc}', lang)} · "
                                            f"{t(f'map.kind.{kind}', lang)}"))
    if any(s_.shared for s_ in symbols):
        handles.append(Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor="white",
                              markeredgecolor=SHARED_COLOUR, label=t("map.shared", lang)))
    return handles


def figure_map(
    *,
    areas: gpd.GeoDataFrame | None = None,
    value_col: str | None = None,
    value_kind: str = "shortfall",
    value_label: str | None = None,
    sites: gpd.GeoDataFrame | None = None,
    service_areas: gpd.GeoDataFrame | None = None,
    uncovered_ids: Iterable[Any] | None = None,
    network_edges: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    lang: str = "zh",
    figsize: tuple[float, float] = (8.0, 8.0),
) -> Figure:
    """Static map for a report: areas coloured, sites sized, legend, scale bar, north arrow.

    Drawn in the local UTM zone so that the scale bar is in true metres. The layers and
    options are those of :func:`maps.folium_map.build_map`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (close it with ``plt.close`` when done).

    Raises
    ------
    maps.fonts.MissingFontError
        If no CJK font is installed (Chinese labels would not render).
    ValueError
        If every layer is missing or empty.
    """
    family, _path = cjk_font()
    layers = [g for g in (areas, sites, service_areas, network_edges) if g is not None and len(g)]
    if not layers:
        raise ValueError("figure_map needs at least one non-empty layer")
    metric = layers[0].to_crs(4326).estimate_utm_crs()

    def proj(g: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
        return None if g is None or len(g) == 0 else g.to_crs(metric)

    areas_m, sites_m, sa_m, net_m = map(proj, (areas, sites, service_areas, network_edges))
    with plt.rc_context({"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=figsize, dpi=150)
        handles: list[Any] = []
        if net_m is not None:
            net_m.plot(ax=ax, color="#9a9a9a", linewidth=0.5, zorder=1)
            handles.append(Line2D([], [], color="#9a9a9a", lw=1, label=t("map.network", lang)))
        if sa_m is not None:
            sa_m.plot(ax=ax, color="#3182bd", alpha=0.12, edgecolor="#3182bd", linewidth=0.5,
                      zorder=2)
            handles.append(Patch(facecolor="#3182bd", alpha=0.3,
                                 label=t("map.service_areas", lang)))
        if areas_m is not None:
            handles += _figure_areas(ax, areas_m, value_col=value_col, value_kind=value_kind,
                                     value_label=value_label, uncovered_ids=uncovered_ids,
                                     lang=lang)
        if sites_m is not None:
            handles += _figure_sites(ax, sites_m, lang=lang)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.margins(0.03)
        _scale_bar(ax, lang=lang)
        _north_arrow(ax, lang=lang)
        if handles:  # under the map: it covers neither data nor scale bar nor north arrow
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01),
                      ncol=min(3, len(handles)), fontsize=9, framealpha=0.9,
                      title=t("map.legend", lang), title_fontsize=10)
        if title:
            ax.set_title(title, fontsize=12)
        fig.tight_layout()
    return fig


def figure_bytes(fig: Figure, *, fmt: str = "png") -> bytes:
    """PNG or PDF bytes of *fig* (fonts embedded in the PDF)."""
    buf = io.BytesIO()
    with plt.rc_context({"pdf.fonttype": 42}):
        fig.savefig(buf, format=fmt, bbox_inches="tight")
    return buf.getvalue()


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write *fig* as PNG or PDF (by suffix), atomically."""
    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    data = figure_bytes(fig, fmt=fmt)
    def writer(p: Path) -> None:
        p.write_bytes(data)

    return atomic_write(path, writer)


# --------------------------------------------------------------------------- layers / tables


def _gpkg_ready(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if out[col].map(lambda v: isinstance(v, list | tuple | dict)).any():
            out[col] = out[col].map(
                lambda v: ",".join(map(str, v)) if isinstance(v, list | tuple) else v)
            out[col] = out[col].astype(str)
    return out


def write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], path: str | os.PathLike[str]) -> Path:
    """Write every non-empty layer into one GeoPackage, atomically."""
    def writer(p: Path) -> None:
        written = 0
        for name, gdf in layers.items():
            if gdf is None or len(gdf) == 0 or not isinstance(gdf, gpd.GeoDataFrame):
                continue
            _gpkg_ready(gdf).to_file(p, layer=name, driver="GPKG")
            written += 1
        if not written:
            raise ValueError("write_gpkg: no non-empty layer to write")

    return atomic_write(path, writer)


def gpkg_bytes(layers: Mapping[str, gpd.GeoDataFrame]) -> bytes:
    """GeoPackage bytes of *layers* (for a download button)."""
    with tempfile.TemporaryDirectory() as d:
        return write_gpkg(layers, Path(d) / "layers.gpkg").read_bytes()


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(c for c in str(name) if c not in "[]:*?/\\")[:31] or "sheet"
    out, k = base, 1
    while out in used:
        k += 1
        out = f"{base[:28]}_{k}"
    used.add(out)
    return out


def write_excel(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike[str], *,
                lang: str | None = None) -> Path:
    """Write each table to its own sheet (geometry columns dropped), atomically.

    Parameters
    ----------
    tables : mapping
        Sheet name → table with canonical column names.
    path : path-like
        The ``.xlsx`` file to write.
    lang : {'zh', 'en'}, optional
        ``'zh'`` writes the tables for a Chinese reader: columns, known values and sheet names
        labelled by :func:`core.texts.label_frame`. Otherwise (default) the canonical names
        and values are kept, as in the JSON and CSV outputs.
    """
    readable = lang == "zh"

    def writer(p: Path) -> None:
        used: set[str] = set()
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            for name, df in tables.items():
                if df is None:
                    continue
                frame = pd.DataFrame(df)
                if isinstance(df, gpd.GeoDataFrame):
                    frame = pd.DataFrame(df.drop(columns=df.geometry.name))
                frame = frame.drop(columns=[c for c in frame.columns if c == "geometry"])
                if readable:
                    frame = label_frame(frame, "zh")
                    name = SHEET_LABELS.get(name, {}).get("zh", name)
                for col in frame.columns:
                    if frame[col].map(is_message).any():  # notes, reasons: their text
                        frame[col] = frame[col].map(
                            lambda v: as_text(v, lang or "en") if is_message(v) else v)
                    if frame[col].map(lambda v: isinstance(v, list | tuple | dict)).any():
                        frame[col] = frame[col].astype(str)
                # names typed by planners must not run as formulas in a spreadsheet
                spreadsheet_safe(frame).to_excel(xw, sheet_name=_sheet_name(name, used),
                                                 index=False)
            if not used:
                pd.DataFrame().to_excel(xw, sheet_name="empty", index=False)

    return atomic_write(path, writer)


def excel_bytes(tables: Mapping[str, pd.DataFrame], *, lang: str | None = None) -> bytes:
    """Excel (.xlsx) bytes of *tables* (``lang='zh'``: labelled for a Chinese reader)."""
    with tempfile.TemporaryDirectory() as d:
        return write_excel(tables, Path(d) / "tables.xlsx", lang=lang).read_bytes()
