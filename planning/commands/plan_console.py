"""What ``plan`` (map form) prints: the run in the planner's language (``PLANNING_LANG``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.messages import Message, Quantity, as_text
from core.texts import value_label
from core.vocab import SERVICE_UNITS


def console_lines(run: Any, data: dict[str, Any], services: Sequence[str],
                  paths: Sequence[str], lang: str) -> list[str]:
    """The summary, demand, rules, notes and written files of a run, one line each.

    Parameters
    ----------
    run : ScenarioRun
        The run (indicators, demand table, rules, notes, unmet rows, method).
    data : dict
        Its result.json (status, gap, seconds).
    services : sequence of str
        The services planned.
    paths : sequence of str
        The files written.
    lang : {'zh', 'en'}
        Language of the lines.
    """
    total = run.indicators["total"]
    unmet = [Message("planning.cli.unmet_part", {
        "service": Message(f"planning.service_{s}"),
        "amount": Quantity(float(run.indicators[s].get("unmet") or 0.0), SERVICE_UNITS[s])})
        for s in services]
    gap = data.get("gap")
    lines = [Message("planning.cli.summary", {
        "status": str(value_label(str(data["status"]), lang)),
        "gap": "–" if gap is None else f"{float(gap):.2%}",
        "sites": int(total.get("sites") or 0),
        "cost": Quantity(float(total.get("cost") or 0.0), "yuan", 0),
        "unmet": unmet, "rows": len(run.unmet),
        "method": str(value_label(str(run.method), lang)),
        "seconds": f"{float(data.get('seconds') or 0.0):.2f}"})]
    if run.demand_table is not None:
        table = run.demand_table
        for row in table[table["unit_name"] == "(total)"].itertuples():
            need = (Message("planning.cli.need_part",
                            {"need": Quantity(row.need_demand, row.need_unit)})
                    if row.need_demand == row.need_demand else "")  # NaN: no age groups
            lines.append(Message("planning.cli.demand_line", {
                "service": Message(f"planning.service_{row.service}"),
                "policy": Quantity(row.policy_demand, row.policy_unit), "need": need,
                "used": Message(f"planning.cli.basis_{row.used}")
                if row.used in ("policy", "need") else str(row.used)}))
    for r in run.rules:
        lines.append(Message("planning.cli.rule_line", {
            "rule": r["rule"], "service": Message(f"planning.service_{r['service']}")
            if r["service"] in SERVICE_UNITS else str(r["service"]),
            "applied": Message("planning.cli.applied" if r["applied"]
                               else "planning.cli.not_applied"),
            "source": r["source"]}))
    lines += [Message("planning.cli.note_line", {"note": n}) for n in run.notes]
    lines.append(Message("planning.cli.wrote", {"paths": ", ".join(paths)}))
    return [as_text(m, lang) for m in lines]
