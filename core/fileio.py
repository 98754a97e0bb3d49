"""Writing outputs so that nothing is lost or half-written, and JSON that is always valid.

One helper for every output of the tool: :func:`atomic_write` for one file and
:func:`write_outputs` for the files of one command, which are written to a temporary folder
beside the destination and moved into place only when every one of them succeeded.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from core.messages import Message

#: Permissions of every output file: readable by colleagues (mkstemp would make it private).
_OUTPUT_MODE = 0o644


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` for a path beside ``path``, then move the result into place.

    The temporary path does not exist when ``write`` is called (writers such as GeoPackage
    want to create the file themselves). On any error the temporary file is removed and
    ``path`` is left as it was.

    Parameters
    ----------
    path : path-like
        The destination.
    write : callable
        Writes the whole file to the path it is given.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    return write_outputs({path: write})[0]


def write_outputs(
    writers: Mapping[str | os.PathLike[str], Callable[[Path], None]],
) -> list[Path]:
    """Write several outputs as one: all are moved into place, or none is.

    Each writer writes its file into a temporary folder beside its destination; only when
    every writer succeeded are the files moved to their destinations. On an error the
    temporary folders are removed, existing outputs are untouched and the error propagates.

    Parameters
    ----------
    writers : mapping
        Destination path → function that writes the whole file to the path it is given.

    Returns
    -------
    list of pathlib.Path
        The destinations, in the order given.
    """
    from errors import OutputError

    dests = [Path(d) for d in writers]
    for dest in dests:
        if dest.is_dir():
            raise OutputError(Message("output.is_folder", {"path": str(dest)}))
    staged: list[tuple[Path, Path]] = []
    folders: list[Path] = []
    try:
        for dest, write in zip(dests, writers.values(), strict=True):
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                folder = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
            except OSError as exc:
                raise OutputError(Message("output.cannot_write", {
                    "path": str(dest), "why": exc.strerror or str(exc)})) from exc
            folders.append(folder)
            tmp = folder / dest.name
            try:
                write(tmp)
            except OSError as exc:
                raise OutputError(Message("output.cannot_write", {
                    "path": str(dest), "why": exc.strerror or str(exc)})) from exc
            if not tmp.exists():
                raise OutputError(Message("output.nothing_written", {"path": str(dest)}))
            os.chmod(tmp, _OUTPUT_MODE)
            staged.append((tmp, dest))
        _move_into_place(staged)
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    return [dest for _, dest in staged]


def _move_into_place(staged: list[tuple[Path, Path]]) -> None:
    """Move every staged file over its destination, or none.

    The earlier files are set aside beside the new ones first and put back if a move fails.
    """
    from errors import OutputError

    kept: list[tuple[Path, Path]] = []  # (earlier file set aside, its destination)
    moved: list[Path] = []
    try:
        for tmp, dest in staged:
            if dest.exists():
                aside = tmp.with_name(tmp.name + ".earlier")
                os.replace(dest, aside)
                kept.append((aside, dest))
            os.replace(tmp, dest)
            moved.append(dest)
    except OSError as exc:
        for dest in moved:  # the new files out again, the earlier ones back
            dest.unlink(missing_ok=True)
        for aside, dest in kept:
            os.replace(aside, dest)
        raise OutputError(Message("output.cannot_write", {
            "path": str(exc.filename or staged[len(moved)][1]),
            "why": exc.strerror or str(exc)})) from exc


def json_safe(value: Any) -> Any:
    """A structure that :func:`json.dumps` writes as valid JSON.

    numpy scalars and arrays become Python numbers and lists, tuples and sets lists, NaN and
    ±inf ``None`` (JSON has no such numbers), mappings keep their keys as strings, objects with
    a ``to_json`` method are asked for it, anything else becomes its string.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [json_safe(v) for v in value]
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return json_safe(to_json())
    return str(value)


def json_text(data: Any) -> str:
    """``data`` as JSON text (UTF-8 Chinese kept as is), via :func:`json_safe`."""
    return json.dumps(json_safe(data), ensure_ascii=False, indent=1, allow_nan=False)


def write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as JSON with :func:`atomic_write`."""
    text = json_text(data)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return atomic_write(path, write)


#: First characters that make a spreadsheet read a cell as a formula (or DDE command).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe_text(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made inert with a leading ``'``.

    Numbers and other values pass unchanged; a text such as ``=HYPERLINK(...)`` or
    ``@SUM(A1)`` becomes ``'=HYPERLINK(...)``, which Excel and LibreOffice show as text.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe(frame: Any) -> Any:
    """A copy of a DataFrame whose text cells and column names cannot run as formulas.

    Used by the Excel and CSV outputs of the tool (:func:`maps.export.write_excel`, the
    ``check``, ``access``, ``population`` and ``batch`` tables): names typed by planners or read
    from their files reach these outputs.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(spreadsheet_safe_text)
    out.columns = [spreadsheet_safe_text(c) if isinstance(c, str) else c for c in out.columns]
    return out
