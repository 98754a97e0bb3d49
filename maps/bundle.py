"""Every export of one scenario at once (for the app's download buttons)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from core.texts import label_frame, t, value_label
from maps.export import excel_bytes, figure_bytes, figure_map, gpkg_bytes
from maps.folium_map import build_map
from maps.offline import offline_html
from maps.report import report_pdf


def _fmt(v: Any) -> Any:
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 10 else f"{v:,.0f}"
    return "–" if v is None else v


def scenario_bundle(
    *,
    run: Any | None = None,
    scenario: Any | None = None,
    name: str | None = None,
    profile: Any | None = None,
    lang: str = "zh",
    basemap: str = "offline",
    tianditu_key: str | None = None,
    network_edges: gpd.GeoDataFrame | None = None,
) -> dict[str, bytes]:
    """HTML map, PNG and PDF figure, GeoPackage, Excel and report PDF of one scenario.

    Parameters
    ----------
    run : planning.runs.ScenarioRun, optional
        A run not saved yet; or
    scenario : planning.scenarios.Scenario, optional
        A saved scenario (layers ``areas`` and ``sites``, results with ``indicators``).
    """
    if run is not None:
        areas, sites, reach = run.areas, run.site_layer, run.service_areas
        results = run.results()
        params = run.params
        title = name or ""
    elif scenario is not None:
        areas, sites = scenario.layers.get("areas"), scenario.layers.get("sites")
        reach = scenario.layers.get("service_areas")
        results = scenario.results
        params = scenario.parameters
        title = name or scenario.name
    else:
        raise ValueError("scenario_bundle needs a run or a saved scenario")
    uncovered = []
    if areas is not None and "fully_served" in areas.columns:
        uncovered = areas.loc[~areas["fully_served"].astype(bool), "id"].tolist()
    common = {"areas": areas, "value_col": "shortfall", "sites": sites, "service_areas": reach,
              "uncovered_ids": uncovered, "lang": lang, "network_edges": network_edges}
    html = offline_html(build_map(basemap=basemap, tianditu_key=tianditu_key, **common))
    fig = figure_map(title=title, **common)
    png = figure_bytes(fig, fmt="png")
    pdf_fig = figure_bytes(fig, fmt="pdf")
    import matplotlib.pyplot as plt

    plt.close(fig)
    from planning.indicators import indicator_rows, nested

    svc = str(params.get("service", ""))
    nested_ind = nested(results.get("indicators", {}),
                        [svc] if svc in ("childcare", "eldercare") else None)
    ind = nested_ind.get("total", {})
    tables = {k: results.get(k) for k in ("sites", "assignments", "unmet")
              if isinstance(results.get(k), pd.DataFrame)}
    xlsx = excel_bytes({"indicators": pd.DataFrame(indicator_rows(nested_ind)), **tables,
                        **({"areas": areas} if areas is not None else {})}, lang=lang)
    layers = {k: v for k, v in (("areas", areas), ("sites", sites), ("service_areas", reach))
              if v is not None}
    gpkg = gpkg_bytes(layers)
    obj = str(params.get("objective", ""))
    cut = params.get("cutoffs") or {}
    first_cut = next(iter(cut.values()), (None, None)) if isinstance(cut, dict) else (None, None)
    minutes = params.get("minutes") or first_cut[0]
    speed = params.get("speed_m_per_min") or first_cut[1]
    param_rows = {
        t("sc.service", lang): t(f"sc.{svc}", lang) if svc else "–",
        t("sc.objective", lang): t(f"sc.obj.{obj}", lang) if obj else "–",
        t("sc.minutes", lang): _fmt(minutes),
        t("sc.speed", lang): _fmt(speed),
        t("sc.budget", lang): _fmt(params.get("budget")),
        t("sc.p", lang): _fmt(params.get("p")),
    }
    ind_rows = {
        t("ind.sites", lang): _fmt(ind.get("sites")),
        t("ind.cost", lang): _fmt(ind.get("cost")),
        t("ind.share_covered", lang): "–" if ind.get("share_covered") is None
        else f"{ind['share_covered']:.1%}",
        t("ind.unmet", lang): "；".join(
            f"{t(f'sc.{s}', lang)} {_fmt(v['unmet'])} {t(f'sc.unit.{s}', lang)}"
            for s, v in nested_ind.items() if s != "total" and v.get("unmet") is not None)
        or "–",
        t("ind.status", lang): _fmt(value_label(ind.get("status"), lang)),
        t("ind.gap", lang): "–" if ind.get("gap") is None else f"{ind['gap']:.2%}",
    }
    rep_tables = {}
    if "sites" in tables:
        s = tables["sites"]
        if "status" in s.columns:
            s = s[s["status"] == "proposed"]
        rep_tables[t("rep.sites", lang)] = label_frame(s, lang)
    if "unmet" in tables:
        rep_tables[t("rep.unmet", lang)] = label_frame(tables["unmet"], lang)
    notes = []
    if results.get("method") and results.get("method") != "network":
        notes.append(t("sc.method_fallback", lang))
    report = report_pdf(
        scenario_name=title,
        profile_name=(getattr(profile, "name", None) or "–") if profile is not None else "–",
        parameters=param_rows, indicators=ind_rows, tables=rep_tables, figure_png=png,
        notes=notes, lang=lang,
    )
    return {"html": html.encode("utf-8"), "png": png, "pdf_fig": pdf_fig, "gpkg": gpkg,
            "xlsx": xlsx, "report": report}
