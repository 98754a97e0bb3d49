"""敏感性分析 (sensitivity): one scenario per value of one or two parameters.

Vary one or two parameters, watch the runs finish, read the curve, open a point's plan on
the map, save the sweep like a scenario and open it again later.

Two runs at once go to two Dask worker *threads* of the app, closed after the sweep. Measured
on the demo (2 shared cores): eight p-median runs took 0.8 s one by one in the process and
0.9–1.3 s on two threads (building a model holds the GIL; HiGHS releases it while solving, so
two long solves do overlap: two 4 s solves took 4.0 s on threads, 8.0 s in turn); four budget
runs on two worker *processes* took 8.8 s (start, imports, close), and processes spawned from a
Streamlit page re-ran the page as their ``__main__`` and failed (seen under AppTest).
"""

from __future__ import annotations

import uuid
from typing import Any

import streamlit as st

from pages import common, login

common.setup_page()
T = common.translator()
st.header(T("page.sensitivity"))
st.caption(T("sens.intro"))

from core.messages import Message  # noqa: E402
from errors import InputError  # noqa: E402
from maps.curves import curve_chart, param_label, run_label, runs_table  # noqa: E402
from planning.params import ScenarioParams, service_defaults  # noqa: E402
from planning.sweep import (  # noqa: E402
    VARY,
    combinations,
    dask_client,
    parse_vary,
    profile_with_rates,
    rates_of,
    run_sweep,
    saved_sweep,
    scenario_params,
    summary,
    sweep_result,
)

LANG = common.lang()

#: Values offered when a parameter is chosen to vary that no profile sets (the planner edits
#: them); policy figures (minutes, speeds, rates) are offered around the profile's own.
DEFAULT_VALUES = {"budget": "2000000, 4000000, 8000000, 16000000", "p": "1, 2, 3, 4, 5, 6, 7, 8",
                  "target_year": "2025, 2030, 2035"}
#: Multiples of the profile's figure offered for a policy parameter.
AROUND = (0.5, 1.0, 1.5)


def _default_values(name: str, profile: Any, service: str) -> str:
    """Values to try for *name*: fixed ones, or multiples of the profile's own figure."""
    if name in DEFAULT_VALUES:
        return DEFAULT_VALUES[name]
    base: float | None = None
    if name in ("minutes", "speed"):
        minutes, speed = service_defaults(profile, service)
        base = minutes if name == "minutes" else speed
    elif name in VARY and VARY[name].target == "rate":  # a provision rate of the profile
        kind = VARY[name].field
        svc = "childcare" if kind.startswith("childcare") else "eldercare"
        area_type = "old" if name.endswith("_old") else "new"
        rule = profile.rule(kind, service=svc, area_type=area_type)
        base = None if rule is None else float(rule.value)
    if base is None:  # the profile states no figure: the planner gives the values
        return ""
    return ", ".join(f"{base * k:g}" for k in AROUND)


def _default_vary(objective: str, service: str) -> list[str]:
    if objective == "max_coverage":
        return ["budget"]
    if objective == "p_median":
        return ["p"]
    if service == "eldercare":
        return ["eldercare_per_100_households"]
    return ["childcare_per_1000"] if service == "childcare" else ["minutes"]


def _parse_values(varied: list[str], texts: dict[str, str]) -> dict[str, list[float | int]]:
    """The values typed for each varied parameter; every problem at once (InputError)."""
    problems: list[Any] = []
    vary: dict[str, list[float | int]] = {}
    for name in varied:
        if not texts[name].strip():
            problems.append(Message("sweep.values_empty", {"name": param_label(name, LANG)}))
            continue
        try:
            vary.update(parse_vary([f"{name}={texts[name]}"]))
        except InputError as exc:
            problems.extend(p.message for p in exc.problems)
    if problems:
        raise InputError(problems)
    return vary


def _open_state(result: dict[str, Any], profile_id: str | None, **extra: Any) -> None:
    st.session_state["sens"] = {"result": result, "profile_id": profile_id, "plans": {},
                                "tag": uuid.uuid4().hex[:8], **extra}
    st.session_state.pop("sens_error", None)
    st.session_state.pop("sens_point", None)


def _share_controls(sid: str, name: str) -> None:
    """Team server: share one's own saved sweep as one shares a scenario (same rules)."""
    from planning.accounts import TEAM

    def m(code: str, **args: Any) -> str:
        return Message(code, args).render(LANG)

    colleagues = [TEAM] + [u.name for u in store.accounts.list() if u.name != owner]
    c1, c2, c3 = st.columns(3)
    grantee = c1.selectbox(m("accounts.share_with"), colleagues, key="sens_share_with",
                           format_func=lambda g: m("accounts.team") if g == TEAM else g)
    can_edit = c2.checkbox(m("accounts.can_edit"), key="sens_share_edit")
    if c3.button(m("accounts.share_button"), key="sens_share"):
        try:
            store.share(sid, owner=owner, with_user=grantee, can_edit=can_edit)
            st.success(m("accounts.shared_ok", scenario=name,
                         grantee=m("accounts.team") if grantee == TEAM else grantee,
                         mode=m("accounts.mode_edit" if can_edit else "accounts.mode_read")))
        except Exception as exc:  # noqa: BLE001
            common.show_error(exc, title=T("sens.share_failed"))


prof = common.profile()
layers = common.data()["layers"]
store = common.store()
owner = common.owner_id()

# ---------------------------------------------------------------- saved sweeps
with st.expander(T("sens.saved_list")):
    try:
        saved = store.list(owner=owner, kind="sweep")
    except Exception as exc:  # noqa: BLE001 - the page still runs new sweeps
        saved = []
        common.show_error(exc)
    if not saved:
        st.caption(T("sens.none_saved"))
    else:
        by_id = {s["id"]: s for s in saved}

        def _saved_label(sid: str) -> str:
            s = by_id[sid]
            shared = "" if s.get("access", "owner") == "owner" else T(
                "sens.shared_by", owner=s.get("owner", ""))
            return T("sens.saved_item", name=s["name"], created=s["created"], shared=shared)

        sid = st.selectbox(T("sens.saved_list"), list(by_id), format_func=_saved_label,
                           key="sens_saved", label_visibility="collapsed")
        b1, b2 = st.columns(2)
        if b1.button(T("sens.open"), key="sens_open"):
            try:
                rec = store.load(sid, owner=owner, layers=False)
                _open_state(sweep_result(rec), rec.profile_id, name=rec.name,
                            created=rec.created)
            except Exception as exc:  # noqa: BLE001
                common.show_error(exc, title=T("sens.open_failed"))
        if b2.button(T("sens.delete"), key="sens_delete"):
            try:
                if store.delete(sid, owner=owner):
                    st.success(T("sens.deleted", name=by_id[sid]["name"]))
            except Exception as exc:  # noqa: BLE001
                common.show_error(exc, title=T("sens.delete_failed"))
        if login.team_mode() and by_id[sid].get("access") == "owner":
            _share_controls(sid, by_id[sid]["name"])

# ---------------------------------------------------------------- what to run
c1, c2, c3 = st.columns(3)
service = c1.radio(T("sc.service"), ["childcare", "eldercare", "both"], key="sens_service",
                   format_func=lambda s: T(f"sc.{s}"))
objective = c2.selectbox(T("sc.objective"), ["max_coverage", "min_cost", "p_median"],
                         key="sens_objective", format_func=lambda o: T(f"sc.obj.{o}"))
workers = c3.radio(T("sens.workers"), [1, 2], key="sens_workers", horizontal=True,
                   help=T("sens.workers_help"))
varied = st.multiselect(T("sens.vary"), list(VARY), default=_default_vary(objective, service),
                        max_selections=2, key=f"sens_vary_{objective}_{service}",
                        format_func=lambda n: param_label(n, LANG))
texts = {name: st.text_input(T("sens.values", name=param_label(name, LANG)),
                             value=_default_values(name, prof, "childcare" if service == "both"
                                                   else service), key=f"sens_values_{name}")
         for name in varied}

st.markdown(f"**{T('sens.base')}**")
base_svc = "childcare" if service == "both" else service
def_min, def_speed = service_defaults(prof, base_svc)
slots = iter(st.columns(4))  # the fields shown, left to right
budget = p = None
if objective == "max_coverage" and not {"budget", "p"} & set(varied):
    limit = next(slots).radio(T("sc.limit"), ["budget", "p"], key="sens_limit",
                              horizontal=True, format_func=lambda x: T(f"sc.{x}"))
    if limit == "p":
        p = int(next(slots).number_input(T("sc.p"), min_value=1, value=3, step=1,
                                         key="sens_p"))
    else:
        budget = float(next(slots).number_input(T("sc.budget"), min_value=0.0, value=1.0e7,
                                                step=1.0e6, key="sens_budget"))
elif objective == "p_median" and "p" not in varied:
    p = int(next(slots).number_input(T("sc.p"), min_value=1, value=5, step=1, key="sens_p"))
minutes = def_min if "minutes" in varied else next(slots).number_input(
    T("sc.minutes"), min_value=1.0, max_value=60.0, value=def_min, step=1.0,
    key="sens_minutes", format="%g")
time_limit = next(slots).number_input(T("sc.time_limit"), min_value=1.0, value=30.0,
                                      step=10.0, key="sens_time_limit", format="%g")

if not 1 <= len(varied) <= 2:
    st.info(T("sens.vary_count"))
if st.button(T("sens.run"), type="primary", key="sens_run", disabled=not 1 <= len(varied) <= 2):
    try:
        vary = _parse_values(varied, texts)
        st.caption(T("sens.n_runs", n=len(combinations(vary))))
        base = ScenarioParams(service=service, objective=objective, budget=budget, p=p,
                              minutes=None if float(minutes) == def_min else float(minutes),
                              time_limit=float(time_limit))
        bar = st.progress(0.0, text=T("sens.preparing"))

        def _progress(done: int, total: int, row: dict[str, Any]) -> None:
            bar.progress(done / max(total, 1), text=T("sens.progress", done=done, total=total,
                                                      run=run_label(row, LANG)))

        inputs = {"areas": layers["areas"], "facilities": layers.get("facilities"),
                  "candidates": layers.get("candidates"), "network": common.network(),
                  "profile": prof, "base": base, "vary": vary, "progress": _progress}
        if workers == 1:  # one by one in this process: no cluster to start
            result = run_sweep(workers=0, **inputs)
        else:  # worker threads of this process: HiGHS releases the GIL while it solves,
            # and worker processes would be spawned re-running this page as their __main__;
            # the cluster is closed when the block ends, also on an error or a rerun
            with dask_client(workers=int(workers), processes=False) as client:
                result = run_sweep(client=client, **inputs)
        _open_state(result, common.profile_id())
    except Exception as exc:  # noqa: BLE001
        st.session_state["sens_error"] = exc

if "sens_error" in st.session_state:
    common.show_error(st.session_state["sens_error"], title=T("sens.error"))

# ---------------------------------------------------------------- the result
state = st.session_state.get("sens")
if not state:
    st.stop()
result = state["result"]
if state.get("name"):
    st.info(T("sens.opened", name=state["name"], created=state.get("created", "")))
st.success(common.message(summary(result)))
for r in result["runs"]:
    if r["status"] == "failed":
        st.warning(T("sens.failed_run", run=run_label(r, LANG),
                     error=common.message(r.get("error"))))

st.subheader(T("sens.curve"))
st.caption(T("sens.curve_help"))
event = st.altair_chart(curve_chart(result, lang=LANG), on_select="rerun",
                        key=f"sens_chart_{state['tag']}")
clicked = [pt.get("index") for pt in (event or {}).get("selection", {}).get("point", [])
           if isinstance(pt, dict) and pt.get("index") is not None]
if clicked and clicked != state.get("clicked"):
    st.session_state["sens_point"] = int(clicked[0])
state["clicked"] = clicked

st.subheader(T("sens.runs"))
table = runs_table(result, lang=LANG)
money = {T("sens.col.cost"), param_label("budget", LANG)}
shown = {c: st.column_config.NumberColumn(format="localized" if c in money else "%.1f")
         for c in table.columns if table[c].dtype.kind == "f"}
st.dataframe(table, hide_index=True, column_config=shown)

runs = {int(r["index"]): r for r in result["runs"] if r["status"] != "failed"}
if runs:
    if st.session_state.get("sens_point") not in runs:
        st.session_state["sens_point"] = next(iter(runs))
    idx = st.selectbox(T("sens.point"), list(runs), key="sens_point",
                       format_func=lambda i: run_label(runs[i], LANG))
    row = runs[idx]
    st.subheader(T("sens.plan_of", run=run_label(row, LANG)))
    st.caption(T("sens.plan_rerun"))
    plan = state["plans"].get(idx)
    if plan is None:
        from planning.runs import run_scenario

        combo = row["params"]
        base = ScenarioParams(**result["base"])
        try:
            with st.spinner(T("sc.progress.solve")):
                plan = run_scenario(
                    areas=layers["areas"], facilities=layers.get("facilities"),
                    candidates=layers.get("candidates"), network=common.network(),
                    profile=profile_with_rates(common.profile_for(result.get("profile")),
                                               rates_of(combo)),
                    params=scenario_params(base, combo))
            state["plans"][idx] = plan
        except Exception as exc:  # noqa: BLE001
            common.show_error(exc, title=T("sens.plan_failed"))
    if plan is not None:
        from pages.plan_map import show_plan_map

        show_plan_map(plan, key=f"sens_plan_{idx}", height=480)
        st.markdown(f"**{T('sc.sites')}**")
        common.show_table(plan.sites[plan.sites["status"] == "proposed"])

# ---------------------------------------------------------------- save
base_params = result["base"]
default_name = state.get("name") or T(
    "sens.default_name", service=T(f"sc.{base_params.get('service', 'childcare')}"),
    vary="、".join(param_label(k, LANG) for k in result["vary"]))
name = st.text_input(T("sens.name"), value=default_name, key=f"sens_name_{state['tag']}")
if st.button(T("sens.save"), key="sens_save"):
    try:
        store.save(saved_sweep(result, name=name, profile_id=state.get("profile_id")),
                   owner=owner)
        st.success(T("sens.saved", name=name))
    except Exception as exc:  # noqa: BLE001
        common.show_error(exc)
