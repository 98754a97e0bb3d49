"""Records of the profile rules a run applied (or could not apply), each with its source.

Every rule a scenario used is listed in :attr:`planning.runs.ScenarioRun.rules` as one of these
records, so that a planner can see which figure came from which clause of which document.
"""

from __future__ import annotations

from typing import Any

from core.messages import Message


def rule_record(rule: Any, service: str, *, applied: bool, detail: Message) -> dict[str, Any]:
    """A JSON-able description of a profile rule as a run used it (with its source).

    Parameters
    ----------
    rule : planning.profiles.Rule
        The rule.
    service : str
        The service it was applied to.
    applied : bool
        Whether the run applied it.
    detail : Message
        How it was applied, or why not (rendered in the interface language).

    Returns
    -------
    dict
        ``service``, ``rule`` (id), ``kind``, ``value``, ``unit``, ``area_type``, ``source``
        (document and clause), ``profile``, ``basis``, ``strength``, ``level``, ``applied``
        and ``detail``.
    """
    return {"service": service, "rule": rule.id, "kind": rule.kind, "value": float(rule.value),
            "unit": rule.unit, "area_type": rule.area_type,
            # a Message for the tool's own sources, shown in the reader's language
            "source": (rule.source.shown() if hasattr(rule.source, "shown")
                       else str(rule.source)),
            "profile": getattr(rule, "origin", ""),
            "basis": getattr(rule, "basis", "local_plan"),
            "strength": getattr(rule, "strength", "mandatory"),
            "level": getattr(rule, "level", "development"), "applied": bool(applied),
            "detail": detail}
