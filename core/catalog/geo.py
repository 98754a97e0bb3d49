# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates of the ``geo``-layer (code → {"zh", "en"})."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # reach
    "geo.reach": {"zh": "{minutes}（步行速度 {speed}）", "en": "{minutes} at {speed}"},
    "geo.reach.not_positive": {"zh": "{name} 必须是有限的正数，实际为 {value}", "en": "{name} must be a finite positive number, got {value}"},
    "geo.service_areas.no_reach": {"zh": "未给出服务范围的步行时间", "en": "no reach given: pass at least one Reach"},
}
