"""Accounts of the team server and who sees which scenario, on both stores.

Passwords only as argon2id hashes; one answer for an unknown name and a wrong password; each
scenario its author's, shared only on purpose (a colleague or the whole team, read-only or
editable); the URL grants nothing; the admin command adds and removes users.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import pytest
from argon2 import PasswordHasher
from pg_fixtures import pg_schema, pg_url  # noqa: F401  (fixtures)
from shapely.geometry import Point

from errors import AuthError, PermissionDenied, PlanningError
from planning.accounts import TEAM, Accounts, SqliteDb
from planning.scenarios import Scenario, ScenarioNotFound
from planning.store_factory import ConfigError, Settings, open_team, settings

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # fast, for tests only


@pytest.fixture(params=["sqlite", "postgres"])
def team(request, tmp_path) -> Iterator[Any]:
    """Accounts and the access-checked store, on SQLite or on PostgreSQL."""
    if request.param == "sqlite":
        cfg = Settings(mode="team", store="sqlite", sqlite_path=tmp_path / "s.sqlite")
    else:
        cfg = Settings(mode="team", store="postgres",
                       database_url=request.getfixturevalue("pg_url"),
                       schema=request.getfixturevalue("pg_schema"))
    t = open_team(cfg, hasher=CHEAP)
    for name, role in (("alice", "admin"), ("bob", "user"), ("carol", "user")):
        t.accounts.add(name, f"{name}-password", role=role)
    yield t
    t.close()


def _sc(name: str = "方案", **kw: Any) -> Scenario:
    sites = gpd.GeoDataFrame({"id": ["c1"]}, geometry=[Point(117.27, 31.86)], crs=4326)
    return Scenario(name=name, parameters={"service": "childcare"}, layers={"sites": sites},
                    **kw)


# ---- users and passwords ----------------------------------------------------------------------
def test_passwords_are_argon2_hashes_and_logins_check_them(team) -> None:
    acc = team.accounts
    assert acc.authenticate("bob", "bob-password").name == "bob"
    assert acc.authenticate(" bob ", "bob-password").role == "user"
    with acc.db.transaction() as tx:
        digest = tx.execute("SELECT password_hash FROM users WHERE name = %s",
                            ("bob",)).fetchone()[0]
    assert digest.startswith("$argon2id$") and "bob-password" not in digest
    with pytest.raises(AuthError) as wrong:
        acc.authenticate("bob", "alice-password")
    with pytest.raises(AuthError) as unknown:
        acc.authenticate("mallory", "bob-password")
    assert str(wrong.value) == str(unknown.value) == "unknown user name or wrong password"
    assert wrong.value.render("zh") == "用户名或密码不正确"


def test_account_rules(team) -> None:
    acc = team.accounts
    assert [(u.name, u.role) for u in acc.list()] == [
        ("alice", "admin"), ("bob", "user"), ("carol", "user")]
    with pytest.raises(AuthError, match="already exists"):
        acc.add("bob", "another-password")
    with pytest.raises(AuthError, match="at least 8"):
        acc.add("dave", "short")
    with pytest.raises(AuthError, match="user name"):
        acc.add("dave smith", "long-enough")
    with pytest.raises(AuthError, match="user name"):
        acc.add(TEAM, "long-enough")
    with pytest.raises(AuthError, match="role"):
        acc.add("dave", "long-enough", role="root")
    assert acc.add("王工", "long-enough").name == "王工"  # Chinese names are fine
    with pytest.raises(AuthError, match="last admin"):
        acc.remove("alice")
    with pytest.raises(AuthError, match="last admin"):
        acc.set_role("alice", "user")
    acc.set_role("bob", "admin")
    acc.remove("alice")  # no longer the last admin
    assert acc.get("alice") is None
    with pytest.raises(AuthError):
        acc.authenticate("alice", "alice-password")
    acc.set_password("carol", "a-new-password")
    with pytest.raises(AuthError):
        acc.authenticate("carol", "carol-password")
    assert acc.authenticate("carol", "a-new-password").name == "carol"
    with pytest.raises(AuthError, match="no user"):
        acc.set_password("nobody", "long-enough")


# ---- who sees which scenario --------------------------------------------------------------------
def test_scenarios_are_their_authors_only(team) -> None:
    st = team.store
    sid = st.save(_sc("alice's"), owner="alice")
    assert [s["name"] for s in st.list(owner="alice")] == ["alice's"]
    assert st.list(owner="alice")[0]["access"] == "owner"
    assert st.list(owner="bob") == []
    with pytest.raises(ScenarioNotFound):
        st.load(sid, owner="bob")
    with pytest.raises(ScenarioNotFound):
        st.save(_sc("overwrite", id=sid), owner="bob")
    assert st.delete(sid, owner="bob") is False
    with pytest.raises(ScenarioNotFound):
        st.share(sid, owner="bob", with_user="bob")
    assert st.load(sid, owner="alice").name == "alice's"
    # an id that is not a user (e.g. taken from a URL) gets nothing
    for nobody in ("mallory", "", "*"):
        with pytest.raises(PermissionDenied):
            st.list(owner=nobody)
        with pytest.raises(PermissionDenied):
            st.load(sid, owner=nobody)


def test_read_only_share(team) -> None:
    st = team.store
    sid = st.save(_sc("plan A"), owner="alice")
    st.share(sid, owner="alice", with_user="bob", can_edit=False)
    listed = st.list(owner="bob")
    assert [(s["name"], s["owner"], s["access"]) for s in listed] == [("plan A", "alice", "read")]
    assert st.list(owner="carol") == []
    sc = st.load(sid, owner="bob")
    assert sc.owner == "alice" and len(sc.layers["sites"]) == 1
    sc.name = "changed by bob"
    with pytest.raises(PermissionDenied, match="read-only"):
        st.save(sc, owner="bob")
    with pytest.raises(PermissionDenied, match="only the author"):
        st.delete(sid, owner="bob")
    with pytest.raises(PermissionDenied, match="only the author"):
        st.share(sid, owner="bob", with_user="carol", can_edit=True)
    assert st.load(sid, owner="alice").name == "plan A"
    assert st.unshare(sid, owner="alice", with_user="bob") is True
    assert st.list(owner="bob") == []
    with pytest.raises(ScenarioNotFound):
        st.load(sid, owner="bob")


def test_editable_share_and_team_share(team) -> None:
    st = team.store
    sid = st.save(_sc("plan B"), owner="alice")
    st.share(sid, owner="alice", with_user="bob", can_edit=True)
    sc = st.load(sid, owner="bob")
    sc.name = "plan B, revised by bob"
    assert st.save(sc, owner="bob") == sid
    assert st.list(owner="bob")[0]["access"] == "edit"
    assert [s["name"] for s in st.list(owner="alice")] == ["plan B, revised by bob"]
    assert st.load(sid, owner="alice").owner == "alice"  # still alice's
    # a new scenario saved by bob is bob's own
    own = st.save(_sc("bob's"), owner="bob")
    assert st.list(owner="alice")[0]["id"] == sid and len(st.list(owner="alice")) == 1
    # the whole team, read-only
    st.share(own, owner="bob", with_user=TEAM)
    assert [(s["name"], s["access"]) for s in st.list(owner="carol")] == [("bob's", "read")]
    assert {s["name"] for s in st.list(owner="alice")} == {"plan B, revised by bob", "bob's"}
    assert [s.grantee for s in st.shares_of(own, owner="bob")] == [TEAM]
    with pytest.raises(AuthError):
        st.share(own, owner="bob", with_user="bob")
    with pytest.raises(AuthError, match="no user"):
        st.share(own, owner="bob", with_user="nobody")
    # deleting a scenario withdraws its shares; removing a user withdraws theirs
    assert st.delete(own, owner="bob") is True
    assert st.list(owner="carol") == []
    team.accounts.remove("bob")
    with pytest.raises(PermissionDenied):
        st.list(owner="bob")
    assert team.accounts.shared_with("bob") == []


# ---- configuration and the admin command --------------------------------------------------------
def test_settings_choose_the_store() -> None:
    local = settings({"YILAO_DATA_DIR": "/data"})
    assert (local.mode, local.store, str(local.sqlite_path)) == (
        "local", "sqlite", "/data/scenarios.sqlite")
    team = settings({"YILAO_MODE": "team", "YILAO_DATABASE_URL": "postgresql://u@h/db"})
    assert (team.team, team.store, team.database_url) == (True, "postgres", "postgresql://u@h/db")
    small = settings({"YILAO_MODE": "team", "YILAO_STORE": "sqlite", "YILAO_DATA_DIR": "/d"})
    assert (small.team, small.store) == (True, "sqlite")
    with pytest.raises(ConfigError, match="YILAO_DATABASE_URL"):
        settings({"YILAO_MODE": "team"})
    with pytest.raises(ConfigError, match="YILAO_MODE"):
        settings({"YILAO_MODE": "cloud"})
    with pytest.raises(ConfigError, match="YILAO_STORE"):
        settings({"YILAO_STORE": "mysql"})


def _cli(monkeypatch, capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    from planning.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["users", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_users_command(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("YILAO_MODE", "team")
    monkeypatch.setenv("YILAO_STORE", "sqlite")
    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("planning.accounts.default_hasher", lambda: CHEAP)
    assert "python -m planning users add" in _cli(monkeypatch, capsys, "list")[1]
    monkeypatch.setenv("PLANNING_LANG", "zh")
    code, out, _ = _cli(monkeypatch, capsys, "add", "wang", "--admin", "--password-stdin",
                        stdin="wang-password\n")
    assert (code, out.strip()) == (0, "已添加用户 wang（admin）")
    monkeypatch.delenv("PLANNING_LANG")
    code, _, err = _cli(monkeypatch, capsys, "add", "li", "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 8 characters" in err
    assert _cli(monkeypatch, capsys, "add", "li", "--password-stdin", stdin="li-password\n")[0] == 0
    code, out, _ = _cli(monkeypatch, capsys, "list")
    assert [line.split("\t")[:2] for line in out.splitlines()] == [
        ["li", "user"], ["wang", "admin"]]
    assert _cli(monkeypatch, capsys, "passwd", "li", "--password-stdin",
                stdin="li-new-password\n")[0] == 0
    code, _, err = _cli(monkeypatch, capsys, "remove", "wang")
    assert code == 2 and "last admin" in err
    assert _cli(monkeypatch, capsys, "remove", "li")[0] == 0
    acc = Accounts(SqliteDb(tmp_path / "scenarios.sqlite"), hasher=CHEAP)
    assert [u.name for u in acc.list()] == ["wang"]
    assert acc.authenticate("wang", "wang-password").is_admin


def test_errors_are_planning_errors() -> None:
    assert issubclass(AuthError, PlanningError) and issubclass(PermissionDenied, PlanningError)


def test_repeated_failed_logins_are_slowed_down() -> None:
    from planning.accounts import LoginThrottle

    now = [1000.0]
    th = LoginThrottle(free=3, window=60.0, max_wait=8.0, clock=lambda: now[0])
    for _ in range(3):
        assert th.delay("bob") == 0.0
        th.failed("bob")
    assert th.delay("bob") == 1.0  # the 4th try waits, then 2, 4, 8, 8 …
    waits = []
    for _ in range(5):
        th.failed("bob")
        waits.append(th.delay("bob"))
    assert waits == [2.0, 4.0, 8.0, 8.0, 8.0]
    assert th.delay("alice") == 0.0  # per name
    now[0] += 61.0  # failures older than the window are forgotten
    assert th.delay("bob") == 0.0
    th.failed("bob")
    th.succeeded("bob")
    assert th.delay("bob") == 0.0


def test_login_records_failures_per_name(team) -> None:
    acc = team.accounts
    for _ in range(2):
        with pytest.raises(AuthError):
            acc.authenticate("bob", "wrong-password")
    assert len(acc.throttle._failures["bob"]) == 2
    acc.authenticate("bob", "bob-password")
    assert "bob" not in acc.throttle._failures
