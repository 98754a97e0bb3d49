# ruff: noqa: E501  (a table of texts: long Chinese lines read better unbroken)
"""Interface strings of the data page's upload flow (key → {"zh", "en"}); merged into :data:`core.catalog.ui.STRINGS`."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "upload.more": {"zh": "（另 {n} 个）", "en": " (+{n} more)"},
    "upload.still_demo": {"zh": "以下图层仍是示例数据（合成城区），不是您上传的：{layers}", "en": "These layers are still the demo data (synthetic district), not yours: {layers}"},
    "upload.clear_demo": {"zh": "清除示例图层", "en": "Clear the demo layers"},
    "upload.clear_demo_help": {"zh": "移除仍为示例数据的图层；清除示例路网后按直线距离计算", "en": "Remove the layers still from the demo; without the demo network, distances are straight lines"},
    "upload.cleared": {"zh": "已清除示例图层：{layers}", "en": "Demo layers cleared: {layers}"},
    "upload.reset": {"zh": "重置上传", "en": "Reset the upload"},
    "upload.reset_help": {"zh": "放弃当前上传的文件和为其所做的选择；已读取的图层保留", "en": "Forget the file being uploaded and the choices made for it; layers already read stay"},
    "upload.no_coords": {"zh": "{n} 行没有坐标（坐标为空或不是数字）：{rows}", "en": "{n} row(s) without coordinates (blank or not a number): {rows}"},
    "upload.confirm_drop": {"zh": "确认排除这 {n} 行（排除情况会记录在方案说明和所有导出结果中）", "en": "Exclude these {n} row(s) (the exclusion is recorded in the scenario notes and every export)"},
    "upload.area_type_missing": {"zh": "{n} 行没有新旧类型（area_type / 新旧）：{rows}。请选择如何确定：", "en": "{n} row(s) have no area type (area_type / 新旧): {rows}. Choose how to set it:"},
    "upload.area_type_choice": {"zh": "新旧类型", "en": "Area type"},
    "upload.area_new": {"zh": "全部设为新建", "en": "All new"},
    "upload.area_old": {"zh": "全部设为老旧（已建成）", "en": "All old (built)"},
    "upload.area_year": {"zh": "按建成年份推定", "en": "From the completion year (建成年份)"},
    "upload.cutoff": {"zh": "分界年份（年）", "en": "Cut-off year"},
    "upload.cutoff_help": {"zh": "该年及以后建成的为新建，之前建成的为老旧；此选择会记录在结果中", "en": "Built in or after this year: new; before: old. The choice is recorded in the results"},
    "upload.type_new": {"zh": "新建", "en": "New"},
    "upload.type_old": {"zh": "老旧（已建成）", "en": "Old (built)"},
    "upload.year_default": {"zh": "没有建成年份的行设为", "en": "Rows without a completion year"},
}
