"""Structured messages: a code plus arguments, rendered in the interface language at the edge.

Notes, rule details, errors and warnings are made as :class:`Message` objects. JSON outputs keep
the stable ``code`` and the ``args``; a person sees :meth:`Message.render` in Chinese or
English. The templates live in :mod:`core.catalog`, one module per layer, each an entry
``code: {"zh": ..., "en": ...}`` formatted with :meth:`str.format` on the arguments.

Arguments are plain values: numbers, strings, ids, lists of ids, or :class:`Quantity` (a
number with its unit, rendered with the unit's name in the language).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.catalog import MESSAGES, UNITS

DEFAULT_LANGUAGE = "zh"
LANGUAGES: tuple[str, ...] = ("zh", "en")

#: Ids listed in one message before "(+N more)".
MAX_IDS = 20


@dataclass(frozen=True)
class Quantity:
    """A number with its unit code (``places``, ``m2``, ``residents``, ``minutes`` …).

    Parameters
    ----------
    value : float
        The number.
    unit : str
        A unit code of :data:`core.catalog.UNITS`.
    digits : int
        Decimals shown (trailing zeros dropped).
    """

    value: float
    unit: str
    digits: int = 1

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The number and its unit in ``lang`` (``52.4 托位``, ``350 m²``)."""
        names = UNITS.get(self.unit)
        name = names[lang] if names else self.unit
        number = format_number(self.value, self.digits)
        if lang == "zh" or name in ("m²", "%"):
            return f"{number} {name}" if name != "%" else f"{number}%"
        return f"{number} {name}"

    def to_json(self) -> dict[str, Any]:
        """``{"value", "unit"}``."""
        v = float(self.value)
        return {"value": v if math.isfinite(v) else None, "unit": self.unit}


def format_number(value: Any, digits: int = 1) -> str:
    """``value`` with at most ``digits`` decimals, thousands separated, no trailing zeros."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(f):
        return str(f)
    text = f"{f:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _render_arg(value: Any, lang: str) -> Any:
    if isinstance(value, Quantity | Message):
        return value.render(lang)
    if isinstance(value, float):
        return format_number(value, 3)
    if isinstance(value, list | tuple):
        items = [str(_render_arg(v, lang)) for v in value]
        shown = items[:MAX_IDS]
        more = len(items) - len(shown)
        sep = "、" if lang == "zh" else ", "
        text = sep.join(shown)
        if more > 0:
            text += f"（另 {more} 个）" if lang == "zh" else f" (+{more} more)"
        return text
    return value


@dataclass(frozen=True)
class Message:
    """One message: a code of :data:`core.catalog.MESSAGES` and its arguments.

    Examples
    --------
    >>> Message("where.rows", {"rows": ["R1", "R2"]}).render("en")
    'rows R1, R2'
    """

    code: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return render(self.code, self.args, lang)

    def to_json(self) -> dict[str, Any]:
        """``{"code", "args", "text"}``: the stable code, its arguments and the English text."""
        from core.fileio import json_safe

        return {"code": self.code, "args": json_safe(dict(self.args)),
                "text": self.render("en")}

    def __str__(self) -> str:
        return self.render("en")


def render(code: str, args: Mapping[str, Any] | None = None,
           lang: str = DEFAULT_LANGUAGE) -> str:
    """Render the template ``code`` with ``args`` in ``lang``.

    Raises
    ------
    KeyError
        When ``code`` is not in the catalog (a programming error; tests check every code).
    """
    entry = MESSAGES[code]
    template = entry.get(lang) or entry["en"]
    values = {k: _render_arg(v, lang) for k, v in (args or {}).items()}
    return template.format(**values)


def message_codes() -> Sequence[str]:
    """Every message code of the catalog (for tests)."""
    return sorted(MESSAGES)


def as_text(value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """Show a message in ``lang`` whatever form it arrives in.

    Accepts a :class:`Message`, its JSON form ``{"code", "args", ...}`` (as stored in saved
    scenarios and JSON outputs), or plain text (shown as it is).
    """
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, Mapping) and "code" in value:
        code = value["code"]
        if code in MESSAGES:
            return render(str(code), value.get("args") or {}, lang)
        return str(value.get("text", code))
    return "" if value is None else str(value)
