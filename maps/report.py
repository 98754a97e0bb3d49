"""A planning-report PDF in Chinese summarising a scenario (reportlab).

The Chinese text is set in WenQuanYi Zen Hei (Debian's ``fonts-wqy-zenhei``, installed by
``scripts/setup.sh``), embedded in the PDF so that the report prints the same everywhere, with
no missing glyph (Noto CJK, which the figures embed, is a CFF font that reportlab cannot
embed). Without that font file it falls back to reportlab's CID font ``STSong-Light``, which
the PDF reader must supply.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.messages import Message, as_text
from core.texts import t

FALLBACK_FONT = "STSong-Light"
EMBEDDED_FONT = "WenQuanYiZenHei"
#: TrueType CJK fonts reportlab can embed, first found wins.
FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
              "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc")
MAX_TABLE_ROWS = 60


def _register() -> str:
    """Register the report's font and return its name (embedded TrueType when available)."""
    names = pdfmetrics.getRegisteredFontNames()
    if EMBEDDED_FONT in names:
        return EMBEDDED_FONT
    from pathlib import Path

    from reportlab.pdfbase.ttfonts import TTFont

    for path in FONT_FILES:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=0))
            return EMBEDDED_FONT
    if FALLBACK_FONT not in names:
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def _x(value: Any) -> str:
    """Escape text for reportlab's mini-markup."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return str(value)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=_register(), fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=24, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12.5, leading=18, spaceBefore=8,
                             spaceAfter=4),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11,
                                textColor=colors.grey),
    }


def _table(rows: list[list[Any]], styles: dict[str, ParagraphStyle], *,
           widths: list[float] | None = None, header: bool = True) -> Table:
    cells = [[Paragraph(_x(_fmt(v)), styles["cell"]) for v in row] for row in rows]
    tbl = Table(cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")))
    tbl.setStyle(TableStyle(style))
    return tbl


#: Width of the text block on A4 with the report's margins.
TEXT_WIDTH = (210 - 36) * mm


def _fit_widths(rows: list[list[Any]]) -> list[float]:
    """Column widths that fit the page, in proportion to each column's longest text.

    Capped, so that a long quoted clause wraps instead of pushing the table off the page.
    """
    weights = [min(max(len(_fmt(r[k])) for r in rows), 40) + 4 for k in range(len(rows[0]))]
    total = float(sum(weights))
    return [TEXT_WIDTH * w / total for w in weights]


def report_pdf(
    *,
    scenario_name: str,
    profile_name: str,
    parameters: Mapping[str, Any],
    indicators: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame] | None = None,
    figure_png: bytes | None = None,
    notes: Sequence[str | Message | Mapping[str, Any]] | None = None,
    lang: str = "zh",
    generated: _dt.datetime | None = None,
) -> bytes:
    """Return the PDF bytes of a planning report on one scenario.

    Parameters
    ----------
    scenario_name, profile_name : str
        Shown in the title block.
    parameters : mapping
        Label → value of the inputs (service, objective, minutes, speed, budget …).
    indicators : mapping
        Label → value of the results (sites, places, cost, share covered, unmet, status, gap).
    tables : mapping, optional
        Section title → table (e.g. new sites; unmet demand with reasons). Long tables are cut
        at 60 rows with a note.
    figure_png : bytes, optional
        A map figure (e.g. from :func:`maps.export.figure_map`) to include.
    notes : list of str or Message, optional
        Free paragraphs (data provenance, method notes): plain text, or structured messages
        (or their JSON form) rendered in *lang*.
    """
    _register()
    st = _styles()
    when = (generated or _dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    story: list[Any] = [
        Paragraph(_x(t("rep.title", lang)), st["title"]),
        Paragraph(_x(f"{t('ind.scenario', lang)}：{scenario_name}"), st["body"]),
        Paragraph(_x(f"{t('app.profile', lang)}：{profile_name}"), st["body"]),
        Paragraph(_x(t("rep.generated", lang, when=when)), st["small"]),
        Spacer(1, 4 * mm),
        Paragraph(_x(t("rep.inputs", lang)), st["h2"]),
        _table([[k, v] for k, v in parameters.items()], st, widths=[60 * mm, 110 * mm],
               header=False),
        Paragraph(_x(t("rep.results", lang)), st["h2"]),
        _table([[k, v] for k, v in indicators.items()], st, widths=[60 * mm, 110 * mm],
               header=False),
    ]
    if figure_png:
        img = Image(io.BytesIO(figure_png))
        scale = min(170 * mm / img.imageWidth, 150 * mm / img.imageHeight)
        img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
        story.append(KeepTogether([Paragraph(_x(t("rep.figure", lang)), st["h2"]), img]))
    for title, df in (tables or {}).items():
        if df is None:
            continue
        frame = pd.DataFrame(df).drop(columns=["geometry"], errors="ignore")
        story.append(Paragraph(_x(title), st["h2"]))
        if frame.empty:
            story.append(Paragraph("—", st["body"]))
            continue
        shown = frame.head(MAX_TABLE_ROWS)
        rows = [list(map(str, shown.columns))] + shown.astype(object).values.tolist()
        story.append(_table(rows, st, widths=_fit_widths(rows)))
        if len(frame) > MAX_TABLE_ROWS:
            story.append(Paragraph(_x(t("rep.more_rows", lang, n=len(frame) - MAX_TABLE_ROWS)),
                                   st["small"]))
    for note in notes or []:
        story.append(Paragraph(_x(as_text(note, lang)), st["small"]))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm,
                            title=t("rep.title", lang), author="yilao-yixiao-planner")
    doc.build(story)
    return buf.getvalue()
