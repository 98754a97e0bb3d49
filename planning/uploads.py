"""Uploaded files: size limits, a zip checked before it is unpacked, then the geo readers.

A planner's upload is untrusted: a zip may hold paths outside its folder (``../``, absolute
paths, drive letters), symbolic links, or be a zip bomb. :func:`safe_extract_zip` checks every
member *before* writing anything — names, count, total uncompressed size and compression ratio
— and then extracts, checking the sizes again while reading (the header may lie).
"""

from __future__ import annotations

import hashlib
import io
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from core.messages import Message
from errors import InputError, ProblemCollector

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_RATIO = 100.0
MAX_MEMBERS = 2000
SUPPORTED = (".zip", ".gpkg", ".geojson", ".json", ".csv", ".osm", ".pbf")
_DATA_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".csv")


class UploadError(InputError):
    """An uploaded file that is refused (too big, unsafe zip, unknown format)."""


@dataclass(frozen=True)
class ZipLimits:
    """Limits applied to an uploaded zip archive."""

    max_total_bytes: int = MAX_UNZIPPED_BYTES
    max_ratio: float = MAX_RATIO
    max_members: int = MAX_MEMBERS


def _unsafe_name(name: str) -> str | None:
    """The code of what makes a member name unsafe (``planning.upload.why_*``), or None."""
    if not name:
        return "planning.upload.why_empty"
    if "\x00" in name:
        return "planning.upload.why_nul"
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return "planning.upload.why_absolute"
    if ".." in PurePosixPath(norm).parts:
        return "planning.upload.why_up"
    return None


def _bytes(n: int) -> str:
    return f"{n:,}"


def check_zip(data: bytes, *, name: str = "upload.zip", limits: ZipLimits = ZipLimits()) -> None:
    """Check an archive before unpacking it; raise :class:`UploadError` with every problem.

    Checks: it is a zip; at most ``max_members`` members; no absolute or ``..`` paths, no
    symbolic links; total uncompressed size ≤ ``max_total_bytes``; no member (and not the
    whole) compressed by more than ``max_ratio`` : 1.
    """
    col = ProblemCollector(source=name, error=UploadError)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UploadError([Message("planning.upload.not_zip", {"error": str(exc)})],
                          source=name) from None
    ratio = f"{limits.max_ratio:g}"
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            col.add(Message("planning.upload.too_many_members",
                            {"n": len(infos), "limit": limits.max_members}))
        total = 0
        total_packed = 0
        for info in infos:
            why = _unsafe_name(info.filename)
            if why:
                col.add(Message("planning.upload.unsafe_member",
                                {"member": info.filename, "why": Message(why)}))
            mode = info.external_attr >> 16
            if mode and stat.S_ISLNK(mode):
                col.add(Message("planning.upload.symlink", {"member": info.filename}))
            total += info.file_size
            total_packed += info.compress_size
            if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                col.add(Message("planning.upload.member_bomb", {
                    "member": info.filename, "size": _bytes(info.file_size),
                    "packed": _bytes(info.compress_size), "ratio": ratio}))
        if total > limits.max_total_bytes:
            col.add(Message("planning.upload.total_too_big", {
                "size": _bytes(total), "limit": _bytes(limits.max_total_bytes)}))
        if total > 1024 * 1024 and total > limits.max_ratio * max(total_packed, 1):
            col.add(Message("planning.upload.archive_bomb", {
                "size": _bytes(total), "packed": _bytes(total_packed), "ratio": ratio}))
    col.raise_if_any()


def _extract_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, *, name: str,
                    total: int, limits: ZipLimits) -> int:
    """Stream one member to *target* counting its real bytes; return the new running total.

    Stops with :class:`UploadError` as soon as the member holds more than its header declares
    or the running total passes the limit (the caller removes what was written).
    """
    size = 0
    # the reader of zipfile stops at the declared size and checks the CRC; reading the raw
    # stream with a count of our own also catches a header that understates the size
    with zf.open(info) as src, open(target, "wb") as out:
        if hasattr(src, "_left"):  # read past a declared size that is too small
            src._left = info.file_size + (1 << 16)  # noqa: SLF001
        while chunk := src.read(1 << 16):
            size += len(chunk)
            total += len(chunk)
            if size > info.file_size:
                raise UploadError([Message("planning.upload.member_understated", {
                    "member": info.filename, "size": _bytes(info.file_size)})], source=name)
            if total > limits.max_total_bytes:
                raise UploadError([Message("planning.upload.total_passed", {
                    "limit": _bytes(limits.max_total_bytes)})], source=name)
            out.write(chunk)
    return total


def safe_extract_zip(
    data: bytes, dest: str | Path, *, name: str = "upload.zip", limits: ZipLimits = ZipLimits()
) -> list[Path]:
    """Check *data* with :func:`check_zip`, then extract it under *dest*; return the files.

    Every member is streamed with a running byte count: a member holding more than its
    header declares, or a total passing the limit, stops the extraction with
    :class:`UploadError`, and everything written under *dest* is removed (no truncated file
    is left behind). *dest* must not exist yet or be empty.
    """
    check_zip(data, name=name, limits=limits)
    dest = Path(dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                target = (dest / info.filename.replace("\\", "/")).resolve()
                if dest not in target.parents and target != dest:
                    raise UploadError([Message("planning.upload.leaves_folder",
                                               {"member": info.filename})], source=name)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    total = _extract_member(zf, info, target, name=name, total=total,
                                            limits=limits)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                    raise UploadError([Message("planning.upload.member_corrupt", {
                        "member": info.filename, "error": str(exc)})], source=name) from None
                written.append(target)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return written


def find_data_file(files: list[Path], *, name: str = "upload.zip") -> Path:
    """The one readable data file among extracted *files* (a .shp with its .dbf/.shx, …)."""
    found = [f for f in files if f.suffix.lower() in _DATA_SUFFIXES
             and not f.name.startswith(("._", "."))]
    shp = [f for f in found if f.suffix.lower() == ".shp"]
    if shp:
        missing = [ext for ext in (".dbf", ".shx")
                   if not any(p.with_suffix(ext) in files or p.with_suffix(ext.upper()) in files
                              for p in shp[:1])]
        if missing:
            raise UploadError([Message("planning.upload.shapefile_lacks", {
                "name": shp[0].name, "missing": ", ".join(missing)})], source=name)
        found = shp
    if not found:
        raise UploadError([Message("planning.upload.no_data_file")], source=name)
    if len(found) > 1:
        raise UploadError([Message("planning.upload.several_files", {
            "names": ", ".join(f.name for f in found[:5])})], source=name)
    return found[0]


def content_key(data: bytes) -> str:
    """The key of an upload's content (the first 16 hex digits of its SHA-256).

    Uploads are stored and cached under this key, not under their file name: a corrected
    file uploaded again with the same name is read afresh.
    """
    return hashlib.sha256(data).hexdigest()[:16]


def store_upload(
    name: str,
    data: bytes,
    workdir: str | Path,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    limits: ZipLimits = ZipLimits(),
) -> Path:
    """Check an uploaded file and write it under ``workdir/<content key>/``; return the path.

    The folder is named by :func:`content_key`, so the returned path (which caches of the
    layer and of the network are keyed by) changes whenever the content does.

    Raises
    ------
    UploadError
        Too large, unsupported type, unsafe or unreadable archive.
    """
    suffix = Path(name).suffix.lower()
    safe = Path(name).name or "upload"
    problems = []
    if len(data) > max_bytes:
        problems.append(Message("planning.upload.too_big",
                                {"size": _bytes(len(data)), "limit": _bytes(max_bytes)}))
    if suffix not in SUPPORTED:
        problems.append(Message("planning.upload.unsupported",
                                {"suffix": suffix or "(none)", "allowed": ", ".join(SUPPORTED)}))
    if problems:
        raise UploadError(problems, source=safe)
    folder = Path(workdir) / content_key(data)
    if suffix == ".zip":
        dest = folder / (Path(safe).stem or "upload")
        shutil.rmtree(dest, ignore_errors=True)  # the same content again: extract afresh
        files = safe_extract_zip(data, dest, name=safe, limits=limits)
        return find_data_file(files, name=safe)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe
    path.write_bytes(data)
    return path


READERS: Mapping[str, str] = {
    "areas": "read_areas",
    "developments": "read_developments",
    "facilities": "read_facilities",
    "candidates": "read_facilities",
    "admin_units": "read_admin_units",
}


#: Layers whose reader can drop rows without coordinates (developments may lack geometry).
DROPPABLE = ("areas", "facilities", "candidates")
#: Layers with an area type (新建 / 老旧) per row.
TYPED = ("areas", "developments")


def read_layer_file(
    path: Path, layer: str, *, crs: str | None = None, fields: Mapping[str, str] | None = None,
    drop_missing_coordinates: bool = False, lenient_area_type: bool = False,
) -> Any:
    """Read a stored upload as the canonical layer *layer* with :mod:`geo.io`.

    *fields* maps further file columns to canonical names (the planner's field mapping). A
    *crs* the planner picks in the app is applied on purpose, also over a declared one (GeoJSON
    always declares WGS84, while 高德/百度 exports are GCJ-02/BD-09).
    *drop_missing_coordinates* drops rows without coordinates (recorded in the layer's
    notes); *lenient_area_type* keeps developments without an area type (blank), for
    :func:`fill_area_type`.
    """
    import geo as gio

    if layer not in READERS:
        raise UploadError([Message("planning.upload.unknown_layer",
                                   {"layer": layer, "allowed": ", ".join(READERS)})])
    reader: Callable[..., Any] = getattr(gio, READERS[layer])
    kwargs: dict[str, Any] = {"crs": gio.CRSOverride(crs) if crs else None}
    if fields:
        kwargs["fields"] = dict(fields)
    if layer == "candidates":
        kwargs["status"] = "candidate"
    if drop_missing_coordinates and layer in DROPPABLE:
        kwargs["drop_missing_coordinates"] = True
    if lenient_area_type and layer == "developments":
        kwargs["require_area_type"] = False
    return reader(path, **kwargs)


@dataclass
class UploadCheck:
    """What the planner must decide before an uploaded layer is loaded.

    Attributes
    ----------
    layer : GeoDataFrame
        The layer as read, rows without coordinates already left out, area types not filled.
    no_coordinates : list of str
        Ids of the rows without coordinates (loaded only once the planner confirms).
    area_type_missing : list of str
        Ids of the rows without an area type (``areas`` and ``developments``).
    has_completion_year : bool
        Whether the area type can be derived from a completion year (建成年份).
    """

    layer: Any
    no_coordinates: list[str]
    area_type_missing: list[str]
    has_completion_year: bool


def inspect_upload(path: Path, layer: str, *, crs: str | None = None,
                   fields: Mapping[str, str] | None = None) -> UploadCheck:
    """Read an upload and list what the planner must decide (see :class:`UploadCheck`).

    Raises
    ------
    errors.InputError
        Every other problem of the file, as the reader finds them.
    """
    gdf = read_layer_file(path, layer, crs=crs, fields=fields,
                          drop_missing_coordinates=True, lenient_area_type=True)
    missing: list[str] = []
    if layer in TYPED:
        blank = gdf["area_type"].isna().to_numpy(dtype=bool)
        missing = [str(v) for v in gdf["id"].to_numpy()[blank]]
    has_year = ("completion_year" in gdf.columns
                and bool(gdf["completion_year"].notna().any()))
    return UploadCheck(gdf, list(gdf.attrs.get("dropped_rows", [])), missing, has_year)


def fill_area_type(gdf: Any, *, default: str, cutoff_year: int | None = None) -> Any:
    """Fill blank area types as the planner chose; the choice is recorded in ``attrs['notes']``.

    Parameters
    ----------
    gdf : GeoDataFrame
        A layer with an ``area_type`` column (``'new'``/``'old'`` or blank).
    default : {'new', 'old'}
        The type of blank rows (with *cutoff_year*: of blank rows without a completion year).
    cutoff_year : int, optional
        Derive blank types from ``completion_year``: built in or after this year → new,
        before → old.

    Returns
    -------
    GeoDataFrame
        A copy with every area type filled and a note naming the rows filled and how.
    """
    if default not in ("new", "old"):
        raise UploadError([Message("geo.value.default_not_allowed", {
            "name": "area_type", "default": repr(default), "allowed": "['new', 'old']"})])
    out = gdf.copy()
    out.attrs = {**gdf.attrs, "notes": list(gdf.attrs.get("notes", []))}
    blank = out["area_type"].isna().to_numpy(dtype=bool)
    if not blank.any():
        return out
    ids = [str(v) for v in out["id"].to_numpy()[blank]]
    kind = Message(f"policy.area_{default}")
    filled = np.full(len(out), default, dtype=object)
    if cutoff_year is None:
        note = Message("planning.upload.area_type_default",
                       {"n": len(ids), "area_type": kind, "rows": ids})
    else:
        if "completion_year" not in out.columns:
            raise UploadError([Message("planning.upload.no_year_column")])
        years = pd.to_numeric(out["completion_year"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
        has = np.isfinite(years)
        filled[has & (years >= cutoff_year)] = "new"
        filled[has & (years < cutoff_year)] = "old"
        note = Message("planning.upload.area_type_from_year", {
            "n": len(ids), "cutoff": int(cutoff_year),
            "n_new": int((blank & has & (years >= cutoff_year)).sum()),
            "n_old": int((blank & has & (years < cutoff_year)).sum()),
            "n_default": int((blank & ~has).sum()), "area_type": kind, "rows": ids})
    values = out["area_type"].astype(object).to_numpy(copy=True)
    values[blank] = filled[blank]
    out["area_type"] = pd.array(values, dtype="string")
    out.attrs["notes"].append(note)
    return out


def finish_upload(check: UploadCheck, *, confirm_drop: bool, area_type: str | None = None,
                  cutoff_year: int | None = None) -> Any:
    """The layer to load once the planner decided; refused while a decision is missing.

    Rows without coordinates are left out only with *confirm_drop*; blank area types are
    filled with :func:`fill_area_type` (*area_type* the default, *cutoff_year* to derive
    them from the completion year).

    Raises
    ------
    UploadError
        Rows without coordinates not confirmed, or area types missing and no choice given.
    """
    problems = []
    if check.no_coordinates and not confirm_drop:
        problems.append(Message("planning.upload.confirm_drop",
                                {"n": len(check.no_coordinates), "rows": check.no_coordinates}))
    if check.area_type_missing and area_type is None:
        problems.append(Message("planning.upload.area_type_needed", {
            "n": len(check.area_type_missing), "rows": check.area_type_missing}))
    if problems:
        raise UploadError(problems, source=str(check.layer.attrs.get("source") or "") or None)
    gdf = check.layer
    if check.area_type_missing and area_type is not None:
        gdf = fill_area_type(gdf, default=area_type, cutoff_year=cutoff_year)
    return gdf


def canonical_names() -> list[str]:
    """Canonical column names a file column can be mapped to."""
    from geo import FIELD_ALIASES

    return list(FIELD_ALIASES)


def recognised_fields(columns: list[str]) -> list[tuple[str, str | None]]:
    """(column in the file, canonical name or None) using the aliases of :mod:`geo.fields`."""
    from geo import canonical_field

    return [(str(c), canonical_field(str(c))) for c in columns]


def file_columns(path: str | Path) -> list[str]:
    """The attribute columns of a stored upload, decoded as the reader decodes them.

    Reads no rows; the encoding detection is the reader's (:func:`geo.layer_columns`): a CSV
    in GBK and a Shapefile without .cpg show their Chinese field names.

    Parameters
    ----------
    path : path-like
        A CSV file or any file pyogrio reads (GeoPackage, Shapefile, GeoJSON).

    Returns
    -------
    list of str
        Column names in file order (no geometry column).
    """
    from geo import layer_columns

    return layer_columns(path)
