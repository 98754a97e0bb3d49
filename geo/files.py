"""Reading a vector layer or a table as it is: formats, layers and text encodings.

GeoPackage, GeoJSON and Shapefile through pyogrio, CSV/TSV with pandas. A Shapefile without a
.cpg is decoded here (UTF-8 when its bytes decode as UTF-8, else GB18030, the superset of the
GBK and GB2312 of Chinese Shapefiles); CSV files are tried as UTF-8 then GB18030.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio

from core.messages import Message
from errors import InputError, Problem

__all__ = ["TABLE_SUFFIXES", "PathLike", "detect_dbf_encoding", "layer_columns", "read_layer"]

PathLike = str | os.PathLike[str]

TABLE_SUFFIXES = (".csv", ".txt", ".tsv")


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


def _error(path: str | Path, code: str, **args: Any) -> InputError:
    """The error of one problem with a file."""
    return InputError([Problem(Message(code, args), source=str(path))], source=str(path))


def _redecode(frame: pd.DataFrame, encoding: str, notes: list[Message]) -> pd.DataFrame:
    """Re-decode names and text read as ISO-8859-1 (byte-preserving) with ``encoding``."""

    def fix(text: str, *, name: bool) -> str:
        raw = text.encode("latin-1", errors="strict")
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            out = raw.decode(encoding, errors="ignore" if name else "replace")
            if name:
                notes.append(Message("geo.file.field_name_cut", {"name": repr(out)}))
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
        raise _error(path, "geo.file.cannot_open", error=str(exc)) from None
    names = [str(n) for n in layers[:, 0]] if len(layers) else []
    if layer is not None:
        if isinstance(layer, int) or str(layer) in names:
            return layer
        raise _error(path, "geo.file.no_layer", layer=repr(layer), layers=str(names))
    if len(names) <= 1:
        return None
    if default_layer is not None and default_layer in names:
        return default_layer
    raise _error(path, "geo.file.which_layer", n=len(names), layers=str(names))


def _read_csv(path: Path, encoding: str | None, nrows: int | None = None) -> pd.DataFrame:
    sep = "\t" if path.suffix.lower() == ".tsv" else None
    tried = [encoding] if encoding else ["utf-8-sig", "gb18030"]
    last: Exception | None = None
    for enc in tried:
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc, sep=sep,
                               engine="python", nrows=nrows)
        except UnicodeDecodeError as exc:
            last = exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise _error(path, "geo.file.csv_unreadable", error=str(exc)) from None
    raise _error(path, "geo.file.csv_undecodable", tried=", ".join(str(t) for t in tried),
                 error=str(last))


def _dbf_redecoding(p: Path) -> str | None:
    """The encoding to decode a Shapefile's text with, when GDAL reads it as ISO-8859-1.

    A .dbf without a .cpg that GDAL reads as ISO-8859-1 (which keeps every byte) is decoded
    here with :func:`detect_dbf_encoding`; None when GDAL decodes it itself.
    """
    if p.suffix.lower() not in (".shp", ".dbf"):
        return None
    dbf = p.with_suffix(".dbf")
    if dbf.exists() and not p.with_suffix(".cpg").exists():
        info = pyogrio.read_info(p)
        if str(info.get("encoding", "")).upper() in ("ISO-8859-1", "LATIN1", ""):
            return detect_dbf_encoding(dbf)
    return None


def layer_columns(path: PathLike, *, layer: str | int | None = None) -> list[str]:
    """The attribute columns of a layer or table, decoded as :func:`read_layer` decodes them.

    Reads no rows (a field preview): CSV headers are tried as UTF-8 then GB18030, and the
    field names of a Shapefile without .cpg are decoded with :func:`detect_dbf_encoding`.

    Returns
    -------
    list of str
        Column names in file order (no geometry column).
    """
    p = Path(path)
    if not p.exists():
        raise _error(str(p), "geo.file.not_found")
    if p.suffix.lower() in TABLE_SUFFIXES:
        return [str(c) for c in _read_csv(p, None, nrows=0).columns]
    try:
        names = [str(c) for c in pyogrio.read_info(p, layer=layer)["fields"]]
        redecode = _dbf_redecoding(p)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise _error(str(p), "geo.file.cannot_open", error=str(exc)) from None
    if redecode is None:
        return names
    out = []
    for name in names:
        try:
            raw = name.encode("latin-1")
        except UnicodeEncodeError:  # not byte-preserved after all
            out.append(name)
            continue
        out.append(raw.decode(redecode, errors="ignore"))
    return out


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
        raise _error(source, "geo.file.not_found")
    if p.suffix.lower() in TABLE_SUFFIXES:
        return _read_csv(p, encoding), None
    chosen = _choose_layer(p, layer, default_layer)
    kwargs: dict[str, Any] = {}
    redecode: str | None = None
    if encoding:
        kwargs["encoding"] = encoding
    else:  # GDAL reads a .dbf without .cpg as ISO-8859-1, which keeps every byte
        redecode = _dbf_redecoding(p)
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
            cut_notes: list[Message] = []
            frame = _redecode(frame, redecode, cut_notes)
            frame.attrs["notes"] = [Message("geo.file.dbf_read_as", {"encoding": redecode}),
                                    *cut_notes]
    except UnicodeDecodeError as exc:
        raise _error(source, "geo.file.dbf_undecodable", error=str(exc)) from None
    except Exception as exc:
        raise _error(source, "geo.file.cannot_read", error=str(exc)) from None
    name = chosen if isinstance(chosen, str) else None
    return frame, name

