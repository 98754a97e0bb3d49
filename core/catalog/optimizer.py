# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates of the ``optimizer``-layer (code → {"zh", "en"})."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
}
