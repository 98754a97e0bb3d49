"""Small builders of the optimiser's structured messages (templates in core/catalog)."""

from __future__ import annotations

from collections.abc import Sequence

from core.messages import Message
from core.vocab import SERVICES

#: How reach is named when the caller says nothing.
IN_REACH = Message("optimizer.reach.in_reach")


def bullets(items: Sequence[Message | str]) -> Message | str:
    r"""The items as an indented list, one per line, each line starting ``"\\n  - "``."""
    out: Message | str = ""
    for item in reversed(items):
        out = Message("optimizer.bullet", {"item": item, "rest": out})
    return out


def of_service(service: str | None) -> Message | str:
    """`` (childcare)`` after a figure when a model has several services, else nothing."""
    if service is None:
        return ""
    # the planner's word for a known service (托育, 养老), else the table's own name
    name: Message | str = (Message(f"planning.service_{service}") if service in SERVICES
                           else service)
    return Message("optimizer.of_service", {"service": name})


def reach_within(minutes: float) -> Message:
    """How reach is named for a walking cutoff (``within 15 minutes``)."""
    return Message("optimizer.reach.minutes", {"minutes": float(minutes)})
