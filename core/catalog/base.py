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
    "output.is_folder": {"zh": "输出路径 {path} 是一个文件夹，请给出文件名", "en": "output {path} is a folder; give a file name"},
    "output.cannot_write": {"zh": "无法写入 {path}：{why}（已有文件保持不变）", "en": "cannot write {path}: {why} (existing files are left as they were)"},
    "output.nothing_written": {"zh": "{path} 未写出任何内容", "en": "nothing was written to {path}"},
    "error.internal": {"zh": "内部错误（{kind}）：{text}。输入和已有输出未被改动；请把命令和此信息报告给维护者（设置 PLANNING_DEBUG=1 可显示详细信息）", "en": "internal error ({kind}): {text}. Inputs and existing outputs are untouched; please report the command and this message (set PLANNING_DEBUG=1 for details)"},
}
