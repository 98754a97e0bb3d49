"""App only (imports Streamlit): upload folders deleted when their session ends.

:func:`session_workdir` gives the session its upload folder (:mod:`planning.upload_dirs`). The
first call in a server process deletes the folders left by server processes that no longer run
and starts a background sweep that, every :data:`SWEEP_EVERY_S` seconds, deletes the folders of
sessions Streamlit has closed (a browser tab gone for longer than Streamlit keeps a
disconnected session). Where Streamlit's list of sessions cannot be read, folders untouched
for :data:`MAX_AGE_S` are deleted instead.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from planning.upload_dirs import new_session_dir, sweep

SWEEP_EVERY_S = 300.0
MAX_AGE_S = 12 * 3600.0
_started = threading.Lock()
_sweeper: threading.Thread | None = None


def live_session_ids() -> set[str] | None:
    """Ids of the sessions this Streamlit server still holds, or None if unknown."""
    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return None
        manager: Any = Runtime.instance()._session_mgr  # noqa: SLF001 - no public listing
        return {info.session.id for info in manager.list_sessions()}
    except Exception:  # noqa: BLE001 - Streamlit internals may change: fall back to age
        return None


def sweep_once() -> list[Path]:
    """Delete the folders of dead server processes and of closed sessions."""
    live = live_session_ids()
    if live is None:
        return sweep(max_age_s=MAX_AGE_S)
    return sweep(active_sessions=live, max_age_s=MAX_AGE_S)


def _loop(stop: threading.Event) -> None:
    while not stop.wait(SWEEP_EVERY_S):
        try:
            sweep_once()
        except Exception:  # noqa: BLE001, S110 - a failed sweep is tried again later
            pass


def start_sweeper() -> None:
    """Sweep now (stale folders from earlier runs) and start the periodic sweep, once."""
    global _sweeper
    with _started:
        if _sweeper is not None:
            return
        try:
            sweep(max_age_s=MAX_AGE_S)  # only dead processes' folders and very old ones
        except OSError:
            pass
        _sweeper = threading.Thread(target=_loop, args=(threading.Event(),),
                                    name="yilao-upload-sweep", daemon=True)
        _sweeper.start()


def session_workdir() -> Path:
    """A new upload folder for the current session."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    start_sweeper()
    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx is not None else uuid.uuid4().hex
    return new_session_dir(session_id)
