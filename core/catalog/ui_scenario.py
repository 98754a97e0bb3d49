# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Interface strings of the scenario page's demand and parameters (key → {"zh", "en"}); merged into :data:`core.catalog.ui.STRINGS`."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
}
