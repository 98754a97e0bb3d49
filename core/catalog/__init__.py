"""The catalog of message templates and unit names, merged from one module per layer.

Each module defines ``MESSAGES: dict[str, dict[str, str]]`` with a ``zh`` and an ``en``
template per code. Codes are prefixed by their layer (``geo.``, ``optimizer.``, ``planning.``,
``maps.``, ``app.``) so that the modules never collide.
"""

from __future__ import annotations

from core.catalog import (
    accounts,
    base,
    geo,
    optimizer,
    plan_cli,
    planning,
    policy,
    population,
    sweep,
)

UNITS: dict[str, dict[str, str]] = {
    "places": {"zh": "托位", "en": "places"},
    "m2": {"zh": "m²", "en": "m²"},
    "residents": {"zh": "人", "en": "residents"},
    "households": {"zh": "户", "en": "households"},
    "sites": {"zh": "处", "en": "sites"},
    "minutes": {"zh": "分钟", "en": "min"},
    "metres": {"zh": "米", "en": "m"},
    "m_per_min": {"zh": "米/分钟", "en": "m/min"},
    "percent": {"zh": "%", "en": "%"},
    "yuan": {"zh": "元", "en": "yuan"},
    "persons_per_household": {"zh": "人/户", "en": "persons per household"},
    "beds": {"zh": "床", "en": "beds"},
}

MESSAGES: dict[str, dict[str, str]] = {}
for _module in (base, geo, optimizer, planning, plan_cli, policy, population, accounts, sweep):
    for _code, _entry in _module.MESSAGES.items():
        if _code in MESSAGES:
            raise RuntimeError(f"message code {_code} is defined twice")
        MESSAGES[_code] = _entry
