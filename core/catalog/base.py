# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Message templates shared by every layer: the frame of error reports."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "error.head": {"zh": "输入中有 {n} 个问题：", "en": "{n} problem(s) in the input:"},
    "error.head_source": {"zh": "{source} 中有 {n} 个问题：", "en": "{n} problem(s) in {source}:"},
    "where.source": {"zh": "{source}", "en": "{source}"},
    "where.field": {"zh": "字段“{field}”", "en": "field '{field}'"},
    "where.rows": {"zh": "行 {rows}", "en": "rows {rows}"},
    "where.field_source": {"zh": "{source} 字段“{field}”", "en": "{source} field '{field}'"},
    "where.rows_source": {"zh": "{source} 行 {rows}", "en": "{source} rows {rows}"},
    "where.field_rows": {"zh": "字段“{field}” 行 {rows}", "en": "field '{field}' rows {rows}"},
    "where.field_rows_source": {"zh": "{source} 字段“{field}” 行 {rows}", "en": "{source} field '{field}' rows {rows}"},
    "text": {"zh": "{text}", "en": "{text}"},
}
