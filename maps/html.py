"""HTML pieces of the Folium maps: escaping, number formats, popup tables, Leaflet elements.

Every user-supplied text (names, ids) goes through :func:`esc` before it reaches a popup,
tooltip or legend. The elements here are Leaflet-only (no jQuery or Bootstrap), so that
:mod:`maps.offline` can inline everything the map needs.
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Iterable
from typing import Any

from branca.element import MacroElement
from jinja2 import Template


def esc(value: Any) -> str:
    """Escape a user-supplied value for HTML that may sit inside a JS template literal.

    ``html.escape`` plus the backtick, ``$`` and backslash, which Folium's own tooltip
    template would otherwise let through into JavaScript.

    Parameters
    ----------
    value : object
        Any value; ``None`` and NaN give an empty string.

    Returns
    -------
    str
        The escaped text.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = _html.escape(str(value), quote=True)
    return text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def fmt(value: Any) -> str:
    """A number for a popup or legend: whole above 100, two decimals below; ``–`` if none.

    Parameters
    ----------
    value : object
        A number, or text (escaped and shown as it is).

    Returns
    -------
    str
        Escaped text.
    """
    if value is None:
        return "–"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return esc(value)
    if math.isnan(f):
        return "–"
    return f"{f:,.0f}" if abs(f) >= 100 or f == int(f) else f"{f:,.2f}"


def table(rows: Iterable[tuple[str, str]]) -> str:
    """HTML table from (label, already-escaped value) pairs; labels are escaped here.

    Parameters
    ----------
    rows : iterable of (str, str)
        Label and escaped value of each row.

    Returns
    -------
    str
        The ``<table class="pl-pop">`` HTML.
    """
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="pl-pop">{body}</table>'


def swatch(style: str, label: str) -> str:
    """A legend row: a rectangle styled by *style* (CSS) and an already-escaped *label*."""
    return f'<div><span class="sw" style="{style}"></span>{label}</div>'


def dot(colour: str, label: str) -> str:
    """A legend row: a round marker of *colour* and an already-escaped *label*."""
    return f'<div><span class="dot" style="background:{colour}"></span>{label}</div>'


class BindText(MacroElement):
    """Bind a tooltip and popup (HTML strings, already escaped) to the parent layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% if this.tip %}{{ this._parent.get_name() }}.bindTooltip({{ this.tip|tojson }},
            {sticky: true});{% endif %}
        {% if this.popup %}{{ this._parent.get_name() }}.bindPopup({{ this.popup|tojson }},
            {maxWidth: 320});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, tip: str | None, popup: str | None) -> None:
        super().__init__()
        self._name = "BindText"
        self.tip = tip
        self.popup = popup


class BindFeatureText(MacroElement):
    """Bind each feature's ``_tip`` / ``_popup`` property (already escaped) to its layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.eachLayer(function (l) {
            var p = (l.feature && l.feature.properties) || {};
            if (p._tip) { l.bindTooltip(p._tip, {sticky: true}); }
            if (p._popup) { l.bindPopup(p._popup, {maxWidth: 320}); }
        });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BindFeatureText"


class Legend(MacroElement):
    """A Leaflet control with the legend HTML (no external library)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: 'bottomright'});
            legend.onAdd = function () {
                var div = L.DomUtil.create('div', 'pl-legend');
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html


class PageStyle(MacroElement):
    """Page CSS for the legend and popups."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .pl-legend {background: rgba(255,255,255,0.92); padding: 6px 8px; font: 12px/1.4
            "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; border-radius: 4px;
            box-shadow: 0 0 6px rgba(0,0,0,0.3); max-width: 260px;}
        .pl-legend .sw {display: inline-block; width: 14px; height: 10px; margin-right: 4px;
            vertical-align: middle;}
        .pl-legend .dot {display: inline-block; width: 10px; height: 10px; margin-right: 4px;
            border-radius: 50%; vertical-align: middle;}
        .pl-legend svg {display: block;}
        .pl-legend summary {cursor: pointer;}
        table.pl-pop th {text-align: left; padding-right: 6px; font-weight: 600;}
        .leaflet-container {background: #f7f7f4;}
        </style>
        {% endmacro %}
        """
    )
