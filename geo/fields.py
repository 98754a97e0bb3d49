"""Field-name and value aliases: Chinese and English column names mapped to canonical ones.

The tables here are data, not logic: :data:`FIELD_ALIASES` maps each canonical column name
(the shared data model of the project) to the names planners' files use for it, and
:data:`VALUE_ALIASES` maps the values of categorical columns (area type, service, status,
kind). Matching ignores case, surrounding blanks, and the difference between ``_``, ``-`` and
spaces. Add a spelling by adding it to a table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# canonical name -> accepted spellings (the canonical name itself is always accepted)
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("编号", "ID", "id", "小区编号", "项目编号", "设施编号", "代码", "fid_code", "code"),
    "name": ("名称", "小区名称", "小区名", "项目名称", "设施名称", "name", "NAME", "mc"),
    "population": ("人口", "常住人口", "人口数", "居住人口", "population", "pop", "POP",
                   "residents"),
    "households": ("户数", "住户数", "总户数", "households", "hh", "HH", "house_holds"),
    "area_type": ("类型", "小区类型", "区域类型", "居住区类型", "新旧", "新旧类型", "area_type",
                  "type", "areatype"),
    "admin_unit": ("街道", "所属街道", "街道办", "admin_unit", "street", "subdistrict",
                   "jiedao"),
    "district": ("区", "区县", "行政区", "所属区", "district"),
    "completion_year": ("建成年份", "竣工年份", "建成年代", "建筑年代", "completion_year",
                        "build_year", "built_year", "year_built"),
    "floor_area_m2": ("住宅建筑面积", "建筑面积", "居住建筑面积", "floor_area_m2", "floor_area",
                      "gfa"),
    "elderly_share": ("老年人口比例", "老龄化率", "60岁以上比例", "elderly_share"),
    "childcare_places": ("托位", "托位数", "配建托位", "childcare_places", "nursery_places"),
    # 托位 of the child-care facility a built 小区 already has (old-area rules cover only those
    # without one: Chuzhou, Hefei)
    "existing_childcare_places": ("现有托位", "现状托位", "已有托位", "现有托位数",
                                  "existing_childcare_places"),
    "eldercare_area_m2": ("养老用房面积", "养老服务用房面积", "养老面积", "eldercare_area_m2",
                          "eldercare_area"),
    "eldercare_site_areas_m2": ("养老用房各处面积", "养老站点面积", "各养老用房面积",
                                "eldercare_site_areas_m2", "eldercare_site_areas"),
    "childcare_site_places": ("各托育点托位", "托育点托位", "childcare_site_places",
                              "childcare_site_capacities"),
    "service": ("服务类型", "设施类型", "服务", "service"),
    "status": ("状态", "现状/规划", "建设状态", "status"),
    "kind": ("性质", "运营性质", "办学性质", "kind", "ownership"),
    "capacity": ("容量", "规模", "capacity", "cap"),
    "fixed_cost": ("固定成本", "建设固定成本", "fixed_cost"),
    "unit_cost": ("单位成本", "单价", "unit_cost"),
    "min_capacity": ("最小规模", "最小容量", "min_capacity", "min_cap"),
    "max_capacity": ("最大规模", "最大容量", "max_capacity", "max_cap"),
    "site_id": ("场地编号", "地块编号", "site_id"),
    "site_kind": ("场地类型", "地块类型", "site_kind"),
}

# canonical column -> canonical value -> accepted spellings
VALUE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "area_type": {
        "new": ("new", "新建", "新区", "新建区", "新建居住区", "新建小区", "新建住宅", "新"),
        "old": ("old", "老旧", "老城区", "已建成", "已建成居住区", "老旧小区", "建成区", "旧城",
                "旧区", "老", "existing", "built"),
    },
    "service": {
        "childcare": ("childcare", "child_care", "托育", "托育机构", "托位", "托育点", "托儿所",
                      "nursery"),
        "eldercare": ("eldercare", "elder_care", "养老", "养老服务", "养老服务站", "养老设施",
                      "居家养老服务站", "日间照料中心", "社区养老"),
    },
    "status": {
        "existing": ("existing", "现状", "已建", "既有", "现有", "built"),
        "candidate": ("candidate", "候选", "备选", "候选点", "备选地块"),
        "proposed": ("proposed", "规划", "拟建", "在建", "planned"),
    },
    "kind": {
        "public": ("public", "公办", "公建", "兜底", "公办/兜底"),
        "puhui": ("puhui", "普惠", "普惠性", "inclusive"),
        "market": ("market", "市场", "民办", "营利", "市场化", "private"),
    },
}

# columns that must hold numbers (after mapping)
NUMERIC_FIELDS: tuple[str, ...] = (
    "population", "households", "floor_area_m2", "elderly_share", "childcare_places",
    "existing_childcare_places", "eldercare_area_m2", "capacity", "fixed_cost", "unit_cost",
    "min_capacity", "max_capacity", "completion_year",
)
# columns holding a list of numbers ("200,150")
LIST_FIELDS: tuple[str, ...] = ("eldercare_site_areas_m2", "childcare_site_places")
# columns read as text
TEXT_FIELDS: tuple[str, ...] = ("id", "name", "admin_unit", "district", "site_id", "site_kind")

# candidate names of coordinate columns in tables (CSV); suffixes such as _bd09 are allowed
WKT_COLUMNS: tuple[str, ...] = ("geometry", "wkt", "WKT", "geom", "the_geom", "几何")
LON_COLUMNS: tuple[str, ...] = ("lon", "lng", "long", "longitude", "经度", "x", "X")
LAT_COLUMNS: tuple[str, ...] = ("lat", "latitude", "纬度", "y", "Y")
# datum suffixes of coordinate columns, e.g. lon_bd09 / lat_gcj02
DATUM_SUFFIXES: dict[str, str] = {
    "bd09": "bd09", "bd": "bd09", "baidu": "bd09",
    "gcj02": "gcj02", "gcj": "gcj02", "gd": "gcj02", "amap": "gcj02",
    "wgs84": "wgs84", "wgs": "wgs84",
    "cgcs2000": "cgcs2000",
}


def normalise_key(name: str) -> str:
    """Key used to compare column names: lower case, no blanks, ``-``/space as ``_``."""
    s = str(name).strip().lower()
    s = re.sub(r"[\s\-]+", "_", s)
    return s


def _build_lookup(table: Mapping[str, Iterable[str]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, spellings in table.items():
        for spelling in (canonical, *spellings):
            lookup.setdefault(normalise_key(spelling), canonical)
    return lookup


_FIELD_LOOKUP = _build_lookup(FIELD_ALIASES)
_VALUE_LOOKUP = {col: _build_lookup(vals) for col, vals in VALUE_ALIASES.items()}


def canonical_field(name: str) -> str | None:
    """Canonical column name for ``name``, or None when it is not a known alias.

    Examples
    --------
    >>> canonical_field("常住人口"), canonical_field("Households"), canonical_field("foo")
    ('population', 'households', None)
    """
    return _FIELD_LOOKUP.get(normalise_key(name))


def map_columns(
    columns: Iterable[str], *, explicit: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """Work out how to rename ``columns`` to canonical names.

    Parameters
    ----------
    columns : iterable of str
        Column names as found in the file.
    explicit : mapping, optional
        ``{file column: canonical name}`` given by the user; wins over the alias table.

    Returns
    -------
    rename : dict
        ``{file column: canonical name}`` for every column that maps unambiguously.
    duplicates : list of (canonical, [file columns])
        Canonical names that two or more columns map to (none of them is renamed).
    """
    explicit = dict(explicit or {})
    columns = list(columns)
    targets: dict[str, list[str]] = {}
    for col in columns:
        target: str | None
        if col in explicit:
            target = explicit[col]
        else:
            target = canonical_field(col)
            if target is not None and target in explicit.values():
                # the user mapped another column to this name: leave this one alone
                continue
        if target is None:
            continue
        targets.setdefault(target, []).append(col)
    rename: dict[str, str] = {}
    duplicates: list[tuple[str, list[str]]] = []
    for target, cols in targets.items():
        if len(cols) == 1:
            rename[cols[0]] = target
        else:
            duplicates.append((target, cols))
    return rename, duplicates


def canonical_value(column: str, value: object) -> str | None:
    """Canonical value of a categorical column, or None when the spelling is unknown.

    Examples
    --------
    >>> canonical_value("area_type", "老旧"), canonical_value("area_type", "新新")
    ('old', None)
    """
    table = _VALUE_LOOKUP.get(column)
    if table is None:
        raise KeyError(f"no value aliases for column {column!r}")
    return table.get(normalise_key(str(value)))


def find_coordinate_columns(
    columns: Iterable[str],
) -> tuple[str | None, str | None, str | None, str | None]:
    """Find the WKT column, or the lon/lat columns, of a table.

    Returns
    -------
    wkt, lon, lat, datum_hint
        Column names (None when absent) and the datum a column suffix names
        (``'bd09'``, ``'gcj02'``, ``'wgs84'``, ``'cgcs2000'``) or None.
    """
    columns = list(columns)
    wkt_keys = {normalise_key(c) for c in WKT_COLUMNS}
    wkt = next((c for c in columns if normalise_key(c) in wkt_keys), None)

    def match(candidates: tuple[str, ...]) -> tuple[str | None, str | None]:
        keys = {normalise_key(c) for c in candidates}
        for col in columns:
            k = normalise_key(col)
            if k in keys:
                return col, None
        for col in columns:
            k = normalise_key(col)
            m = re.fullmatch(r"(.+?)_(\w+)", k)
            if m and m.group(1) in keys and m.group(2) in DATUM_SUFFIXES:
                return col, DATUM_SUFFIXES[m.group(2)]
        return None, None

    lon, hint_lon = match(LON_COLUMNS)
    lat, hint_lat = match(LAT_COLUMNS)
    return wkt, lon, lat, hint_lon or hint_lat
