"""Uploaded files: size limits, a zip checked before it is unpacked, then the geo readers.

A planner's upload is untrusted: a zip may hold paths outside its folder (``../``, absolute
paths, drive letters), symbolic links, or be a zip bomb. :func:`safe_extract_zip` checks every
member *before* writing anything — names, count, total uncompressed size and compression ratio
— and then extracts, checking the sizes again while reading (the header may lie).
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

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
    if not name:
        return "empty member name"
    if "\x00" in name:
        return "NUL byte in the name"
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return "absolute path"
    if ".." in PurePosixPath(norm).parts:
        return "path goes up out of the folder ('..')"
    return None


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
        raise UploadError([f"not a valid zip archive ({exc})"], source=name) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            col.add(f"{len(infos)} members, more than the limit of {limits.max_members}")
        total = 0
        total_packed = 0
        for info in infos:
            why = _unsafe_name(info.filename)
            if why:
                col.add(f"member {info.filename!r}: {why}")
            mode = info.external_attr >> 16
            if mode and stat.S_ISLNK(mode):
                col.add(f"member {info.filename!r} is a symbolic link")
            total += info.file_size
            total_packed += info.compress_size
            if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                col.add(
                    f"member {info.filename!r} expands {info.file_size:,} bytes from "
                    f"{info.compress_size:,} (ratio above {limits.max_ratio:g}: a zip bomb?)"
                )
        if total > limits.max_total_bytes:
            col.add(
                f"uncompressed size {total:,} bytes exceeds the limit of "
                f"{limits.max_total_bytes:,} bytes"
            )
        if total > 1024 * 1024 and total > limits.max_ratio * max(total_packed, 1):
            col.add(f"archive expands {total:,} bytes from {total_packed:,} "
                    f"(ratio above {limits.max_ratio:g}: a zip bomb?)")
    col.raise_if_any()


def safe_extract_zip(
    data: bytes, dest: str | Path, *, name: str = "upload.zip", limits: ZipLimits = ZipLimits()
) -> list[Path]:
    """Check *data* with :func:`check_zip`, then extract it under *dest*; return the files.

    Sizes are counted again while extracting, so an archive whose headers understate its
    sizes is stopped at the limit too.
    """
    check_zip(data, name=name, limits=limits)
    dest = Path(dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            target = (dest / info.filename.replace("\\", "/")).resolve()
            if dest not in target.parents and target != dest:
                raise UploadError([f"member {info.filename!r} would leave the folder"],
                                  source=name)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                while chunk := src.read(1 << 16):
                    total += len(chunk)
                    if total > limits.max_total_bytes:
                        raise UploadError(
                            [f"uncompressed size passes {limits.max_total_bytes:,} bytes "
                             "while extracting (headers understate it)"], source=name)
                    out.write(chunk)
            written.append(target)
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
            raise UploadError([f"shapefile {shp[0].name} lacks {', '.join(missing)}"],
                              source=name)
        found = shp
    if not found:
        raise UploadError(["no .shp, .gpkg, .geojson or .csv file in the archive"], source=name)
    if len(found) > 1:
        raise UploadError(
            [f"several data files in the archive ({', '.join(f.name for f in found[:5])}); "
             "upload one layer per archive"], source=name)
    return found[0]


def store_upload(
    name: str,
    data: bytes,
    workdir: str | Path,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    limits: ZipLimits = ZipLimits(),
) -> Path:
    """Check an uploaded file and write it under *workdir*; return the path to read.

    Raises
    ------
    UploadError
        Too large, unsupported type, unsafe or unreadable archive.
    """
    suffix = Path(name).suffix.lower()
    safe = Path(name).name or "upload"
    problems = []
    if len(data) > max_bytes:
        problems.append(f"{len(data):,} bytes exceeds the upload limit of {max_bytes:,} bytes")
    if suffix not in SUPPORTED:
        problems.append(f"unsupported file type {suffix or '(none)'}; use one of "
                        + ", ".join(SUPPORTED))
    if problems:
        raise UploadError(problems, source=safe)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if suffix == ".zip":
        files = safe_extract_zip(data, workdir / Path(safe).stem, name=safe, limits=limits)
        return find_data_file(files, name=safe)
    path = workdir / safe
    path.write_bytes(data)
    return path


READERS: Mapping[str, str] = {
    "areas": "read_areas",
    "developments": "read_developments",
    "facilities": "read_facilities",
    "candidates": "read_facilities",
    "admin_units": "read_admin_units",
}


def read_layer_file(
    path: Path, layer: str, *, crs: str | None = None, fields: Mapping[str, str] | None = None
) -> Any:
    """Read a stored upload as the canonical layer *layer* with :mod:`geo.io`.

    *fields* maps further file columns to canonical names (the planner's field mapping). A
    *crs* the planner picks in the app is applied on purpose, also over a declared one (GeoJSON
    always declares WGS84, while 高德/百度 exports are GCJ-02/BD-09).
    """
    import geo as gio

    if layer not in READERS:
        raise UploadError([f"unknown layer kind {layer!r}; one of {', '.join(READERS)}"])
    reader: Callable[..., Any] = getattr(gio, READERS[layer])
    kwargs: dict[str, Any] = {"crs": gio.CRSOverride(crs) if crs else None}
    if fields:
        kwargs["fields"] = dict(fields)
    if layer == "candidates":
        kwargs["status"] = "candidate"
    return reader(path, **kwargs)


def canonical_names() -> list[str]:
    """Canonical column names a file column can be mapped to."""
    from geo import FIELD_ALIASES

    return list(FIELD_ALIASES)


def recognised_fields(columns: list[str]) -> list[tuple[str, str | None]]:
    """(column in the file, canonical name or None) using the aliases of :mod:`geo.fields`."""
    from geo import canonical_field

    return [(str(c), canonical_field(str(c))) for c in columns]


def file_columns(path: str | Path) -> list[str]:
    """The attribute columns of a stored upload, read without reading its rows.

    Parameters
    ----------
    path : path-like
        A CSV file or any file pyogrio reads (GeoPackage, Shapefile, GeoJSON).

    Returns
    -------
    list of str
        Column names in file order (no geometry column).
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        import pandas as pd

        return [str(c) for c in pd.read_csv(path, nrows=0, encoding_errors="replace").columns]
    import pyogrio

    return [str(c) for c in pyogrio.read_info(path)["fields"]]
