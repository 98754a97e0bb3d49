"""App only (imports Streamlit): the login of the team server and the sharing panel.

Not a page of its own: :func:`gate` is called by :func:`pages.common.setup_page` at the start of
every page, :func:`team_store` by :func:`pages.common.store`. In local mode (the default) both
leave today's single-user behaviour alone. In team mode (``YILAO_MODE=team``, see
:mod:`planning.store_factory`):

- nothing is shown before a login with user name and password; the logged-in user is kept in
  the server-side session only, so a URL (``?u=`` or any other) grants nothing;
- the pages' store is :class:`planning.team_store.TeamStore`: a user's own scenarios and those
  shared with them;
- the sidebar shows who is logged in, a log-out button and a panel to share one's scenarios
  with a colleague or the whole team, read-only or editable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from core.messages import Message
from errors import PlanningError

_USER = "team_user"  # session key of the logged-in user's name


def _m(code: str, **args: Any) -> str:
    return Message(code, args).render(st.session_state.get("lang", "zh"))


def team_mode() -> bool:
    """Whether this server is the team server (login required)."""
    from planning.store_factory import settings

    return settings().team


@st.cache_resource(show_spinner=False)
def _open_team(store: str, url: str | None, schema: str | None, path: str | None) -> Any:
    from planning.store_factory import Settings, open_team

    return open_team(Settings(mode="team", store=store, database_url=url, schema=schema,
                              sqlite_path=Path(path) if path else None))


def _team() -> Any:
    """The team server's accounts and store, opened once per server process (and setting)."""
    from planning.store_factory import settings

    cfg = settings()
    return _open_team(cfg.store, cfg.database_url, cfg.schema,
                      str(cfg.sqlite_path) if cfg.sqlite_path else None)


def team_store() -> Any:
    """The access-checked scenario store of the team server."""
    return _team().store


def current_user() -> str | None:
    """Name of the logged-in user of this session (team mode), or None."""
    return st.session_state.get(_USER)


def logout() -> None:
    """Forget the login of this session and everything loaded under it (not the language)."""
    for key in list(st.session_state.keys()):
        if key not in ("lang", "lang_choice"):
            del st.session_state[key]


def gate() -> None:
    """Require a login in team mode; afterwards the session's owner is the user.

    In local mode this does nothing. In team mode, without a valid login it shows the login
    form and stops the page.
    """
    if not team_mode():
        return
    try:
        accounts = _team().accounts
    except PlanningError as exc:
        st.error(exc.render(st.session_state.get("lang", "zh")))
        st.stop()
    name = current_user()
    user = accounts.get(name) if name else None
    if user is None:  # not logged in, or the account was removed meanwhile
        st.session_state.pop(_USER, None)
        st.session_state.pop("owner", None)
        _login_form(accounts)
        st.stop()
    st.session_state["owner"] = user.name  # what pages.common.owner_id() returns
    if _first_call_this_run():  # app.py and then its page both call gate()
        _sidebar(user)


def _first_call_this_run() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return True
    marker = ctx.cursors  # a new dict on every run; held here, so never confused with another
    if st.session_state.get("_team_sidebar_run") is marker:
        return False
    st.session_state["_team_sidebar_run"] = marker
    return True


def _login_form(accounts: Any) -> None:
    st.header(_m("accounts.login_title"))
    with st.form("team_login"):
        name = st.text_input(_m("accounts.user_label"), key="login_name")
        password = st.text_input(_m("accounts.password_label"), type="password",
                                 key="login_password")
        submitted = st.form_submit_button(_m("accounts.login_button"))
    if not submitted:
        return
    try:
        user = accounts.authenticate(name, password)  # slows down repeated failures
    except PlanningError as exc:
        st.error(exc.render(st.session_state.get("lang", "zh")))
        return
    logout()  # nothing of a previous user survives a login
    st.session_state[_USER] = user.name
    st.rerun()


def _sidebar(user: Any) -> None:
    with st.sidebar:
        role = _m(f"accounts.role_{user.role}")
        st.caption(_m("accounts.logged_in_as", name=user.name, role=role))
        if st.button(_m("accounts.logout_button"), key="team_logout"):
            logout()
            st.rerun()
        with st.expander(_m("accounts.share_title")):
            share_panel(user.name)


def share_panel(user: str) -> None:
    """Share one of *user*'s scenarios or sweeps (labelled as such) with a colleague or all."""
    from planning.accounts import TEAM

    team = _team()
    own = [s for s in team.store.list(owner=user, kind=None) if s.get("access") == "owner"]
    if not own:
        st.caption(_m("accounts.no_own"))
        return
    names = {s["id"]: _m("accounts.sweep_item", name=s["name"]) if s.get("kind") == "sweep"
             else s["name"] for s in own}
    sid = st.selectbox(_m("accounts.share_scenario"), list(names), format_func=names.get,
                       key="share_scenario")
    colleagues = [TEAM] + [u.name for u in team.accounts.list() if u.name != user]
    label = {TEAM: _m("accounts.team")}
    grantee = st.selectbox(_m("accounts.share_with"), colleagues,
                           format_func=lambda g: label.get(g, g), key="share_grantee")
    can_edit = st.checkbox(_m("accounts.can_edit"), key="share_edit")
    mode = _m("accounts.mode_edit" if can_edit else "accounts.mode_read")
    col1, col2 = st.columns(2)
    try:
        if col1.button(_m("accounts.share_button"), key="share_go"):
            team.store.share(sid, owner=user, with_user=grantee, can_edit=can_edit)
            st.success(_m("accounts.shared_ok", scenario=names[sid],
                          grantee=label.get(grantee, grantee), mode=mode))
        if col2.button(_m("accounts.unshare_button"), key="share_undo"):
            team.store.unshare(sid, owner=user, with_user=grantee)
            st.success(_m("accounts.unshared_ok", scenario=names[sid],
                          grantee=label.get(grantee, grantee)))
        shares = team.store.shares_of(sid, owner=user)
    except PlanningError as exc:
        st.error(exc.render(st.session_state.get("lang", "zh")))
        return
    if shares:
        shown = [f"{label.get(s.grantee, s.grantee)}（"
                 f"{_m('accounts.mode_edit' if s.can_edit else 'accounts.mode_read')}）"
                 for s in shares]
        st.caption(_m("accounts.shared_now", shares=shown))
