"""The cost–coverage (or budget–coverage) curve of a scenario sweep, with matplotlib.

One panel per service: the share of the requirement served (%) against the cost of each run
(or the budget, or the number of new sites, when that is what the sweep varied), one line per
value of the other varied parameters. Filled points are proven optimal, hollow ones are not;
failed runs are left out. Labels come from the message catalog in the figure's language.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

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
    return ", ".join(f"{k} {format_number(v, 3)}" for k, v in params.items() if k != skip)


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
