"""Per-session folders for uploaded files, and deleting them when they are no longer needed.

Every folder lives under one root (``$YILAO_UPLOAD_DIR``, else ``<temp>/yilao-uploads``) and is
named ``session-<server pid>-<session id>-<random>``, so that a sweep can tell

- folders of a server process that no longer runs (left by a crash or a restart): deleted on
  the next start-up (:func:`sweep`);
- folders of this process whose session has ended: deleted by the periodic sweep the app runs
  (:func:`sweep` with the ids of the sessions still alive);
- anything else: left alone.

No Streamlit here (the app's side is :mod:`pages.upload_cleanup`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

_NAME = re.compile(r"session-(?P<pid>\d+)-(?P<sid>[A-Za-z0-9_]+)-[A-Za-z0-9_]+")


def root() -> Path:
    """The folder holding every session's upload folder."""
    base = os.environ.get("YILAO_UPLOAD_DIR")
    return Path(base) if base else Path(tempfile.gettempdir()) / "yilao-uploads"


def _safe_id(session_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", session_id)[:64] or "none"


def new_session_dir(session_id: str, *, base: Path | None = None) -> Path:
    """A new private folder for the uploads of session *session_id* of this process."""
    base = base or root()
    base.mkdir(parents=True, exist_ok=True)
    prefix = f"session-{os.getpid()}-{_safe_id(session_id)}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user: alive
        return True
    return True


def sweep(*, active_sessions: Iterable[str] | None = None, base: Path | None = None,
          max_age_s: float | None = None) -> list[Path]:
    """Delete upload folders nobody needs any more; return those deleted.

    Parameters
    ----------
    active_sessions : iterable of str, optional
        Ids of this process's sessions still alive. When given, this process's folders of
        other sessions are deleted; when None, this process's folders are kept (unless older
        than *max_age_s*).
    base : Path, optional
        The root (default :func:`root`).
    max_age_s : float, optional
        Also delete this process's folders untouched for longer than this.
    """
    base = base or root()
    if not base.is_dir():
        return []
    active = None if active_sessions is None else {_safe_id(s) for s in active_sessions}
    now = time.time()
    removed = []
    for path in base.iterdir():
        m = _NAME.fullmatch(path.name)
        if not m or not path.is_dir() or path.is_symlink():
            continue
        pid = int(m["pid"])
        if pid != os.getpid():
            drop = not _alive(pid)
        else:
            drop = active is not None and m["sid"] not in active
            if not drop and max_age_s is not None:
                try:
                    drop = now - path.stat().st_mtime > max_age_s
                except OSError:
                    continue
        if drop:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
