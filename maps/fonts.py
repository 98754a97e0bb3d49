"""Finding a CJK font for figures and reports (Chinese labels need one).

Debian/Ubuntu: ``apt-get install fonts-noto-cjk``. A missing font raises
:class:`MissingFontError` naming the package instead of drawing empty boxes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager

from errors import PlanningError

CJK_NAME = re.compile(
    r"Noto Sans CJK|Noto Serif CJK|Source Han|WenQuanYi|SimHei|SimSun|Microsoft YaHei|"
    r"PingFang|Droid Sans Fallback|AR PL",
    re.IGNORECASE,
)
_FILE_HINT = re.compile(
    r"cjk|sourcehan|wqy|simhei|simsun|msyh|pingfang|droidsansfallback|uming|ukai", re.IGNORECASE
)


class MissingFontError(PlanningError):
    """No CJK font is installed: Chinese text cannot be drawn."""


def _preferred(entries: list[font_manager.FontEntry]) -> font_manager.FontEntry:
    def score(e: font_manager.FontEntry) -> tuple[int, int, int]:
        return (
            0 if "Sans CJK SC" in e.name else 1 if "Sans" in e.name else 2,
            0 if str(e.weight) in ("400", "normal", "regular") else 1,
            0 if e.style == "normal" else 1,
        )

    return sorted(entries, key=score)[0]


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, Path]:
    """Return (family name, file path) of an installed CJK font, registered with matplotlib.

    Raises
    ------
    MissingFontError
        If no CJK font is found; the message names the package to install.
    """
    entries = [e for e in font_manager.fontManager.ttflist if CJK_NAME.search(e.name)]
    if not entries:
        # The matplotlib font cache may predate the font's installation: scan the system.
        for path in font_manager.findSystemFonts(fontext="ttf"):
            if _FILE_HINT.search(Path(path).name):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        entries = [e for e in font_manager.fontManager.ttflist if CJK_NAME.search(e.name)]
    if not entries:
        raise MissingFontError(
            "no CJK font found for Chinese labels (looked for Noto Sans CJK, Source Han, "
            "WenQuanYi, SimHei …); install one, e.g. `apt-get install fonts-noto-cjk`"
        )
    best = _preferred(entries)
    return best.name, Path(best.fname)
