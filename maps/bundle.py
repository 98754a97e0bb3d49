"""Every export of one scenario at once (for the app's download buttons)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from core.messages import as_text
from core.texts import label_frame, t, value_label
from maps.demand_tables import demand_parameter_rows, demand_rules_frame, demand_table_frame
from maps.export import excel_bytes, figure_bytes, figure_map, gpkg_bytes
from maps.folium_map import build_map
from maps.offline import offline_html
from maps.report import report_pdf
from maps.sites import plan_site_layer
from planning.summaries import (
    indicators_frame,
    nested_indicators,
    run_services,
    shortfall_layers,
    total,
    uncovered_ids,
    unmet_text,
)


def _fmt(v: Any) -> Any:
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 10 else f"{v:,.0f}"
    return "–" if v is None else v


@dataclass
class _Scenario:
    """What the exports need of a run or a saved scenario."""

    areas: gpd.GeoDataFrame | None
    sites: gpd.GeoDataFrame | None
    reach: gpd.GeoDataFrame | None
    results: dict[str, Any]
    params: dict[str, Any]
    title: str
    names: dict[str, str]  # site row id → the site's name, for readable rule details
    table: pd.DataFrame | None = None  # the site table: enlarged and shared sites on the map

    @property
    def map_sites(self) -> gpd.GeoDataFrame | None:
        """The site layer as the app's plan map shows it (new, enlarged, existing, shared)."""
        return plan_site_layer(self.sites, self.table)


def _site_names(*frames: Any) -> dict[str, str]:
    """Site row id → name from every table that has both (candidates the run left out too)."""
    out: dict[str, str] = {}
    for f in frames:
        if isinstance(f, pd.DataFrame) and {"id", "name"} <= set(f.columns):
            for i, n in zip(f["id"].astype(str), f["name"], strict=True):
                if isinstance(n, str) and n:
                    out.setdefault(i, n)
    return out


def _source(run: Any | None, scenario: Any | None, name: str | None) -> _Scenario:
    if run is not None:
        return _Scenario(run.areas, run.site_layer, run.service_areas, run.results(),
                         run.params, name or "",
                         _site_names(run.all_sites, run.sites, run.site_layer), run.sites)
    if scenario is not None:
        results = scenario.results
        return _Scenario(scenario.layers.get("areas"), scenario.layers.get("sites"),
                         scenario.layers.get("service_areas"), results,
                         scenario.parameters, name or scenario.name,
                         _site_names(scenario.layers.get("candidates"), results.get("sites"),
                                     scenario.layers.get("sites")),
                         None if results.get("sites") is None else pd.DataFrame(results["sites"]))
    raise ValueError("scenario_bundle needs a run or a saved scenario")


def _parameter_rows(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """The report's inputs: service, objective, reach, budget, number of sites."""
    svc = str(params.get("service", ""))
    obj = str(params.get("objective", ""))
    cut = params.get("cutoffs") or {}
    reach: dict[str, tuple[Any, Any]] = {}
    for s, c in (cut.items() if isinstance(cut, dict) else ()):
        # saved as {"minutes", "speed_m_per_min"}; scenarios of the first release as pairs
        reach[s] = ((c.get("minutes"), c.get("speed_m_per_min")) if isinstance(c, dict)
                    else (c[0], c[1]))
    if not reach:
        reach[svc] = (params.get("minutes"), params.get("speed_m_per_min"))

    def per_service(k: int) -> str:
        if len(reach) == 1:
            return _fmt(next(iter(reach.values()))[k])
        return "；".join(f"{t(f'sc.{s}', lang)} {_fmt(v[k])}" for s, v in reach.items())

    return {
        t("sc.service", lang): t(f"sc.{svc}", lang) if svc else "–",
        t("sc.objective", lang): t(f"sc.obj.{obj}", lang) if obj else "–",
        t("sc.minutes", lang): per_service(0),
        t("sc.speed", lang): per_service(1),
        t("sc.budget", lang): _fmt(params.get("budget")),
        t("sc.p", lang): _fmt(params.get("p")),
        **demand_parameter_rows(params, lang),
    }


def _indicator_rows(indicators: dict[str, Any], service: object, lang: str) -> dict[str, Any]:
    """The report's results; unmet demand in each service's own unit."""
    nested = nested_indicators(indicators, service)
    share, gap = total(nested, "share_covered"), total(nested, "gap")
    return {
        t("ind.sites", lang): _fmt(total(nested, "sites")),
        t("ind.cost", lang): _fmt(total(nested, "cost")),
        t("ind.share_covered", lang): "–" if share is None else f"{share:.1%}",
        t("ind.unmet", lang): unmet_text(nested, run_services(service), lang),
        t("ind.status", lang): _fmt(value_label(total(nested, "status"), lang)),
        t("ind.gap", lang): "–" if gap is None else f"{gap:.2%}",
    }


def _with_units(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Add the unit of each row's service (托位, m²) so no figure stands without one."""
    if "service" not in frame.columns:
        return frame
    out = frame.copy()
    out["unit"] = [t(f"sc.unit.{s}", lang) if s in ("childcare", "eldercare") else ""
                   for s in out["service"]]
    return out


def readable_rules(rules: list[dict[str, Any]], names: dict[str, str],
                   lang: str) -> pd.DataFrame:
    """The rules applied as a planner reads them: rule names, site names, no internal ids.

    Each rule id is replaced by the name of its kind (每千人托位 …) and each candidate row id in
    a detail (``C09-childcare``) by its site's name.
    """
    rule_names = {str(r["rule"]): str(value_label(str(r.get("kind", "")), lang))
                  for r in rules if r.get("rule")}
    swaps = {**names, **rule_names}
    order = sorted(swaps, key=len, reverse=True)

    def text(value: Any) -> str:
        out = as_text(value, lang) if value is not None else ""
        for key in order:
            if key in out:
                out = out.replace(key, swaps[key])
        return out

    frame = pd.DataFrame(rules)
    out = pd.DataFrame({
        "service": frame["service"],
        "rule": [rule_names.get(str(x), str(x)) for x in frame["rule"]],
        "applied": [t("rep.yes" if bool(v) else "rep.no", lang)
                    for v in frame.get("applied", pd.Series(True, index=frame.index))],
        "detail": [text(v) for v in frame.get("detail", pd.Series(None, index=frame.index))],
        "source": frame.get("source", pd.Series("", index=frame.index)),
    })
    return label_frame(out, lang)


def _report_tables(tables: dict[str, pd.DataFrame], lang: str, *,
                   results: dict[str, Any], areas: Any = None,
                   names: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """The report's tables: rules with their sources, demand rules and totals, sites, unmet."""
    out = {}
    rules = results.get("rules")
    if rules:
        out[t("sc.rules", lang)] = readable_rules(list(rules), names or {}, lang)
    if results.get("demand_rules"):
        out[t("rep.demand_rules", lang)] = demand_rules_frame(results["demand_rules"], lang,
                                                              compact=True)
    if isinstance(results.get("demand"), pd.DataFrame):
        out[t("rep.demand", lang)] = demand_table_frame(results["demand"], lang, compact=True,
                                                     rules=results.get("demand_rules") or ())
    elif areas is not None and {"childcare_places_required", "eldercare_area_required_m2",
                                "population"} <= set(areas.columns):
        from planning.summaries import demand_totals

        d = demand_totals(areas)
        d["unit"] = [t(f"sc.unit.{s}", lang) for s in d["service"]]
        d["unit_name"] = d["unit_name"].replace({"(total)": t("rep.total", lang),
                                                 "(none)": t("rep.no_street", lang)})
        out[t("rep.demand", lang)] = label_frame(
            d[["unit_name", "service", "residents", "required", "unit"]].rename(
                columns={"unit_name": "admin_unit"}), lang)
    if "sites" in tables:
        s = tables["sites"]
        if "status" in s.columns:
            s = s[s["status"] == "proposed"]
        # planners read sites by name; the internal row ids stay in the Excel file
        s = s.drop(columns=[c for c in ("id", "site_id", "size_rule") if c in s.columns])
        out[t("rep.sites", lang)] = label_frame(s, lang)
    if "unmet" in tables:
        out[t("rep.unmet", lang)] = label_frame(tables["unmet"], lang)
    return out


def _figures(common: dict[str, Any], title: str) -> tuple[bytes, bytes]:
    """PNG and PDF of the static map."""
    import matplotlib.pyplot as plt

    fig = figure_map(title=title, **common)
    try:
        return figure_bytes(fig, fmt="png"), figure_bytes(fig, fmt="pdf")
    finally:
        plt.close(fig)


def _documents(src: _Scenario, *, profile: Any | None, lang: str,
               figure_png: bytes | None) -> dict[str, bytes]:
    """The Excel workbook and the report PDF of one scenario."""
    areas, results = src.areas, src.results
    service = src.params.get("service")
    tables = {k: results.get(k) for k in ("sites", "assignments", "unmet")
              if isinstance(results.get(k), pd.DataFrame)}
    demand_sheets = {}
    if results.get("demand_rules"):
        demand_sheets[t("sheet.demand_rules", lang)] = demand_rules_frame(
            results["demand_rules"], lang)
    if isinstance(results.get("demand"), pd.DataFrame):
        demand_sheets[t("sheet.demand", lang)] = demand_table_frame(
            results["demand"], lang, rules=results.get("demand_rules") or ())
    run_notes = list(results.get("notes") or [])  # rows excluded, defaults the planner set …
    # every figure with its unit (托位, m²) in the workbook too, and unmet areas by name
    sheets = {k: _with_units(v, lang) for k, v in tables.items()}
    if "unmet" in sheets and areas is not None and "name" not in sheets["unmet"].columns \
            and "id" in sheets["unmet"].columns:
        from planning.summaries import unmet_with_names

        sheets["unmet"] = unmet_with_names(sheets["unmet"], areas)
    xlsx = excel_bytes({"indicators": indicators_frame(results.get("indicators"), service),
                        **demand_sheets, **sheets,
                        **({"areas": areas} if areas is not None else {}),
                        **({"notes": pd.DataFrame({"note": run_notes})} if run_notes else {})},
                       lang=lang)
    notes: list[Any] = []
    if results.get("method") and results.get("method") != "network":
        notes.append(t("sc.method_fallback", lang))
    notes.extend(run_notes)
    report = report_pdf(
        scenario_name=src.title,
        profile_name=(getattr(profile, "name", None) or "–") if profile is not None else "–",
        parameters=_parameter_rows(src.params, lang),
        indicators=_indicator_rows(dict(results.get("indicators") or {}), service, lang),
        tables=_report_tables(sheets, lang, results=results, areas=areas, names=src.names),
        figure_png=figure_png, notes=notes, lang=lang,
    )
    return {"xlsx": xlsx, "report": report}


def scenario_documents(*, run: Any | None = None, scenario: Any | None = None,
                       name: str | None = None, profile: Any | None = None,
                       lang: str = "zh", figure_png: bytes | None = None) -> dict[str, bytes]:
    """The Excel workbook (``xlsx``) and report PDF (``report``) of one scenario.

    Without the maps (the report takes ``figure_png`` when given); see
    :func:`scenario_bundle`.
    """
    return _documents(_source(run, scenario, name), profile=profile, lang=lang,
                      figure_png=figure_png)


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
    name : str, optional
        Title of the figure and report (default the saved scenario's name).
    profile : planning.profiles.Profile, optional
        The policy profile, named in the report.
    lang : {'zh', 'en'}
        Language of every label.
    basemap, tianditu_key, network_edges
        Options of :func:`maps.folium_map.build_map` for the HTML map.

    Returns
    -------
    dict of bytes
        ``html``, ``png``, ``pdf_fig``, ``gpkg``, ``xlsx`` and ``report``.
    """
    src = _source(run, scenario, name)
    areas = src.areas
    layers_by = shortfall_layers(areas, lang)
    common: dict[str, Any] = {
        "areas": areas, "value_col": layers_by[0][0] if layers_by else None,
        "value_label": layers_by[0][1] if layers_by else None,
        "sites": src.map_sites, "service_areas": src.reach,
        # the areas ringed are those short of the service whose measure colours the map
        "uncovered_ids": uncovered_ids(areas, layers_by[0][0] if layers_by else None),
        "lang": lang, "network_edges": network_edges}
    html = offline_html(build_map(basemap=basemap, tianditu_key=tianditu_key, **common))
    png, pdf_fig = _figures(common, src.title)
    layers = {k: v for k, v in (("areas", areas), ("sites", src.sites),
                                ("service_areas", src.reach)) if v is not None}
    docs = _documents(src, profile=profile, lang=lang, figure_png=png)
    xlsx, report = docs["xlsx"], docs["report"]
    return {"html": html.encode("utf-8"), "png": png, "pdf_fig": pdf_fig,
            "gpkg": gpkg_bytes(layers), "xlsx": xlsx, "report": report}
