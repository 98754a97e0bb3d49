"""The cost–coverage (or budget–coverage) curve of a scenario sweep, with matplotlib.

One panel per service: the share of the requirement served (%) against the cost of each run
(or the budget, or the number of new sites, when that is what the sweep varied), one line per
value of the other varied parameters. Filled points are proven optimal, hollow ones are not;
failed runs are left out. Labels come from the message catalog in the figure's language.

For the app the same curve as an Altair chart whose points can be clicked
(:func:`curve_chart`), and the runs as a table with units in its headers (:func:`runs_table`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from core.messages import Message, format_number

#: The x axis of each choice: (message code of the axis, row key or varied parameter).
_X = {"cost": "sweep.axis_cost", "budget": "sweep.axis_budget", "p": "sweep.axis_p"}


def curve_axis(result: Mapping[str, Any]) -> str:
    """``'budget'`` or ``'p'`` when a maximum-coverage sweep varies it, else ``'cost'``."""
    vary = result.get("vary", {})
    if result.get("base", {}).get("objective") == "max_coverage":
        for name in ("budget", "p"):
            if name in vary:
                return name
    return "cost"


def _label(params: Mapping[str, Any], skip: str) -> str:
    return ", ".join(f"{k} {_value_text(k, v)}" for k, v in params.items() if k != skip)


def curve_figure(result: Mapping[str, Any], *, lang: str = "zh", x: str | None = None,
                 figsize: tuple[float, float] | None = None) -> Figure:
    """The sweep's curve as a matplotlib figure.

    Parameters
    ----------
    result : mapping
        What :func:`planning.sweep.run_sweep` returned.
    lang : {'zh', 'en'}
        Language of the labels (Chinese needs a CJK font, see :mod:`maps.fonts`).
    x : {'cost', 'budget', 'p'}, optional
        The x axis (default: :func:`curve_axis`).
    """
    x = x or curve_axis(result)
    runs = [r for r in result["runs"] if r is not None and r["status"] != "failed"]
    services = sorted({s for r in runs for s in r["covered_share"]}) or ["childcare"]
    fig = Figure(figsize=figsize or (5.5 * len(services), 4.2))
    family = None
    if lang == "zh":
        from maps.fonts import cjk_font

        family, _ = cjk_font()
    axes = fig.subplots(1, len(services), squeeze=False)[0]
    for ax, svc in zip(axes, services, strict=True):
        series: dict[str, list[tuple[float, float, bool]]] = {}
        for r in runs:
            share = r["covered_share"].get(svc)
            xv = r["cost"] if x == "cost" else r["params"].get(x)
            if share is None or xv is None:
                continue
            series.setdefault(_label(r["params"], x), []).append(
                (float(xv), 100.0 * float(share), bool(r["proven_optimal"])))
        for name, pts in series.items():
            pts.sort()
            xs = [p[0] for p in pts]
            ys = [p[1] for p in pts]
            (line,) = ax.plot(xs, ys, "-", lw=1.2, label=name or None)
            for px, py, proven in pts:
                ax.plot([px], [py], "o", ms=6, color=line.get_color(),
                        markerfacecolor=line.get_color() if proven else "white")
        title = Message("sweep.curve_title", {
            "service": Message(f"planning.service_{svc}"), "x": Message(_X[x])})
        ax.set_title(title.render(lang), fontfamily=family)
        ax.set_xlabel(Message(_X[x]).render(lang), fontfamily=family)
        ax.set_ylabel(Message("sweep.axis_coverage").render(lang), fontfamily=family)
        ax.set_ylim(0, 100)
        ax.grid(True, alpha=0.3)
        if any(series):
            ax.legend(fontsize=8, prop={"family": family} if family else None)
    fig.text(0.01, 0.01, Message("sweep.not_proven").render(lang), fontsize=7,
             fontfamily=family)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def curve_png(result: Mapping[str, Any], *, lang: str = "zh", fmt: str = "png") -> bytes:
    """PNG (or PDF, ``fmt='pdf'``) bytes of :func:`curve_figure`."""
    buf = io.BytesIO()
    curve_figure(result, lang=lang).savefig(buf, format=fmt, bbox_inches="tight")
    return buf.getvalue()


# --------------------------------------------------------------------------- in the app

#: Headers (interface keys of :mod:`core.catalog.ui_sensitivity`) of the varied parameters.
PARAM_KEYS = {"budget": "sens.col.budget", "p": "sens.col.p", "minutes": "sens.col.minutes",
              "speed": "sens.col.speed", "childcare_per_1000": "sens.col.childcare_rate",
              "eldercare_per_100_households": "sens.col.eldercare_rate",
              "target_year": "sens.col.target_year"}

#: Varied parameters written as they are (a year is 2035, not 2,035).
_PLAIN = frozenset({"target_year"})


def _value_text(name: str, value: Any) -> str:
    """A varied value for labels: years plain, other numbers with separators."""
    return str(int(value)) if name in _PLAIN else format_number(value, 3)


def param_label(name: str, lang: str = "zh") -> str:
    """The header of varied parameter *name*, with its unit.

    ``_new`` / ``_old`` rates name their area type too.
    """
    from core.texts import t

    for suffix in ("_new", "_old"):
        if name.endswith(suffix) and name[: -len(suffix)] in PARAM_KEYS:
            return t(PARAM_KEYS[name[: -len(suffix)]], lang) + t(f"sens.area{suffix}", lang)
    return t(PARAM_KEYS[name], lang) if name in PARAM_KEYS else name


def run_label(row: Mapping[str, Any], lang: str = "zh") -> str:
    """``#2 · 预算（元） 4,000,000`` : a run of a sweep, for lists."""
    params = " · ".join(f"{param_label(k, lang)} {_value_text(k, v)}"
                        for k, v in row["params"].items())
    return f"#{int(row['index']) + 1} · {params}"


def curve_points(result: Mapping[str, Any], *, lang: str = "zh",
                 x: str | None = None) -> pd.DataFrame:
    """The data of :func:`curve_chart`: one line per finished run and service.

    Columns ``index``, ``run`` (its label), ``service`` (its label), ``x`` (yuan, or new
    sites), ``share`` (% of the requirement served), ``proven``, ``series`` (the other varied
    values).
    """
    from core.texts import t

    x = x or curve_axis(result)
    lines = []
    for r in result["runs"]:
        if r is None or r["status"] == "failed":
            continue
        xv = r["cost"] if x == "cost" else r["params"].get(x)
        for svc, share in r["covered_share"].items():
            if share is None or xv is None:
                continue
            lines.append({"index": int(r["index"]), "run": run_label(r, lang),
                          "service": t(f"sc.{svc}", lang), "x": float(xv),
                          "share": round(100.0 * float(share), 2),
                          "proven": bool(r["proven_optimal"]),
                          "series": _label(r["params"], x) or "–"})
    return pd.DataFrame(lines, columns=["index", "run", "service", "x", "share", "proven",
                                        "series"])


def curve_chart(result: Mapping[str, Any], *, lang: str = "zh", x: str | None = None) -> Any:
    """The curve as an Altair chart, drawn by the browser (no internet needed).

    One panel per service, one line per value of the other varied parameters, filled points
    proven optimal; a click on a point selects its run (selection parameter ``point``, field
    ``index``).
    """
    import altair as alt

    x = x or curve_axis(result)
    data = curve_points(result, lang=lang, x=x)
    x_title = Message(_X[x]).render(lang)
    y_title = Message("sweep.axis_coverage").render(lang)
    pick = alt.selection_point(name="point", fields=["index"], on="click")
    base = alt.Chart(data).encode(
        x=alt.X("x:Q", title=x_title, axis=alt.Axis(format=",.0f" if x != "p" else "d")),
        y=alt.Y("share:Q", title=y_title, scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("series:N", title=None,
                        legend=None if data["series"].nunique() <= 1 else alt.Legend()),
    )
    line = base.mark_line()
    points = base.mark_point(size=90, strokeWidth=2).encode(
        fill=alt.condition(alt.datum.proven, alt.Color("series:N", legend=None),
                           alt.value("white")),
        tooltip=[alt.Tooltip("run:N", title="#"),
                 alt.Tooltip("x:Q", title=x_title, format=",.0f"),
                 alt.Tooltip("share:Q", title=y_title, format=".1f")],
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
    ).add_params(pick)
    chart = alt.layer(line, points)
    if data["service"].nunique() <= 1:  # one service: as wide as the page
        title = data["service"].iloc[0] if len(data) else ""
        return chart.properties(height=340, title=title)
    return chart.properties(height=320, width=420).facet(
        column=alt.Column("service:N", title=None))


def runs_table(result: Mapping[str, Any], *, lang: str = "zh") -> pd.DataFrame:
    """The runs of a sweep for the planner, every header with its unit.

    The varied values, status, proven, gap (%), cost (元), new sites (处), and per service
    the requirement (托位 or m², under the run's target year and rates; only when the runs
    carry it — sweeps saved before they did have no such column), the share served (%) and
    what is left unmet (托位 or m²). Display labels only; the canonical values stay in the
    result.
    """
    from core.texts import t, value_label

    runs = [r for r in result["runs"] if r is not None]
    services = sorted({s for r in runs for s in r["covered_share"]}
                      | {s for r in runs for s in r.get("unmet", {})})
    with_required = any(r.get("required") for r in runs)
    lines = []
    for r in runs:
        line: dict[str, Any] = {"#": int(r["index"]) + 1}
        for k, v in r["params"].items():
            line[param_label(k, lang)] = v
        line[t("sens.col.status", lang)] = value_label(r["status"], lang)
        line[t("sens.col.proven", lang)] = t("sens.yes" if r["proven_optimal"] else "sens.no",
                                             lang)
        line[t("sens.col.gap", lang)] = None if r["gap"] is None else 100.0 * float(r["gap"])
        line[t("sens.col.cost", lang)] = r["cost"]
        line[t("sens.col.sites", lang)] = r["sites"]
        for s in services:
            unit = t(f"sens.unit.{s}", lang)
            if with_required:
                line[t("sens.col.required", lang, service=t(f"sc.{s}", lang), unit=unit)] = (
                    r.get("required", {}).get(s, {}).get("value"))
            share = r["covered_share"].get(s)
            line[t("sens.col.share", lang, service=t(f"sc.{s}", lang))] = (
                None if share is None else 100.0 * float(share))
            unmet = r.get("unmet", {}).get(s, {})
            line[t("sens.col.unmet", lang, service=t(f"sc.{s}", lang), unit=unit)] = (
                unmet.get("value"))
        lines.append(line)
    return pd.DataFrame(lines)
