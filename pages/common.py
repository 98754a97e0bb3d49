"""Shared helpers of the Streamlit pages: language, user id, data, store, map display.

Only wiring lives here (session state, caching, showing things); the domain is in planning/,
geo/, optimizer/ and maps/.
"""

from __future__ import annotations

import os
import sys
import traceback
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run app.py` from another directory
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
import streamlit.components.v1 as components  # noqa: E402

from core.texts import t  # noqa: E402
from errors import PlanningError  # noqa: E402
from planning.profiles import DEFAULT_PROFILE  # noqa: E402  (the demo district lies in Hefei)


def lang() -> str:
    """Interface language of this session ('zh' by default)."""
    return st.session_state.get("lang", "zh")


def T(key: str, **values: Any) -> str:  # noqa: N802 - short name used on every line
    """Translated interface text."""
    return t(key, lang(), **values)


def translator() -> Any:
    """``T(key, **values)`` bound to this run's language.

    Bound once per run so that format functions of widgets, which Streamlit (and AppTest)
    may call outside the run, keep the language of the run.
    """
    bound = lang()

    def _t(key: str, **values: Any) -> str:
        return t(key, bound, **values)

    return _t


def owner_id() -> str:
    """Per-browser user id for the scenario store (kept in the URL so a reload keeps it)."""
    if "owner" not in st.session_state:
        given = st.query_params.get("u")
        if given and len(given) <= 64 and given.isalnum():
            st.session_state["owner"] = given
        else:
            st.session_state["owner"] = uuid.uuid4().hex
            try:
                st.query_params["u"] = st.session_state["owner"]
            except Exception:  # noqa: BLE001 - query params are a convenience only
                pass
    return st.session_state["owner"]


@st.cache_data(show_spinner=False)
def _demo_layers() -> dict[str, Any]:
    from geo import load_demo

    return load_demo()


@st.cache_resource(show_spinner=False)
def _network(path: str) -> Any:
    from geo import load_network

    return load_network(path)


@st.cache_resource(show_spinner=False)
def _network_edges(path: str) -> Any:
    return _network(path).to_gdf()


def demo_network_path() -> str:
    """Path of the demo district's street network (an OSM file)."""
    from geo import demo_paths

    return str(demo_paths()["network"])


#: The layers of the session's data, and where each comes from (``data()["origin"]``).
LAYER_KINDS = ("areas", "developments", "facilities", "candidates", "admin_units")


def data() -> dict[str, Any]:
    """Current data of the session: the demo district until the planner uploads layers.

    ``source`` is ``'demo'`` until any layer is uploaded (then ``'upload'``); ``origin`` says
    per layer (and for ``'network'``) whether it is ``'demo'`` or ``'upload'``; a layer the
    planner cleared is absent from ``layers`` (the network path is then None).
    """
    if "data" not in st.session_state:
        layers = {k: v.copy() for k, v in _demo_layers().items()}
        st.session_state["data"] = {
            "source": "demo", "layers": layers, "network_path": demo_network_path(),
            "origin": {**{k: "demo" for k in layers}, "network": "demo"}}
    return st.session_state["data"]


def demo_layers_left() -> list[str]:
    """The layers (and ``'network'``) still from the demo district."""
    d = data()
    present = [k for k in LAYER_KINDS if k in d["layers"]]
    if d.get("network_path"):
        present.append("network")
    return [k for k in present if d["origin"].get(k) == "demo"]


def set_layer(kind: str, gdf: Any) -> None:
    """Load the planner's layer *kind* (or, for ``'network'``, the path of its OSM file).

    The run shown before is dropped: it was made with other data.
    """
    d = data()
    if kind == "network":
        d["network_path"] = gdf
    else:
        d["layers"][kind] = gdf
    d["origin"][kind] = "upload"
    d["source"] = "upload"
    st.session_state.pop("run", None)


def clear_demo_layers() -> list[str]:
    """Remove every layer still from the demo (the network too: straight-line distances).

    Returns the layers removed.
    """
    d = data()
    gone = demo_layers_left()
    for k in gone:
        if k == "network":
            d["network_path"] = None
        else:
            d["layers"].pop(k, None)
        d["origin"][k] = "cleared"
    st.session_state.pop("run", None)
    return gone


def reset_upload() -> None:
    """Forget the file being uploaded and the choices made for it (the loaded data stays).

    Always available, so that a failed upload never leaves the page stuck on its error.
    """
    for key in ("pending_upload", "upload_path", "upload_flash", "upload_confirm_drop",
                "upload_area_choice", "upload_cutoff", "upload_year_default"):
        st.session_state.pop(key, None)
    st.session_state["upload_nonce"] = st.session_state.get("upload_nonce", 0) + 1


def reset_demo() -> None:
    """Drop the planner's layers and run, and load the demo district again."""
    st.session_state.pop("data", None)
    st.session_state.pop("run", None)
    reset_upload()
    data()


def network_at(path: str) -> Any:
    """The walking network of *path*, read once per file (a failed read is not kept)."""
    return _network(path)


def network() -> Any | None:
    """The walking network of the current data (cached per file), or None."""
    path = data().get("network_path")
    return _network(path) if path else None


def network_edges() -> Any | None:
    """The street lines of the current network (for the offline base map), or None."""
    path = data().get("network_path")
    return _network_edges(path) if path else None


@st.cache_resource(show_spinner=False)
def _profile(pid: str) -> Any:
    from planning.profiles import load_profile

    return load_profile(pid)


@st.cache_data(show_spinner=False)
def profile_choices() -> list[tuple[str, str, str]]:
    """Every policy profile as (id, Chinese name, English name)."""
    from planning.profiles import list_profiles

    return [(p.id, p.name, p.name_en) for p in list_profiles()]


def profile_id() -> str:
    """The profile chosen in the sidebar, else :data:`DEFAULT_PROFILE`."""
    return st.session_state.get("profile_id") or DEFAULT_PROFILE


def profile() -> Any:
    """The chosen policy profile (loaded once per id)."""
    return _profile(profile_id())


def profile_for(pid: str | None) -> Any:
    """The profile *pid* (a saved scenario's), or the current one when absent or unknown."""
    try:
        return _profile(pid) if pid else profile()
    except PlanningError:
        return profile()


def profile_label(pid: str) -> str:
    """The name of profile *pid* in the interface language (the id when unknown)."""
    for p_id, name, name_en in profile_choices():
        if p_id == pid:
            return name if lang() == "zh" else name_en
    return pid


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Any:
    from planning.store_sqlite import SQLiteScenarioStore  # writers queue across processes

    return SQLiteScenarioStore(path)


def store() -> Any:
    """The scenario store (``$YILAO_DATA_DIR`` or the user data dir)."""
    from pages import login
    from planning.scenarios import default_path

    if login.team_mode():  # team server: the logged-in user's scenarios and those shared
        return login.team_store()

    return _store(str(default_path()))


def basemap() -> str:
    """The base map chosen in the sidebar (``offline`` by default)."""
    return st.session_state.get("basemap", "offline")


def map_kwargs() -> dict[str, Any]:
    """Base-map options chosen in the sidebar; the street network for the offline mode."""
    bm = basemap()
    kw: dict[str, Any] = {"basemap": bm, "lang": lang()}
    if bm == "tianditu":
        kw["tianditu_key"] = st.session_state.get("tianditu_key") or None
    if bm == "offline":
        kw["network_edges"] = network_edges()
    return kw


def show_map(m: Any, *, height: int = 560, key: str | None = None) -> str:
    """Show a Folium map with the vendored Leaflet inlined (works with no internet)."""
    from maps.offline import offline_html

    html = offline_html(m)
    if hasattr(st, "iframe"):
        st.iframe(html, height=height)
    else:  # older Streamlit
        components.html(html, height=height, scrolling=False)
    return html


def table_config(df: Any, *, lang_: str | None = None) -> dict[str, Any]:
    """Streamlit number formats for the labelled columns of *df* (canonical names).

    Money with thousands separators and no decimals, places / m² / minutes with one decimal,
    shares as percentages (:data:`core.texts.NUMBER_DECIMALS`, ``PERCENT_COLUMNS``).
    """
    import pandas as pd

    from core.texts import NUMBER_DECIMALS, PERCENT_COLUMNS, column_label

    language = lang_ or lang()
    cols = list(df.columns)
    config: dict[str, Any] = {}
    for col in cols:
        if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            continue
        label = str(column_label(col, language, context=cols))
        if col in PERCENT_COLUMNS:
            config[label] = st.column_config.NumberColumn(label, format="percent")
        elif col in NUMBER_DECIMALS:
            digits = NUMBER_DECIMALS[col]
            config[label] = st.column_config.NumberColumn(
                label, format="localized" if digits <= 0 else f"%.{digits}f")
    return config


def show_table(df: Any, *, target: Any = None, **kwargs: Any) -> Any:
    """Show a table with canonical columns to the planner: labelled, values translated.

    *target* is where to draw (``st`` by default, or a tab / column).
    """
    from core.texts import label_frame

    where = target if target is not None else st
    shown = label_frame(df, lang())
    return where.dataframe(shown, hide_index=True, column_config=table_config(df), **kwargs)


def message(value: Any) -> str:
    """A note, reason or rule detail in the interface language, whatever form it comes in.

    A :class:`core.messages.Message`, its stored JSON form, or plain text (see
    :func:`core.texts.message_text`).
    """
    from core.texts import message_text

    return str(message_text(value, lang()))


def show_error(exc: BaseException, *, title: str | None = None) -> None:
    """Show a planning error's message (every problem); other errors with a traceback."""
    if isinstance(exc, PlanningError):
        st.error((title or T("data.error")) + "\n\n" + exc.render(lang()))
    else:
        st.error(f"{type(exc).__name__}: {exc}")
        st.code("".join(traceback.format_exception(exc))[-3000:])


def workdir() -> Path:
    """A per-session temporary folder for uploads."""
    if "workdir" not in st.session_state:  # deleted after the session (pages/upload_cleanup)
        from pages.upload_cleanup import session_workdir

        st.session_state["workdir"] = str(session_workdir())
    return Path(st.session_state["workdir"])


def setup_page() -> None:
    """Common start of every page (also when a page is run on its own, e.g. by AppTest)."""
    from pages import login
    from pages.upload_cleanup import start_sweeper

    login.gate()  # team server: login required, the owner is the user (the URL grants nothing)
    owner_id()
    start_sweeper()  # once per server process: stale upload folders go at start-up
    os.environ.setdefault("MPLBACKEND", "Agg")
