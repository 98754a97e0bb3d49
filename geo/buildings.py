"""Building footprints with their number of floors, for residential floor-area estimates.

A planner's buildings layer (from the planning bureau, or OpenStreetMap) gives footprints and,
for some buildings, a floor count (``层数``, ``floors``, ``building:levels`` …) or a height
(``高度``, ``height``). :func:`read_buildings` reads such a layer and :func:`resolve_floors`
settles the floors of every building, recording where each figure came from in
``floors_source``:

``floors``
    the floor-count field of the building;
``height``
    its height divided by the storey height (a parameter, default
    :data:`DEFAULT_STOREY_HEIGHT_M`, a tool default), rounded, at least one floor;
``default``
    neither is given: the ``default_floors`` the planner set or, lacking it, the median floors of
    the buildings of the same layer that have them (a tool default, recorded in
    ``attrs['floors_default']``), or one floor when no building has them.

Buildings whose use is plainly not residential (``building=school``, ``office``, ``商业`` …) are
flagged ``residential = False`` so that the estimate leaves them out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.messages import Message
from errors import InputError, Problem, ProblemCollector
from geo.crs import to_wgs84
from geo.fields import normalise_key
from geo.io import read_layer

__all__ = [
    "DEFAULT_STOREY_HEIGHT_M",
    "NON_RESIDENTIAL_USES",
    "read_buildings",
    "resolve_floors",
]

#: Storey height (m) used to turn a building's height into floors. A tool default, not a policy
#: figure: Chinese residential storeys are about 2.8–3.0 m; the planner can set another.
DEFAULT_STOREY_HEIGHT_M: float = 3.0

#: Column names (as files spell them) of the floor count, height and use of a building.
FLOOR_FIELDS: tuple[str, ...] = ("floors", "层数", "建筑层数", "地上层数", "楼层数", "楼层",
                                 "building:levels", "building_levels", "levels", "storeys",
                                 "floor_count", "cs")
HEIGHT_FIELDS: tuple[str, ...] = ("height", "高度", "建筑高度", "height_m", "building:height",
                                  "building_height")
USE_FIELDS: tuple[str, ...] = ("building", "use", "用途", "建筑用途", "building_use",
                               "建筑类型", "功能")

#: Building uses left out of residential floor area (OSM ``building=*`` values and common
#: Chinese labels). ``yes`` and unknown values count as residential.
NON_RESIDENTIAL_USES: frozenset[str] = frozenset({
    "commercial", "retail", "office", "industrial", "warehouse", "school", "university",
    "college", "kindergarten", "hospital", "hotel", "church", "temple", "mosque", "civic",
    "public", "government", "train_station", "transportation", "parking", "garage", "garages",
    "service", "supermarket", "sports_hall", "stadium", "roof", "construction", "shed",
    "greenhouse", "barn", "farm_auxiliary", "kiosk", "toilets", "carport", "bridge",
    "商业", "办公", "工业", "厂房", "仓库", "学校", "医院", "酒店", "宾馆", "公共建筑",
    "行政办公", "商务", "商服", "教育", "停车", "车库",
})


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    keys = {normalise_key(n) for n in names}
    return next((c for c in columns if normalise_key(c) in keys), None)


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Floats of a column (NaN where blank) and a mask of cells that are not numbers.

    ``"6"``, ``"6.0"``, ``"18 m"``, ``"18m"`` and ``"6层"`` are read as numbers.
    """
    text = values.astype("string").str.strip()
    text = text.str.replace(r"\s*(m|米|层|F|f)$", "", regex=True)
    blank = text.isna() | (text == "")
    num = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(dtype=float,
                                                                      na_value=np.nan)
    bad = ~blank.to_numpy(dtype=bool) & ~np.isfinite(num)
    return num, bad


def resolve_floors(
    buildings: gpd.GeoDataFrame,
    *,
    floors_field: str | None = None,
    height_field: str | None = None,
    use_field: str | None = None,
    storey_height_m: float = DEFAULT_STOREY_HEIGHT_M,
    default_floors: float | None = None,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Give every building its floors, the source of that figure and whether it is residential.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Footprints; floors, height and use columns are found by name (see
        :data:`FLOOR_FIELDS`, :data:`HEIGHT_FIELDS`, :data:`USE_FIELDS`) unless named.
    floors_field, height_field, use_field : str, optional
        Columns holding the floor count, the height in metres and the use.
    storey_height_m : float
        Metres per storey for buildings known only by height.
    default_floors : float, optional
        Floors of buildings with neither; by default the median of those that have them.
    source : str, optional
        Name of the input for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``floors`` (float, ≥ 1), ``floors_source`` (``floors``, ``height`` or
        ``default``) and ``residential`` (bool); ``attrs['floors_default']`` says which default
        was used and why.

    Raises
    ------
    errors.InputError
        Floors or heights that are not numbers or are negative, and a storey height or default
        that is not positive, naming the rows.
    """
    col = ProblemCollector(source=source)
    if not storey_height_m > 0:
        col.add(Message("population.storey_height", {"value": storey_height_m}))
    if default_floors is not None and not default_floors > 0:
        col.add(Message("population.default_floors", {"value": default_floors}))
    out = buildings.copy()
    columns = [str(c) for c in out.columns if c != out.geometry.name]
    floors_field = floors_field or _find(columns, FLOOR_FIELDS)
    height_field = height_field or _find(columns, HEIGHT_FIELDS)
    use_field = use_field or _find(columns, USE_FIELDS)
    n = len(out)
    ids = out["id"].astype(str).to_numpy() if "id" in out.columns else np.arange(1, n + 1)
    floors = np.full(n, np.nan)
    height = np.full(n, np.nan)
    for name, target in ((floors_field, floors), (height_field, height)):
        if name is None:
            continue
        if name not in out.columns:
            col.add(Message("population.no_column", {"column": name}), field=name)
            continue
        values, bad = _numbers(out[name])
        if bad.any():
            col.add(Message("population.not_number",
                            {"values": [str(v) for v in out[name][bad].tolist()[:5]]}),
                    rows=list(ids[bad]), field=name)
        neg = np.isfinite(values) & (values < 0)
        if neg.any():
            col.add(Message("population.negative", {"values": values[neg].tolist()[:5]}),
                    rows=list(ids[neg]), field=name)
        target[:] = np.where(np.isfinite(values) & (values > 0), values, np.nan)
    col.raise_if_any()

    source_col = np.full(n, "default", dtype=object)
    resolved = np.full(n, np.nan)
    has_floors = np.isfinite(floors)
    resolved[has_floors] = np.maximum(np.round(floors[has_floors]), 1.0)
    source_col[has_floors] = "floors"
    by_height = ~has_floors & np.isfinite(height)
    resolved[by_height] = np.maximum(np.round(height[by_height] / storey_height_m), 1.0)
    source_col[by_height] = "height"
    known = np.isfinite(resolved)
    if default_floors is not None:
        fill, why = float(default_floors), "given"
    elif known.any():
        fill, why = float(np.median(resolved[known])), "median"
    else:
        fill, why = 1.0, "none_known"
    resolved[~known] = fill

    residential = np.ones(n, dtype=bool)
    if use_field is not None and use_field in out.columns:
        uses = out[use_field].astype("string").str.strip().str.lower().fillna("")
        residential = ~uses.isin(NON_RESIDENTIAL_USES).to_numpy(dtype=bool)

    out["floors"] = resolved
    out["floors_source"] = pd.array(source_col, dtype="string")
    out["residential"] = residential
    out.attrs = dict(buildings.attrs)
    out.attrs["floors_default"] = {"floors": fill, "basis": why,
                                   "buildings": int((~known).sum()),
                                   "storey_height_m": storey_height_m}
    out.attrs["floors_fields"] = {"floors": floors_field, "height": height_field,
                                  "use": use_field}
    return out


def read_buildings(
    path: str | os.PathLike[str],
    *,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    fields: Mapping[str, str] | None = None,
    storey_height_m: float = DEFAULT_STOREY_HEIGHT_M,
    default_floors: float | None = None,
) -> gpd.GeoDataFrame:
    """Read building footprints and settle their floors (see :func:`resolve_floors`).

    Parameters
    ----------
    path : path-like
        GeoPackage, GeoJSON or Shapefile of building polygons (GBK tables handled as by
        :func:`geo.io.read_layer`).
    crs : str, optional
        CRS of the coordinates when the file declares none or declares it wrongly.
    layer : str or int, optional
        Layer of a multi-layer file; ``'buildings'`` is taken when present.
    encoding : str, optional
        Text encoding of the attribute table.
    fields : mapping, optional
        ``{'floors': column, 'height': column, 'use': column, 'id': column}`` where the
        names are not recognised.
    storey_height_m : float
        Metres per storey for buildings known only by height (a tool default otherwise).
    default_floors : float, optional
        Floors of buildings with neither floors nor height.

    Returns
    -------
    geopandas.GeoDataFrame
        ``id``, ``floors``, ``floors_source``, ``residential``, the file's other columns and
        polygon geometry, in EPSG:4326.

    Raises
    ------
    errors.InputError
        Unreadable file, no polygons, bad floor or height values, naming the rows.
    errors.CRSError
        Missing or wrong CRS.
    """
    source = str(path)
    raw, _ = read_layer(path, layer=layer, encoding=encoding, default_layer="buildings")
    if not isinstance(raw, gpd.GeoDataFrame):
        raise InputError([Problem(Message("population.buildings_no_geometry"), source=source)],
                         source=source)
    fields = dict(fields or {})
    frame = raw.copy()
    frame.columns = [str(c).strip() if c != raw.geometry.name else c for c in frame.columns]
    id_col = fields.get("id") or _find([str(c) for c in frame.columns], ("id", "编号", "ID"))
    if id_col is not None and id_col in frame.columns:
        frame["id"] = frame[id_col].astype("string")
    else:
        frame["id"] = pd.array([str(i + 1) for i in range(len(frame))], dtype="string")
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    types = shapely.get_type_id(geoms)
    polygonal = present & np.isin(types, (3, 6))
    invalid = polygonal & ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        fixed = shapely.make_valid(geoms[invalid])
        geoms[invalid] = [shapely.union_all([p for p in shapely.get_parts(g)
                                             if shapely.get_type_id(p) in (3, 6)])
                          for g in fixed]
        frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    if not polygonal.any():
        raise InputError([Problem(Message("population.buildings_no_geometry"), source=source)],
                         source=source)
    notes: list[Message] = []
    if not polygonal.all():
        notes.append(Message("population.buildings_skipped",
                             {"n": int((~polygonal).sum()), "source": source}))
        frame = frame.loc[polygonal]
    frame = to_wgs84(frame, crs=crs, source=source)
    out = resolve_floors(frame, floors_field=fields.get("floors"),
                         height_field=fields.get("height"), use_field=fields.get("use"),
                         storey_height_m=storey_height_m, default_floors=default_floors,
                         source=source)
    out = out.reset_index(drop=True)
    out.attrs["source"] = source
    out.attrs["notes"] = notes
    return out
