"""Upload folders: one per session, deleted when its session or its server process is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from planning.upload_dirs import new_session_dir, sweep


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_folders_of_closed_sessions_and_dead_servers_are_deleted(tmp_path) -> None:
    a = new_session_dir("aaaa-1111", base=tmp_path)
    b = new_session_dir("bbbb-2222", base=tmp_path)
    (a / "areas.gpkg").write_bytes(b"x")
    assert a.name.startswith(f"session-{os.getpid()}-aaaa_1111-") and a.is_dir()
    stale = tmp_path / f"session-{_dead_pid()}-cccc-xyz"
    stale.mkdir()
    other = tmp_path / "not-ours"
    other.mkdir()

    # start-up: only the dead server's folder goes
    assert sweep(base=tmp_path) == [stale]
    assert a.is_dir() and b.is_dir() and other.is_dir()
    # later: session a is closed, b still open
    assert sweep(active_sessions=["bbbb-2222"], base=tmp_path) == [a]
    assert not a.exists() and b.is_dir() and other.is_dir()
    # when the list of sessions is unknown: only folders untouched for long
    old = time.time() - 100
    os.utime(b, (old, old))
    assert sweep(base=tmp_path, max_age_s=1000) == []
    assert sweep(base=tmp_path, max_age_s=50) == [b]
    assert sweep(base=tmp_path / "missing") == []


def test_app_session_gets_a_folder_under_the_root(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("YILAO_UPLOAD_DIR", str(tmp_path))
    from pages import upload_cleanup

    monkeypatch.setattr(upload_cleanup, "_sweeper", None)
    monkeypatch.setattr(upload_cleanup, "SWEEP_EVERY_S", 3600.0)
    path = upload_cleanup.session_workdir()
    assert path.parent == tmp_path and path.is_dir()
    # outside a Streamlit server the live sessions are unknown: nothing recent is deleted
    assert upload_cleanup.live_session_ids() is None
    assert upload_cleanup.sweep_once() == [] and path.is_dir()
