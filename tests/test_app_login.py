"""The team server in the app: login required, the URL grants nothing, sharing from the sidebar.

AppTest runs of the pages with ``YILAO_MODE=team`` on the SQLite store (the PostgreSQL store
passes the same store tests in test_store_postgres.py and test_accounts.py).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from argon2 import PasswordHasher
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from planning.accounts import Accounts, SqliteDb
from planning.scenarios import Scenario, ScenarioStore

ROOT = Path(__file__).resolve().parents[1]
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def team_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("YILAO_MODE", "team")
    monkeypatch.setenv("YILAO_STORE", "sqlite")
    monkeypatch.setenv("YILAO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    path = tmp_path / "scenarios.sqlite"
    with ScenarioStore(path) as store:
        sites = gpd.GeoDataFrame({"id": ["c1"]}, geometry=[Point(117.27, 31.86)], crs=4326)
        store.save(Scenario(name="甲方案", parameters={"service": "childcare"},
                            layers={"sites": sites}), owner="alice")
        store.save(Scenario(name="乙方案", parameters={"service": "childcare"}), owner="bob")
    acc = Accounts(SqliteDb(path), hasher=CHEAP)
    acc.add("alice", "alice-password")
    acc.add("bob", "bob-password")
    return tmp_path


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    return at


def _login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def test_nothing_without_login_and_the_url_grants_nothing(team_dir) -> None:
    at = _page("comparison")
    at.query_params["u"] = "alice"
    at.session_state["owner"] = "alice"  # what the local mode would have taken from the URL
    at.run()
    assert not at.exception
    assert at.header[0].value == "Log in to the team server"
    assert "甲方案" not in str(at) and "乙方案" not in str(at)
    at = _login(at, "alice", "bob-password")
    assert not at.exception
    assert "unknown user name or wrong password" in " ".join(e.value for e in at.error)
    assert "甲方案" not in str(at)


def test_login_shows_own_scenarios_then_shared_ones(team_dir) -> None:
    at = _login(_page("comparison").run(), "bob", "bob-password")
    assert not at.exception
    shown = " ".join(str(o) for o in at.multiselect[0].options)
    assert "乙方案" in shown and "甲方案" not in shown
    assert "Logged in as bob" in " ".join(c.value for c in at.sidebar.caption)

    other = _login(_page("comparison").run(), "alice", "alice-password")
    other.sidebar.selectbox(key="share_grantee").select("bob")
    other.sidebar.button(key="share_go").click().run()
    assert not other.exception
    assert "Shared “甲方案” with bob (read-only)" in " ".join(s.value for s in other.success)

    at.run()
    assert "甲方案" in " ".join(str(o) for o in at.multiselect[0].options)
    at.sidebar.button(key="team_logout").click().run()
    assert at.header[0].value == "Log in to the team server"


def test_app_entry_point_asks_for_login_first(team_dir) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.header[0].value == "登录团队服务器"
    at = _login(at, "alice", "alice-password")
    assert not at.exception
    assert at.title[0].value == "一老一小设施规划工具"  # the home page, after the login
