"""Interface strings: both languages for every key, same placeholders, no missing key used."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from core.texts import LANGUAGES, STRINGS, t

ROOT = Path(__file__).resolve().parents[1]


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_key_has_both_languages_and_same_placeholders() -> None:
    for key, entry in STRINGS.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry[lang].strip() for lang in LANGUAGES), key
        assert _fields(entry["zh"]) == _fields(entry["en"]), key


def test_keys_used_in_code_exist() -> None:
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
             *sorted((ROOT / "maps").glob("*.py"))]
    used = set()
    for f in files:
        used |= set(re.findall(r"""\b[Tt]\(\s*["']([a-z_]+\.[a-z_.0-9]+)["']""", f.read_text()))
    assert len(used) > 40
    assert sorted(used - set(STRINGS)) == []


def test_t_formats_and_defaults_to_chinese() -> None:
    assert t("sc.saved", "en", name="A") == "Saved scenario: A"
    assert t("sc.saved", name="甲") == "已保存方案：甲"
    assert t("page.home", "fr") == "首页"
    with pytest.raises(KeyError, match="no interface string 'nope'"):
        t("nope")
