"""Reading planning inputs: residential areas, developments, facilities, admin units.

Every reader takes GeoPackage, GeoJSON, Shapefile (GBK attribute tables included) or CSV (a
WKT column, or lon/lat columns, or — for developments — no geometry at all), maps Chinese and
English column names to the canonical ones of :mod:`geo.fields`, validates the whole input,
and returns a :class:`geopandas.GeoDataFrame` in EPSG:4326.

Validation collects every problem (bad numbers, negative or missing population with nothing
to derive it from, duplicate ids, unknown area types, empty or invalid geometries, missing or
wrong CRS …) and raises once: :class:`errors.InputError`, or :class:`errors.CRSError` when a
CRS problem is among them. Invalid polygons that :func:`shapely.make_valid` repairs into
polygons are kept and listed in ``gdf.attrs['repairs']``.

Identifiers and numbers are normalised here, once, when read (see :mod:`geo.values`): ``id``
and the other text fields are pandas ``string`` (``12.0`` → ``'12'``; no blank or duplicate
ids get through), numeric fields are ``float64`` (``Int64`` for ``completion_year``) with NaN
for blanks, categories are their canonical values (``new``/``old``, ``childcare``/
``eldercare`` …). Callers trust them and do not convert again.

The module is split by what each part does: :mod:`geo.files` reads a file as it is (formats,
layers, encodings), :mod:`geo.values` normalises and checks field values,
:mod:`geo.geometry` makes and checks geometries, and this module puts them together.

``gdf.attrs`` also carries ``'source'`` (the path), ``'layer'``, ``'source_crs'`` and
``'notes'`` (defaults that were filled in, rows that were skipped).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.messages import Message
from errors import CRSError, InputError, Problem, ProblemCollector
from geo import fields as F
from geo.crs import WGS84, to_wgs84
from geo.files import PathLike, detect_dbf_encoding, read_layer
from geo.geometry import POLYGONAL, PUNCTUAL, geometry_from_table, validate_geometries
from geo.values import (
    check_demand_inputs,
    coerce_category,
    coerce_lists,
    coerce_numbers,
    id_strings,
    parse_number_list,
    rows_of,
    show_values,
)

__all__ = [
    "read_areas",
    "read_developments",
    "read_facilities",
    "read_admin_units",
    "read_points_or_polygons",
    "read_layer",
    "detect_dbf_encoding",
    "parse_number_list",
]

AREA_COLUMNS = ("id", "name", "population", "households", "area_type", "admin_unit",
                "completion_year", "floor_area_m2", "elderly_share")
DEVELOPMENT_COLUMNS = AREA_COLUMNS + ("childcare_places", "eldercare_area_m2",
                                      "eldercare_site_areas_m2", "childcare_site_places")
FACILITY_COLUMNS = ("id", "name", "service", "status", "kind", "capacity", "fixed_cost",
                    "unit_cost", "min_capacity", "max_capacity", "admin_unit", "floor_area_m2",
                    "site_id", "site_kind")


@dataclass
class _Reading:
    """A layer as read and mapped, before its values are checked and it is brought to WGS84.

    Attributes
    ----------
    gdf : GeoDataFrame
        The rows with canonical column names, ids as text, the file's CRS.
    problems : ProblemCollector
        Every problem found so far.
    notes : list
        Defaults filled in and rows skipped (``attrs['notes']`` of the result).
    crs_problem : bool
        A problem found is about the CRS: the error raised is :class:`errors.CRSError`.
    """

    gdf: gpd.GeoDataFrame
    problems: ProblemCollector
    notes: list[Any] = field(default_factory=list)
    crs_problem: bool = False


def _read(
    path: PathLike,
    *,
    crs: Any,
    layer: str | int | None,
    encoding: str | None,
    fields: Mapping[str, str] | None,
    default_layer: str | None,
    geometry: str,  # 'required' | 'optional'
    allowed: tuple[str, ...],
    skip_empty: bool,
    drop_missing_coordinates: bool = False,
) -> _Reading:
    source = str(path)
    raw, layer_name = read_layer(path, layer=layer, encoding=encoding,
                                 default_layer=default_layer)
    col = ProblemCollector(source=source)
    crs_problem = False
    notes: list[Any] = list(raw.attrs.get("notes", []))
    repairs: list[Any] = []
    if len(raw) == 0:
        empty = (Message("geo.read.empty_named_layer", {"layer": repr(layer_name)}) if layer_name
                 else Message("geo.read.empty_layer"))
        raise InputError([Problem(empty, source=source)], source=source)
    is_geo = isinstance(raw, gpd.GeoDataFrame)
    declared = raw.crs if is_geo else None
    geom_values = np.asarray(raw.geometry.values, dtype=object) if is_geo else None
    df = pd.DataFrame(raw.drop(columns=raw.geometry.name) if is_geo else raw).copy()
    df.columns = [str(c).strip() for c in df.columns]

    rename, dups = F.map_columns(df.columns, explicit=fields)
    for target, cols in dups:
        col.add(Message("geo.read.columns_clash", {
            "columns": show_values(cols), "target": target, "first": repr(cols[0])}),
            field=target)
    df = df.rename(columns=rename)
    _normalise_ids(df, col, notes)

    if not is_geo:
        table = geometry_from_table(df, crs, col,
                                    text_is_missing=drop_missing_coordinates)
        geom_values, hint, crs_problem = table.geoms, table.hint, table.crs_problem
        df = df.drop(columns=table.columns)
        if geom_values is None and geometry == "required":
            col.add(Message("geo.geometry.none_in_table"))
        if hint is not None and crs is None:
            col.add(Message("geo.geometry.datum_columns_no_crs",
                            {"hint": hint, "hint_repr": repr(hint)}), field="geometry")
            crs_problem = True
    has_geometry = geom_values is not None
    if geom_values is None:
        geom_values = np.full(len(df), None, dtype=object)
    gdf = gpd.GeoDataFrame(df, geometry=list(geom_values), crs=declared)
    dropped: list[Any] = []
    if has_geometry and drop_missing_coordinates:
        gdf, dropped = _drop_missing(gdf, notes)

    if has_geometry:
        gdf = validate_geometries(gdf, col, allowed=allowed,
                                   required=geometry == "required", skip_empty=skip_empty,
                                   notes=notes, repairs=repairs)
    gdf.attrs = {"source": source, "layer": layer_name, "repairs": repairs, "notes": notes,
                 "has_geometry": has_geometry, "dropped_rows": dropped}
    return _Reading(gdf, col, notes, crs_problem)


def _drop_missing(gdf: gpd.GeoDataFrame, notes: list[Any]) -> tuple[gpd.GeoDataFrame, list[Any]]:
    """Drop rows without coordinates (empty geometry, blank or non-numeric lon/lat).

    The exclusion is recorded in *notes* with the count and the ids; returns the rows kept
    and the ids dropped.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if not missing.any():
        return gdf, []
    ids = [str(v) for v in gdf["id"].to_numpy()[missing]]
    notes.append(Message("geo.read.dropped_no_coordinates",
                         {"n": len(ids), "rows": ids}))
    return gdf.loc[~missing].copy(), ids



def _normalise_ids(df: pd.DataFrame, col: ProblemCollector, notes: list[Any]) -> None:
    """Ids as text, once (``12.0`` → ``'12'``); blank and duplicate ids are problems.

    A layer without an id column gets the row numbers 1..n (recorded in ``notes``).
    """
    if "id" not in df.columns:
        df.insert(0, "id", pd.array([str(i + 1) for i in range(len(df))], dtype="string"))
        notes.append(Message("geo.read.ids_are_row_numbers"))
        return
    df["id"] = id_strings(df["id"])
    blank = df["id"].isna()
    if blank.any():
        numbers = [int(i) + 1 for i in np.flatnonzero(blank.to_numpy(dtype=bool))]
        col.add(Message("geo.read.missing_ids", {
            "n": int(blank.sum()), "numbers": ", ".join(map(str, numbers[:20]))}), field="id")
    dup = df["id"].duplicated(keep=False) & ~blank
    if dup.any():
        col.add(Message("geo.read.duplicate_ids"), rows=sorted(set(df.loc[dup, "id"])),
                field="id")


def _finish(reading: _Reading, *, crs: Any, order: Sequence[str]) -> gpd.GeoDataFrame:
    gdf, col = reading.gdf, reading.problems
    source = gdf.attrs["source"]
    attrs = dict(gdf.attrs)
    crs_error = reading.crs_problem
    out = gdf
    if attrs.get("has_geometry"):
        try:
            out = to_wgs84(gdf, crs=crs, source=source)
        except CRSError as exc:
            crs_error = True
            for p in exc.problems:
                col.problems.append(p)
    else:
        out = gdf.set_crs(WGS84, allow_override=True)
    if col:
        cls = CRSError if crs_error else InputError
        raise cls(col.problems, source=source)
    cols = [c for c in order if c in out.columns]
    rest = [c for c in out.columns if c not in cols and c != out.geometry.name]
    out = out[[*cols, *rest, out.geometry.name]]
    attrs.update({k: v for k, v in out.attrs.items() if k in ("source_crs",)})
    attrs["repairs"] = list(out.attrs.get("repairs", attrs.get("repairs", [])))
    if not attrs.get("has_geometry"):
        attrs["source_crs"] = None
    out = out.reset_index(drop=True)
    out.attrs = attrs
    return out


# --------------------------------------------------------------------------- public readers


def read_areas(
    path: PathLike,
    *,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    fields: Mapping[str, str] | None = None,
    area_type: str | None = None,
    skip_empty: bool = False,
    require_demand: bool = True,
    drop_missing_coordinates: bool = False,
) -> gpd.GeoDataFrame:
    """Read residential areas (小区 / 居住区) as polygons or points.

    Parameters
    ----------
    path : str or Path
        GeoPackage, GeoJSON, Shapefile or CSV (WKT or lon/lat columns).
    crs : str, optional
        CRS of the coordinates when the file declares none (always for CSV), or to override
        the declaration: ``'wgs84'``, ``'cgcs2000'``, ``'gcj02'``, ``'bd09'``,
        ``'EPSG:4549'`` … Nothing is assumed.
    layer : str or int, optional
        Layer of a multi-layer file; ``'residential_areas'`` is taken when present.
    encoding : str, optional
        Text encoding of the attribute table (e.g. ``'GBK'``); by default a Shapefile's .cpg
        is honoured and, lacking one, UTF-8 then GB18030 are tried; CSV likewise.
    fields : mapping, optional
        Extra ``{file column: canonical name}`` mapping, e.g. ``{'lianjia_id': 'id'}``.
    area_type : {'new', 'old'}, optional
        Area type for rows (or files) that give none.
    skip_empty : bool, optional
        Drop rows without geometry (recorded in ``attrs['notes']``) instead of failing.
    require_demand : bool, optional
        Whether every row must give population, households or floor area (default). The
        population estimate (:mod:`planning.population`) reads areas without them.
    drop_missing_coordinates : bool, optional
        Drop rows without coordinates (empty geometry; blank or non-numeric lon/lat in a
        table) instead of failing; their ids are in ``attrs['dropped_rows']`` and the
        exclusion, with count and ids, in ``attrs['notes']``. Off by default: such rows are
        problems listed by id.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id``, ``name``, ``population``, ``households``, ``area_type``, optional
        ``admin_unit``, ``completion_year`` …, then the file's other columns; EPSG:4326.
        Ids are unique non-blank text and numbers floats, normalised here once (see the
        module docstring): callers need not convert them again.

    Raises
    ------
    errors.InputError
        Every problem in the file at once.
    errors.CRSError
        When the CRS is missing or does not fit the coordinates (with any other problems).
    """
    r = _read(path, crs=crs, layer=layer, encoding=encoding, fields=fields,
              default_layer="residential_areas", geometry="required",
              allowed=(*POLYGONAL, *PUNCTUAL), skip_empty=skip_empty,
              drop_missing_coordinates=drop_missing_coordinates)
    gdf, col, notes = r.gdf, r.problems, r.notes
    coerce_numbers(gdf, col)
    coerce_lists(gdf, col)
    coerce_category(gdf, col, "area_type", default=area_type, required=False, notes=notes)
    if require_demand:
        check_demand_inputs(gdf, col)
    return _finish(r, crs=crs, order=AREA_COLUMNS)


def read_developments(
    path: PathLike,
    *,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    fields: Mapping[str, str] | None = None,
    area_type: str | None = None,
    require_area_type: bool = True,
) -> gpd.GeoDataFrame:
    """Read proposed residential developments (for 配建 compliance checks).

    Geometry is optional: a CSV with no coordinate columns gives a frame whose geometry is
    all None (``attrs['has_geometry']`` is False). Columns: those of :func:`read_areas` plus
    ``childcare_places``, ``eldercare_area_m2`` (numbers) and ``eldercare_site_areas_m2``,
    ``childcare_site_places`` (normalised to text such as ``"200,150"``; see
    :func:`parse_number_list`). Parameters as for :func:`read_areas`; the default layer is
    ``'developments'``. With ``require_area_type=False`` rows without an area type are kept
    with a blank one (for the caller to fill, e.g. the upload page), else they are problems.
    """
    r = _read(path, crs=crs, layer=layer, encoding=encoding, fields=fields,
              default_layer="developments", geometry="optional",
              allowed=(*POLYGONAL, *PUNCTUAL), skip_empty=False)
    gdf, col, notes = r.gdf, r.problems, r.notes
    coerce_numbers(gdf, col)
    coerce_lists(gdf, col)
    coerce_category(gdf, col, "area_type", default=area_type, required=require_area_type,
                    notes=notes)
    check_demand_inputs(gdf, col)
    return _finish(r, crs=crs, order=DEVELOPMENT_COLUMNS)


def read_facilities(
    path: PathLike,
    *,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    service: str | None = None,
    status: str | None = None,
    fields: Mapping[str, str] | None = None,
    require_status: bool = False,
    drop_missing_coordinates: bool = False,
) -> gpd.GeoDataFrame:
    """Read facilities or candidate sites (points or polygons).

    Parameters
    ----------
    service : {'childcare', 'eldercare'}, optional
        When the file has a ``service`` column, keep only that service's rows; when it has
        none, every row is of this service.
    status : {'existing', 'candidate', 'proposed'}, optional
        Status of rows (or files) that give none; without it a file with no status column is
        read as existing facilities (recorded in ``attrs['notes']``).
    require_status : bool
        A site layer that mixes existing facilities and candidates must say which is which:
        without a ``status`` column (and no ``status``) it is an error, never guessed.
    drop_missing_coordinates : bool
        As for :func:`read_areas`.

    Other parameters as for :func:`read_areas`; the default layer is ``'facilities'``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``id``, ``name``, ``service``, ``status``, ``kind``, ``capacity``, ``fixed_cost``,
        ``unit_cost``, ``min_capacity``, ``max_capacity`` … (absent numbers are NaN); EPSG:4326.
        Ids are unique non-blank text and numbers floats, normalised here once.
    """
    r = _read(path, crs=crs, layer=layer, encoding=encoding, fields=fields,
              default_layer="facilities", geometry="required",
              allowed=(*PUNCTUAL, *POLYGONAL), skip_empty=False,
              drop_missing_coordinates=drop_missing_coordinates)
    gdf, col, notes = r.gdf, r.problems, r.notes
    coerce_numbers(gdf, col)
    coerce_category(gdf, col, "service", default=None if "service" in gdf.columns else service,
                     required=True, notes=notes)
    if status is None and "status" not in gdf.columns and require_status:
        col.add(Message("geo.read.no_status"), field="status")
        col.raise_if_any()
    elif status is None and "status" not in gdf.columns:
        status = "existing"
        notes.append(Message("geo.read.existing_status"))
    coerce_category(gdf, col, "status", default=status, required=True, notes=notes)
    coerce_category(gdf, col, "kind", default=None, required=False, notes=notes)
    for name in ("capacity", "fixed_cost", "unit_cost", "min_capacity", "max_capacity"):
        if name not in gdf.columns:
            gdf[name] = np.nan
    existing = (gdf["status"] == "existing").fillna(False).to_numpy(dtype=bool)
    no_cap = existing & gdf["capacity"].isna().to_numpy()
    if no_cap.any():
        col.add(Message("geo.read.no_capacity"), rows=rows_of(gdf, no_cap), field="capacity")
    inverted = (gdf["min_capacity"] > gdf["max_capacity"]).to_numpy(dtype=bool)
    if inverted.any():
        col.add(Message("geo.read.min_above_max"), rows=rows_of(gdf, inverted),
                field="min_capacity")
    out = _finish(r, crs=crs, order=FACILITY_COLUMNS)
    if service is not None and "service" in out.columns:
        wanted = F.canonical_value("service", service)
        if wanted is None:
            raise InputError([Problem(Message("geo.read.service_not_allowed", {
                "service": repr(service), "allowed": str(list(F.VALUE_ALIASES["service"]))}))])
        keep = (out["service"] == wanted).to_numpy(dtype=bool)
        if not keep.all():
            attrs = out.attrs
            out = out.loc[keep].reset_index(drop=True)
            out.attrs = attrs
            out.attrs["notes"] = [*attrs["notes"], Message("geo.read.kept_service", {
                "n": int(keep.sum()), "service": wanted})]
    return out


def read_admin_units(
    path: PathLike,
    *,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read administrative units (街道): ``id``, ``name``, polygon; EPSG:4326.

    Default layer ``'admin_units'``; without a name column the id is used as name.
    """
    r = _read(path, crs=crs, layer=layer, encoding=encoding, fields=fields,
              default_layer="admin_units", geometry="required",
              allowed=POLYGONAL, skip_empty=False)
    gdf, notes = r.gdf, r.notes
    if "name" not in gdf.columns:
        gdf["name"] = gdf["id"]
        notes.append(Message("geo.read.names_are_ids"))
    else:
        gdf["name"] = id_strings(gdf["name"]).fillna(gdf["id"])
    return _finish(r, crs=crs, order=("id", "name"))


def read_points_or_polygons(
    path: PathLike,
    *,
    crs: Any = None,
    layer: str | int | None = None,
    id_field: str = "id",
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read any layer of points or polygons with unique ids (for walking access).

    Parameters
    ----------
    id_field : str, optional
        Column holding the ids; renamed to ``id``. With the default, the usual id aliases
        (编号, ID …) are recognised; when the file has no id column, ids are row numbers.

    Other columns keep their canonical names where known (see :mod:`geo.fields`) and their
    values as read.
    """
    explicit = {id_field: "id"} if id_field != "id" else None
    if id_field != "id":
        raw, _ = read_layer(path, layer=layer, encoding=encoding)
        if id_field not in [str(c).strip() for c in raw.columns]:
            raise InputError([Problem(Message("geo.read.no_id_column", {
                "column": repr(id_field), "columns": str([str(c) for c in raw.columns])}),
                source=str(path), field=id_field)], source=str(path))
    r = _read(path, crs=crs, layer=layer, encoding=encoding, fields=explicit,
              default_layer=None, geometry="required",
              allowed=(*PUNCTUAL, *POLYGONAL), skip_empty=False)
    gdf, col = r.gdf, r.problems
    coerce_numbers(gdf, col)
    return _finish(r, crs=crs, order=("id", "name"))

