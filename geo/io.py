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

``gdf.attrs`` also carries ``'source'`` (the path), ``'layer'``, ``'source_crs'`` and
``'notes'`` (defaults that were filled in, rows that were skipped).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from errors import CRSError, InputError, Problem, ProblemCollector
from geo import fields as F
from geo.crs import WGS84, to_wgs84

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

PathLike = str | os.PathLike[str]

TABLE_SUFFIXES = (".csv", ".txt", ".tsv")
AREA_COLUMNS = ("id", "name", "population", "households", "area_type", "admin_unit",
                "completion_year", "floor_area_m2", "elderly_share")
DEVELOPMENT_COLUMNS = AREA_COLUMNS + ("childcare_places", "eldercare_area_m2",
                                      "eldercare_site_areas_m2", "childcare_site_places")
FACILITY_COLUMNS = ("id", "name", "service", "status", "kind", "capacity", "fixed_cost",
                    "unit_cost", "min_capacity", "max_capacity", "admin_unit", "floor_area_m2",
                    "site_id", "site_kind")
_POLYGONAL = ("Polygon", "MultiPolygon")
_PUNCTUAL = ("Point", "MultiPoint")


# --------------------------------------------------------------------------- raw reading


def _decodes(raw: bytes, encoding: str, *, tolerate_cut: bool = False) -> bool:
    """True when ``raw`` decodes; optionally allowing a multibyte character cut at the end."""
    for cut in range(4 if tolerate_cut else 1):
        try:
            raw[: len(raw) - cut].decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def detect_dbf_encoding(dbf: PathLike) -> str:
    """Guess the text encoding of a Shapefile's .dbf that has no .cpg.

    Returns ``'UTF-8'`` when the field names and records decode as UTF-8 (pure ASCII
    included; a field name cut inside a character by the 10-byte limit is tolerated), else
    ``'GB18030'`` (a superset of GBK and GB2312, the usual encodings of Chinese Shapefiles).
    """
    data = Path(dbf).read_bytes()
    if len(data) < 32:
        return "UTF-8"
    n_records = int.from_bytes(data[4:8], "little")
    header_len = int.from_bytes(data[8:10], "little")
    record_len = int.from_bytes(data[10:12], "little")
    for start in range(32, header_len - 31, 32):
        if data[start] == 0x0D:
            break
        name = data[start:start + 11].split(b"\x00", 1)[0]
        if not _decodes(name, "utf-8", tolerate_cut=True):
            return "GB18030"
    body = data[header_len:header_len + n_records * record_len]
    return "UTF-8" if _decodes(body, "utf-8") else "GB18030"


def _redecode(frame: pd.DataFrame, encoding: str, notes: list[str]) -> pd.DataFrame:
    """Re-decode names and text read as ISO-8859-1 (byte-preserving) with ``encoding``."""

    def fix(text: str, *, name: bool) -> str:
        raw = text.encode("latin-1", errors="strict")
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            out = raw.decode(encoding, errors="ignore" if name else "replace")
            if name:
                notes.append(f"field name {out!r} was cut inside a character by the Shapefile "
                             "10-byte limit")
            return out

    try:
        renamed = {c: fix(str(c), name=True) for c in frame.columns
                   if c != getattr(frame, "_geometry_column_name", None)}
        frame = frame.rename(columns=renamed)
        for col in frame.columns:
            if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                if col == getattr(frame, "_geometry_column_name", None):
                    continue
                frame[col] = frame[col].map(
                    lambda v: fix(v, name=False) if isinstance(v, str) else v)
    except UnicodeEncodeError:  # not byte-preserved text after all: leave it as GDAL read it
        return frame
    return frame


def _choose_layer(path: Path, layer: str | int | None, default_layer: str | None) -> Any:
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputError([Problem(f"cannot open: {exc}", source=str(path))],
                         source=str(path)) from None
    names = [str(n) for n in layers[:, 0]] if len(layers) else []
    if layer is not None:
        if isinstance(layer, int) or str(layer) in names:
            return layer
        raise InputError([Problem(f"no layer {layer!r}; layers are {names}", source=str(path))],
                         source=str(path))
    if len(names) <= 1:
        return None
    if default_layer is not None and default_layer in names:
        return default_layer
    raise InputError([Problem(
        f"the file has {len(names)} layers {names}; say which one with layer=",
        source=str(path))], source=str(path))


def _read_csv(path: Path, encoding: str | None) -> pd.DataFrame:
    sep = "\t" if path.suffix.lower() == ".tsv" else None
    tried = [encoding] if encoding else ["utf-8-sig", "gb18030"]
    last: Exception | None = None
    for enc in tried:
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc, sep=sep,
                               engine="python")
        except UnicodeDecodeError as exc:
            last = exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError([Problem(f"cannot read as CSV: {exc}", source=str(path))],
                             source=str(path)) from None
    raise InputError([Problem(
        f"cannot decode the text (tried {', '.join(tried)}): {last}; pass encoding=",
        source=str(path))], source=str(path))


def read_layer(
    path: PathLike,
    *,
    layer: str | int | None = None,
    encoding: str | None = None,
    default_layer: str | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """Read a vector layer or a table as it is, without mapping or validating.

    Returns
    -------
    frame, layer_name
        A GeoDataFrame (file CRS as declared, possibly None) for vector formats; a
        DataFrame of strings for CSV.
    """
    p = Path(path)
    source = str(p)
    if not p.exists():
        raise InputError([Problem("file not found", source=source)], source=source)
    if p.suffix.lower() in TABLE_SUFFIXES:
        return _read_csv(p, encoding), None
    chosen = _choose_layer(p, layer, default_layer)
    kwargs: dict[str, Any] = {}
    redecode: str | None = None
    if encoding:
        kwargs["encoding"] = encoding
    elif p.suffix.lower() in (".shp", ".dbf"):
        dbf = p.with_suffix(".dbf")
        if dbf.exists() and not p.with_suffix(".cpg").exists():
            info = pyogrio.read_info(p)
            if str(info.get("encoding", "")).upper() in ("ISO-8859-1", "LATIN1", ""):
                # GDAL reads such a file as ISO-8859-1, which keeps every byte: decode here
                redecode = detect_dbf_encoding(dbf)
    try:
        try:
            frame = pyogrio.read_dataframe(p, layer=chosen, **kwargs)
        except UnicodeDecodeError:
            if encoding or p.suffix.lower() not in (".shp", ".dbf"):
                raise
            # e.g. a UTF-8 .dbf whose field names the 10-byte limit cut inside a character:
            # read the bytes as ISO-8859-1 and decode them here, tolerating the cut
            cpg = p.with_suffix(".cpg")
            declared = cpg.read_text(errors="ignore").strip() if cpg.exists() else ""
            try:
                "".encode(declared)
            except (LookupError, ValueError):
                declared = ""
            redecode = declared or detect_dbf_encoding(p.with_suffix(".dbf"))
            frame = pyogrio.read_dataframe(p, layer=chosen, encoding="ISO-8859-1")
        if redecode is not None:
            cut_notes: list[str] = []
            frame = _redecode(frame, redecode, cut_notes)
            frame.attrs["notes"] = [f"no .cpg: attribute table read as {redecode}", *cut_notes]
    except UnicodeDecodeError as exc:
        raise InputError([Problem(f"cannot decode the attribute table ({exc}); pass encoding=",
                                  source=source)], source=source) from None
    except Exception as exc:
        raise InputError([Problem(f"cannot read: {exc}", source=source)],
                         source=source) from None
    name = chosen if isinstance(chosen, str) else None
    return frame, name


# --------------------------------------------------------------------------- helpers


def _id_strings(values: pd.Series) -> pd.Series:
    """Ids as text: 12.0 → '12', blanks → NA."""
    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return pd.NA
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        s = str(v).strip()
        return s if s else pd.NA

    return values.map(one).astype("string")


_NUM_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _to_number(v: Any) -> float | None:
    """Parse one cell; NaN for blank, None when it is not a number."""
    if v is None or v is pd.NA:
        return np.nan
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float | np.integer | np.floating):
        return float(v)
    s = str(v).strip().replace("\u3000", "")
    if s == "" or s.lower() in ("nan", "null", "none", "na", "n/a", "-", "—"):
        return np.nan
    if _NUM_RE.match(s):
        s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return None


def parse_number_list(value: Any) -> list[float] | None:
    """Parse a list of numbers: ``"200,150"`` / ``"200，150"`` / ``"200、150"`` / a list.

    Pieces may be separated by ``,，、;；/|`` or spaces. Returns None when the value is missing
    (None, NaN, blank or ``nan`` text) and raises ValueError naming the first piece that is not
    a finite number.
    """
    if isinstance(value, list | tuple | np.ndarray):
        parts: list[Any] = list(value)
    elif value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    else:
        s = str(value).strip().strip("[]()")
        if not s or s.lower() in ("nan", "none", "null"):
            return None
        parts = [x for x in re.split(r"[,，、;；/|\s]+", s) if x]
    out: list[float] = []
    for part in parts:
        x = _to_number(part)
        if x is None or not np.isfinite(x):
            raise ValueError(f"{part!r} is not a number")
        out.append(x)
    return out


def _format_number_list(values: list[float]) -> str:
    return ",".join(f"{v:g}" for v in values)


def _rows(frame: pd.DataFrame, mask: Any) -> list[Any]:
    """Ids of the rows in ``mask``; a duplicated or missing id also gets its row number."""
    m = np.asarray(mask, dtype=bool)
    ids = frame["id"].astype("string")
    ambiguous = (ids.duplicated(keep=False) | ids.isna()).to_numpy(dtype=bool)
    out: list[Any] = []
    for pos in np.flatnonzero(m):
        rid = ids.iloc[pos]
        if ambiguous[pos]:
            out.append(f"{'(no id)' if rid is pd.NA else rid} (row {pos + 1})")
        else:
            out.append(rid)
    return out


def _show(values: Sequence[Any], n: int = 5) -> str:
    vals = list(values)
    text = ", ".join(repr(v) for v in vals[:n])
    return text + (f" … (+{len(vals) - n})" if len(vals) > n else "")


# --------------------------------------------------------------------------- geometry


def _geometry_from_table(
    df: pd.DataFrame, crs: Any, col: ProblemCollector
) -> tuple[np.ndarray | None, str | None, list[str]]:
    """Geometries from a CSV's WKT or lon/lat columns, the datum hint, the columns used."""
    wkt, lon, lat, hint = F.find_coordinate_columns(df.columns)
    n = len(df)
    if wkt is not None:
        texts = df[wkt].astype("string").fillna("").str.strip()
        geoms = np.empty(n, dtype=object)
        bad: list[int] = []
        for i, t in enumerate(texts):
            if not t:
                geoms[i] = None
                continue
            try:
                geoms[i] = shapely.from_wkt(t)
            except shapely.errors.GEOSException:
                geoms[i] = None
                bad.append(i)
        if bad:
            col.add(f"WKT that cannot be parsed, e.g. {_show(texts.iloc[bad].tolist(), 2)}",
                    rows=list(df["id"].iloc[bad].fillna("(no id)")), field=wkt)
        return geoms, None, [wkt]
    if lon is None and lat is None:
        return None, None, []
    if lon is None or lat is None:
        col.add(f"found column {lon or lat!r} but not its partner; need both longitude and "
                "latitude (lon/lng/经度/x and lat/纬度/y)")
        return None, None, []
    xs = [_to_number(v) for v in df[lon]]
    ys = [_to_number(v) for v in df[lat]]
    for name, vals in ((lon, xs), (lat, ys)):
        badmask = np.array([v is None for v in vals], dtype=bool)
        if badmask.any():
            col.add(f"not a number: {_show(df.loc[badmask, name].tolist())}",
                    rows=_rows(df, badmask), field=name)
    x = np.array([np.nan if v is None else v for v in xs], dtype="float64")
    y = np.array([np.nan if v is None else v for v in ys], dtype="float64")
    ok = np.isfinite(x) & np.isfinite(y)
    geoms = np.empty(n, dtype=object)
    geoms[:] = None
    geoms[ok] = shapely.points(x[ok], y[ok])
    if hint is not None and crs is not None:
        from geo.crs import resolve_crs

        given = resolve_crs(crs)
        if isinstance(given, str):
            given_name = given
        else:
            epsg = given.to_epsg() if given is not None else None
            given_name = {4326: "wgs84", 4490: "cgcs2000"}.get(epsg or -1, "other")
        if given_name != hint and not (
            {given_name, hint} <= {"wgs84", "cgcs2000"}
        ):
            col.add(f"column names {lon!r}/{lat!r} say {hint}, but crs={crs!r} was given; "
                    "pass the crs the coordinates are in", field=lon)
            col.crs_problem = True  # type: ignore[attr-defined]
    return geoms, hint, [lon, lat]


def _validate_geometries(
    gdf: gpd.GeoDataFrame,
    col: ProblemCollector,
    *,
    allowed: tuple[str, ...],
    required: bool,
    skip_empty: bool,
    notes: list[str],
    repairs: list[str],
) -> gpd.GeoDataFrame:
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        if skip_empty:
            notes.append(f"skipped {int(missing.sum())} row(s) without geometry: "
                         f"{_show(_rows(gdf, missing), 20)}")
            gdf = gdf.loc[~missing].copy()
            geoms = geoms[~missing]
        elif required:
            col.add("empty or missing geometry", rows=_rows(gdf, missing), field="geometry")
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return gdf
    types = shapely.get_type_id(geoms)
    type_names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                           "MultiLineString", "MultiPolygon", "GeometryCollection"])
    names = np.where(types >= 0, type_names[np.clip(types, 0, 7)], "")
    invalid = present & ~shapely.is_valid(geoms)
    new = geoms.copy()
    for i in np.flatnonzero(invalid):
        rid = gdf["id"].iloc[i]
        reason = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[i])
        if names[i] in _POLYGONAL:
            polys = shapely.get_parts(fixed)
            polys = [g for g in polys if shapely.get_type_id(g) in (3, 6)]
            fixed = shapely.union_all(polys) if polys else None
        ok = (fixed is not None and not fixed.is_empty and fixed.is_valid
              and fixed.geom_type in ((*_POLYGONAL,) if names[i] in _POLYGONAL else allowed))
        if ok:
            new[i] = fixed
            repairs.append(f"row {rid}: invalid geometry ({reason}) repaired with make_valid "
                           f"into a {fixed.geom_type}")
        else:
            col.add(f"invalid geometry that cannot be repaired: {reason}", rows=[rid],
                    field="geometry")
    wrong = present & ~np.isin(names, allowed)
    if wrong.any():
        kinds = _show(sorted({str(x) for x in names[wrong]}))
        col.add(f"geometry type {kinds} not allowed here; expected {' or '.join(allowed)}",
                rows=_rows(gdf, wrong), field="geometry")
    if invalid.any():
        gdf = gdf.set_geometry(gpd.GeoSeries(new, index=gdf.index, crs=gdf.crs))
    return gdf


# --------------------------------------------------------------------------- the core


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
) -> tuple[gpd.GeoDataFrame, ProblemCollector, list[str], list[str]]:
    source = str(path)
    raw, layer_name = read_layer(path, layer=layer, encoding=encoding,
                                 default_layer=default_layer)
    col = ProblemCollector(source=source)
    col.crs_problem = False  # type: ignore[attr-defined]
    notes: list[str] = list(raw.attrs.get("notes", []))
    repairs: list[str] = []
    if len(raw) == 0:
        raise InputError([Problem("empty layer: no rows" + (f" in layer {layer_name!r}"
                                                            if layer_name else ""),
                                  source=source)], source=source)
    is_geo = isinstance(raw, gpd.GeoDataFrame)
    declared = raw.crs if is_geo else None
    geom_values = np.asarray(raw.geometry.values, dtype=object) if is_geo else None
    df = pd.DataFrame(raw.drop(columns=raw.geometry.name) if is_geo else raw).copy()
    df.columns = [str(c).strip() for c in df.columns]

    rename, dups = F.map_columns(df.columns, explicit=fields)
    for target, cols in dups:
        col.add(f"columns {_show(cols)} all map to '{target}'; keep one, or say which with "
                f"fields={{{cols[0]!r}: {target!r}}}", field=target)
    df = df.rename(columns=rename)

    if "id" in df.columns:
        df["id"] = _id_strings(df["id"])
        blank = df["id"].isna()
        if blank.any():
            numbers = [int(i) + 1 for i in np.flatnonzero(blank.to_numpy(dtype=bool))]
            col.add(f"missing id in {int(blank.sum())} row(s) (row numbers "
                    f"{', '.join(map(str, numbers[:20]))})", field="id")
        dup = df["id"].duplicated(keep=False) & ~blank
        if dup.any():
            col.add("duplicate ids", rows=sorted(set(df.loc[dup, "id"])), field="id")
    else:
        df.insert(0, "id", pd.array([str(i + 1) for i in range(len(df))], dtype="string"))
        notes.append("no id column: ids are the row numbers 1..n")

    if not is_geo:
        geom_values, hint, used = _geometry_from_table(df, crs, col)
        df = df.drop(columns=used)
        if geom_values is None and geometry == "required":
            col.add("no geometry: expected a WKT column (geometry/wkt) or longitude/latitude "
                    "columns (lon/lng/经度/x and lat/纬度/y)")
        if hint is not None and crs is None:
            col.add(f"the coordinate columns are named for {hint} but no crs was given; pass "
                    f"crs={hint!r} (CSV files carry no CRS, and none is assumed)",
                    field="geometry")
            col.crs_problem = True  # type: ignore[attr-defined]
    has_geometry = geom_values is not None
    if geom_values is None:
        geom_values = np.full(len(df), None, dtype=object)
    gdf = gpd.GeoDataFrame(df, geometry=list(geom_values), crs=declared)

    if has_geometry:
        gdf = _validate_geometries(gdf, col, allowed=allowed,
                                   required=geometry == "required", skip_empty=skip_empty,
                                   notes=notes, repairs=repairs)
    gdf.attrs = {"source": source, "layer": layer_name, "repairs": repairs, "notes": notes,
                 "has_geometry": has_geometry}
    return gdf, col, notes, repairs


def _coerce_numbers(gdf: gpd.GeoDataFrame, col: ProblemCollector) -> None:
    for name in F.NUMERIC_FIELDS:
        if name not in gdf.columns:
            continue
        parsed = [_to_number(v) for v in gdf[name]]
        bad = np.array([v is None for v in parsed], dtype=bool)
        if bad.any():
            col.add(f"not a number: {_show(gdf.loc[bad, name].tolist())}",
                    rows=_rows(gdf, bad), field=name)
        values = pd.Series([np.nan if v is None else v for v in parsed], index=gdf.index,
                           dtype="float64")
        if name == "completion_year":
            frac = values.notna() & (values % 1 != 0)
            if frac.any():
                col.add(f"year is not a whole number: {_show(values[frac].tolist())}",
                        rows=_rows(gdf, frac), field=name)
            gdf[name] = values.where(~frac).round().astype("Int64")
        else:
            gdf[name] = values
        if name != "completion_year":
            neg = (gdf[name] < 0).to_numpy(dtype=bool)
            if neg.any():
                col.add(f"negative values {_show(gdf.loc[neg, name].tolist())}",
                        rows=_rows(gdf, neg), field=name)
    if "elderly_share" in gdf.columns:
        big = (gdf["elderly_share"] > 1).to_numpy(dtype=bool)
        if big.any():
            col.add(f"a share must lie between 0 and 1, got "
                    f"{_show(gdf.loc[big, 'elderly_share'].tolist())}",
                    rows=_rows(gdf, big), field="elderly_share")
    for name in F.TEXT_FIELDS:
        if name in gdf.columns and name != "id":
            gdf[name] = _id_strings(gdf[name])


def _coerce_lists(gdf: gpd.GeoDataFrame, col: ProblemCollector) -> None:
    for name in F.LIST_FIELDS:
        if name not in gdf.columns:
            continue
        parsed: list[list[float] | None] = []
        bad_list: list[bool] = []
        for v in gdf[name]:
            try:
                parsed.append(parse_number_list(v))
                bad_list.append(False)
            except ValueError:
                parsed.append(None)
                bad_list.append(True)
        bad = np.array(bad_list, dtype=bool)
        if bad.any():
            col.add(f"expected numbers separated by commas, got "
                    f"{_show(gdf.loc[bad, name].tolist())}", rows=_rows(gdf, bad), field=name)
        neg = np.array([v is not None and len(v) > 0 and min(v) < 0 for v in parsed],
                       dtype=bool)
        if neg.any():
            col.add(f"negative values {_show(gdf.loc[neg, name].tolist())}",
                    rows=_rows(gdf, neg), field=name)
        gdf[name] = pd.array([pd.NA if (v is None or not v) else _format_number_list(v)
                              for v in parsed], dtype="string")


def _coerce_category(
    gdf: gpd.GeoDataFrame,
    col: ProblemCollector,
    name: str,
    *,
    default: str | None,
    required: bool,
    notes: list[str],
) -> None:
    allowed = list(F.VALUE_ALIASES[name])
    if default is not None and F.canonical_value(name, default) is None:
        col.add(f"{name}={default!r} is not one of {allowed}", field=name)
        default = None
    default_c = F.canonical_value(name, default) if default is not None else None
    if name not in gdf.columns:
        if default_c is not None:
            gdf[name] = pd.array([default_c] * len(gdf), dtype="string")
            notes.append(f"no {name} column: every row set to {default_c!r}")
        elif required:
            col.add(f"no {name} column ({'/'.join(F.FIELD_ALIASES[name][:4])}); add one or "
                    f"pass {name}=", field=name)
        else:
            gdf[name] = pd.array([pd.NA] * len(gdf), dtype="string")
        return
    raw = gdf[name].astype("string").str.strip()
    blank = raw.isna() | (raw == "")
    canon = raw.map(lambda v: pd.NA if v is pd.NA or v == "" else
                    (F.canonical_value(name, v) or "?"))
    unknown = (canon == "?").fillna(False).to_numpy(dtype=bool)
    if unknown.any():
        col.add(f"unknown {name} {_show(sorted(set(raw[unknown])))}; expected one of "
                f"{allowed} (or their Chinese names, e.g. "
                f"{', '.join(F.VALUE_ALIASES[name][allowed[0]][1:3])})",
                rows=_rows(gdf, unknown), field=name)
    if blank.any():
        if default_c is not None:
            canon = canon.where(~blank, default_c)
            notes.append(f"blank {name} set to {default_c!r} in rows "
                         f"{_show(_rows(gdf, blank), 20)}")
        elif required:
            col.add(f"missing {name}", rows=_rows(gdf, blank), field=name)
    gdf[name] = canon.where(~pd.Series(unknown, index=canon.index)).astype("string")


def _check_demand_inputs(gdf: gpd.GeoDataFrame, col: ProblemCollector) -> None:
    present = [c for c in ("population", "households", "floor_area_m2") if c in gdf.columns]
    if not present:
        col.add("no population, households or floor area column (人口/population, "
                "户数/households, 建筑面积/floor_area_m2): demand cannot be derived",
                field="population")
        return
    has_any = np.zeros(len(gdf), dtype=bool)
    for c in present:
        v = gdf[c].to_numpy(dtype="float64", na_value=np.nan)
        has_any |= np.isfinite(v) & (v >= 0)
    missing = ~has_any
    if missing.any():
        col.add("population missing (or negative) and no households or floor area to derive "
                "it from", rows=_rows(gdf, missing), field="population")


def _finish(
    gdf: gpd.GeoDataFrame,
    col: ProblemCollector,
    *,
    crs: Any,
    order: Sequence[str],
) -> gpd.GeoDataFrame:
    source = gdf.attrs["source"]
    attrs = dict(gdf.attrs)
    crs_error = bool(getattr(col, "crs_problem", False))
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

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id``, ``name``, ``population``, ``households``, ``area_type``, optional
        ``admin_unit``, ``completion_year`` …, then the file's other columns; EPSG:4326.

    Raises
    ------
    errors.InputError
        Every problem in the file at once.
    errors.CRSError
        When the CRS is missing or does not fit the coordinates (with any other problems).
    """
    gdf, col, notes, _ = _read(path, crs=crs, layer=layer, encoding=encoding, fields=fields,
                               default_layer="residential_areas", geometry="required",
                               allowed=(*_POLYGONAL, *_PUNCTUAL), skip_empty=skip_empty)
    _coerce_numbers(gdf, col)
    _coerce_lists(gdf, col)
    _coerce_category(gdf, col, "area_type", default=area_type, required=False, notes=notes)
    if require_demand:
        _check_demand_inputs(gdf, col)
    return _finish(gdf, col, crs=crs, order=AREA_COLUMNS)


def read_developments(
    path: PathLike,
    *,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    fields: Mapping[str, str] | None = None,
    area_type: str | None = None,
) -> gpd.GeoDataFrame:
    """Read proposed residential developments (for 配建 compliance checks).

    Geometry is optional: a CSV with no coordinate columns gives a frame whose geometry is
    all None (``attrs['has_geometry']`` is False). Columns: those of :func:`read_areas` plus
    ``childcare_places``, ``eldercare_area_m2`` (numbers) and ``eldercare_site_areas_m2``,
    ``childcare_site_places`` (normalised to text such as ``"200,150"``; see
    :func:`parse_number_list`). Parameters as for :func:`read_areas`; the default layer is
    ``'developments'``.
    """
    gdf, col, notes, _ = _read(path, crs=crs, layer=layer, encoding=encoding, fields=fields,
                               default_layer="developments", geometry="optional",
                               allowed=(*_POLYGONAL, *_PUNCTUAL), skip_empty=False)
    _coerce_numbers(gdf, col)
    _coerce_lists(gdf, col)
    _coerce_category(gdf, col, "area_type", default=area_type, required=True, notes=notes)
    _check_demand_inputs(gdf, col)
    return _finish(gdf, col, crs=crs, order=DEVELOPMENT_COLUMNS)


def read_facilities(
    path: PathLike,
    *,
    crs: Any = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    service: str | None = None,
    status: str | None = None,
    fields: Mapping[str, str] | None = None,
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

    Other parameters as for :func:`read_areas`; the default layer is ``'facilities'``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``id``, ``name``, ``service``, ``status``, ``kind``, ``capacity``, ``fixed_cost``,
        ``unit_cost``, ``min_capacity``, ``max_capacity`` … (absent numbers are NaN); EPSG:4326.
    """
    gdf, col, notes, _ = _read(path, crs=crs, layer=layer, encoding=encoding, fields=fields,
                               default_layer="facilities", geometry="required",
                               allowed=(*_PUNCTUAL, *_POLYGONAL), skip_empty=False)
    _coerce_numbers(gdf, col)
    _coerce_category(gdf, col, "service", default=None if "service" in gdf.columns else service,
                     required=True, notes=notes)
    if status is None and "status" not in gdf.columns:
        status = "existing"
        notes.append("no status column: rows read as existing facilities")
    _coerce_category(gdf, col, "status", default=status, required=True, notes=notes)
    _coerce_category(gdf, col, "kind", default=None, required=False, notes=notes)
    for name in ("capacity", "fixed_cost", "unit_cost", "min_capacity", "max_capacity"):
        if name not in gdf.columns:
            gdf[name] = np.nan
    existing = (gdf["status"] == "existing").fillna(False).to_numpy(dtype=bool)
    no_cap = existing & gdf["capacity"].isna().to_numpy()
    if no_cap.any():
        col.add("existing facility without capacity", rows=_rows(gdf, no_cap), field="capacity")
    inverted = (gdf["min_capacity"] > gdf["max_capacity"]).to_numpy(dtype=bool)
    if inverted.any():
        col.add("min_capacity is larger than max_capacity", rows=_rows(gdf, inverted),
                field="min_capacity")
    out = _finish(gdf, col, crs=crs, order=FACILITY_COLUMNS)
    if service is not None and "service" in out.columns:
        wanted = F.canonical_value("service", service)
        if wanted is None:
            raise InputError([Problem(f"service={service!r} is not one of "
                                      f"{list(F.VALUE_ALIASES['service'])}")])
        keep = (out["service"] == wanted).to_numpy(dtype=bool)
        if not keep.all():
            attrs = out.attrs
            out = out.loc[keep].reset_index(drop=True)
            out.attrs = attrs
            out.attrs["notes"] = [*attrs["notes"],
                                  f"kept the {int(keep.sum())} {wanted} row(s)"]
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
    gdf, col, notes, _ = _read(path, crs=crs, layer=layer, encoding=encoding, fields=fields,
                               default_layer="admin_units", geometry="required",
                               allowed=_POLYGONAL, skip_empty=False)
    if "name" not in gdf.columns:
        gdf["name"] = gdf["id"]
        notes.append("no name column: names are the ids")
    else:
        gdf["name"] = _id_strings(gdf["name"]).fillna(gdf["id"])
    return _finish(gdf, col, crs=crs, order=("id", "name"))


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
            raise InputError([Problem(f"no column {id_field!r}; columns are "
                                      f"{[str(c) for c in raw.columns]}", source=str(path),
                                      field=id_field)], source=str(path))
    gdf, col, _, _ = _read(path, crs=crs, layer=layer, encoding=encoding, fields=explicit,
                           default_layer=None, geometry="required",
                           allowed=(*_PUNCTUAL, *_POLYGONAL), skip_empty=False)
    _coerce_numbers(gdf, col)
    return _finish(gdf, col, crs=crs, order=("id", "name"))
