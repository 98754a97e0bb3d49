"""Policy profiles: each jurisdiction's provision rules as data, every figure with its source.

A profile is a TOML file in ``planning/profiles/`` (or in a directory or path the user gives);
its file name without ``.toml`` is its id. A profile names a ``parent`` (``national`` for the
local ones) and overrides the parent's rules and parameters by id; an ``[[omit]]`` entry removes
an inherited rule where the local document gives no figure. ``national.toml`` documents the
format. Figures never appear in code: they are read from these files.

Examples
--------
>>> p = load_profile("hefei")
>>> p.rule("eldercare_area_per_100_households", area_type="new").value
30.0
>>> p.param("persons_per_household")
2.62
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from core.messages import Message
from errors import ProblemCollector, ProfileError
from planning.profile_files import RawProfile, read_file
from planning.profile_model import (
    ADMIN_LEVELS,
    AREA_TYPES,
    BASES,
    CONDITIONS,
    FACILITY_KINDS,
    KINDS,
    LEVELS,
    PROFILE_DIR,
    REQUIRED_PARAMETERS,
    SERVICES,
    STRENGTHS,
    KindInfo,
    Omission,
    Parameter,
    Profile,
    Rule,
    Source,
)

#: The profile of the demo district (it lies in Hefei): the app's and ``--demo``'s default.
DEFAULT_PROFILE = "hefei"

__all__ = ["ADMIN_LEVELS", "AREA_TYPES", "BASES", "CONDITIONS", "DEFAULT_PROFILE",
           "FACILITY_KINDS", "KINDS", "LEVELS", "STRENGTHS",
           "PROFILE_DIR", "REQUIRED_PARAMETERS", "SERVICES", "KindInfo", "Omission",
           "Parameter", "Profile", "Rule", "Source", "list_profiles", "load_profile",
           "parameter_message"]


def _search_dirs(extra_dirs: Iterable[str | Path]) -> list[Path]:
    return [Path(d) for d in extra_dirs] + [PROFILE_DIR]


def _find(pid: str, dirs: list[Path]) -> Path | None:
    for d in dirs:
        p = d / f"{pid}.toml"
        if p.is_file():
            return p
    return None


def _available(dirs: list[Path]) -> list[str]:
    ids: set[str] = set()
    for d in dirs:
        if d.is_dir():
            ids.update(p.stem for p in d.glob("*.toml"))
    return sorted(ids)


def _peek_parent(path: Path) -> str | None:
    """The ``parent`` of a file (full validation, with every problem, if it does not parse)."""
    try:
        with open(path, "rb") as fh:
            parent = tomllib.load(fh).get("parent")
    except (OSError, tomllib.TOMLDecodeError):
        read_file(path)  # raises ProfileError naming the file
        raise
    return parent if isinstance(parent, str) and parent.strip() else None


def _looks_like_path(x: str | Path) -> bool:
    s = str(x)
    return isinstance(x, Path) or s.endswith(".toml") or "/" in s or "\\" in s


def load_profile(id_or_path: str | Path, *, extra_dirs: Iterable[str | Path] = ()) -> Profile:
    """Load a profile by id or by file path and resolve its parent chain.

    Parameters
    ----------
    id_or_path : str or Path
        A profile id (``'hefei'``) looked up in ``extra_dirs`` then in the shipped profiles, or
        the path of a ``.toml`` file. A file's parent is looked up in the file's own directory,
        then ``extra_dirs``, then the shipped profiles.
    extra_dirs : iterable of path, optional
        Further directories of profile files (searched before the shipped ones).

    Returns
    -------
    Profile

    Raises
    ------
    errors.ProfileError
        Unknown id, unreadable or malformed file (every problem, naming file, rule, field),
        unknown parent, a cycle in the parent chain, or a required parameter that does not
        resolve.
    """
    dirs = _search_dirs(extra_dirs)
    if _looks_like_path(id_or_path):
        path = Path(id_or_path)
        if not path.is_file():
            raise ProfileError([f"profile file {path} does not exist"])
        dirs = [path.parent, *dirs]
    else:
        found = _find(str(id_or_path), dirs)
        if found is None:
            raise ProfileError([
                f"unknown profile '{id_or_path}'; available: {', '.join(_available(dirs))}"
                " (or give the path of a .toml file)"
            ])
        path = found

    paths: list[Path] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in [q.resolve() for q in paths]:
            names = " → ".join(q.stem for q in paths) + f" → {current.stem}"
            raise ProfileError([f"parent chain has a cycle: {names}"], source=str(path))
        paths.append(current)
        parent = _peek_parent(current)
        if parent is None:
            current = None
        else:
            nxt = _find(parent, dirs)
            if nxt is None:
                raise ProfileError(
                    [f"parent profile '{parent}' not found; available: "
                     f"{', '.join(_available(dirs))}"],
                    source=str(current),
                )
            current = nxt
    # validate from the root down so that a file may cite its parents' [documents] aliases
    chain: list[RawProfile] = []
    documents: dict[str, Source] = {}
    for q in reversed(paths):
        raw = read_file(q, inherited_documents=documents)
        documents = raw.documents
        chain.insert(0, raw)
    return _merge(chain)


def _merge(chain: list[RawProfile]) -> Profile:
    """Apply a chain [child, parent, …, root] from the root down."""
    rules: dict[str, Rule] = {}
    params: dict[str, Parameter] = {}
    refs: dict[str, str] = {}
    omitted: dict[str, Omission] = {}
    ref_origin: dict[str, RawProfile] = {}
    for raw in reversed(chain):
        c = ProblemCollector(source=str(raw.path), error=ProfileError)
        for o in raw.omitted:
            if o.id not in rules:
                c.add(f"omit '{o.id}': no inherited rule with this id "
                      f"(inherited: {', '.join(rules) or 'none'})", field="id")
                continue
            gone = rules.pop(o.id)
            omitted[o.id] = replace(o, kind=gone.kind, service=gone.service,
                                    area_type=gone.area_type)
        for r in raw.rules:
            rules[r.id] = r
            omitted.pop(r.id, None)
        for p_id, p in raw.parameters.items():
            params[p_id] = p
            refs.pop(p_id, None)
        for p_id, rid in raw.param_refs.items():
            refs[p_id] = rid
            params.pop(p_id, None)
            ref_origin[p_id] = raw
        c.raise_if_any()

    me = chain[0]
    c = ProblemCollector(source=str(me.path), error=ProfileError)
    for p_id, rid in refs.items():
        ref = rules.get(rid)
        if ref is None:
            c.add(f"parameter '{p_id}': from_rule '{rid}' is not a rule of this profile",
                  field="from_rule", source=str(ref_origin[p_id].path))
            continue
        params[p_id] = Parameter(p_id, ref.value, ref.unit, ref.source,
                                 f"value of rule '{rid}'" + (f"; {ref.note}" if ref.note else ""),
                                 ref.origin, basis=ref.basis)
    for p_id in REQUIRED_PARAMETERS:
        if p_id not in params:
            c.add(f"required parameter '{p_id}' is not defined by the profile or its parents",
                  field="parameters")
    c.raise_if_any()
    # A local profile never silently inherits a tool default that decides verdicts on
    # developments: its plan states no figure, and the report says so (the planner may adopt
    # the default on purpose: Profile.adopt_defaults, `--apply-default`).
    for rid, r in list(rules.items()):
        if r.basis == "tool_default" and r.origin == me.id and me.parent is not None:
            # a profile of one's own that states a tool default applies it on purpose
            rules[rid] = replace(r, adopted=True)
            continue
        if r.basis == "tool_default" and r.level == "development" and r.origin != me.id:
            del rules[rid]
            omitted[rid] = Omission(
                rid, f"the plan of '{me.id}' states no figure; the tool default "
                     f"({r.value:g} {r.unit}, profile '{r.origin}') is not applied",
                r.source, origin=me.id, kind=r.kind, service=r.service, area_type=r.area_type,
                automatic=True, rule=r)
    # the profile's own statements that its plan gives no figure (with the plan's words)
    for o in me.no_figure:
        if not any(r.kind == o.kind and r.area_type == o.area_type
                   and r.service in (o.service, "both") for r in rules.values()):
            omitted[f"no_figure:{o.kind}:{o.area_type}"] = o
    return Profile(
        id=me.id,
        name=me.name,
        name_en=me.name_en,
        parent=me.parent,
        rules=tuple(rules.values()),
        parameters=dict(sorted(params.items())),
        omitted=tuple(omitted.values()),
        notes=me.notes,
        path=me.path,
        chain=tuple(r.id for r in chain),
    )


def list_profiles(*, extra_dirs: Iterable[str | Path] = ()) -> list[Profile]:
    """Every profile found in ``extra_dirs`` and the shipped directory, sorted by id.

    An id found in several directories is taken from the first (``extra_dirs`` before the
    shipped profiles). Problems in several files are reported together in one ProfileError.
    """
    dirs = _search_dirs(extra_dirs)
    profiles: list[Profile] = []
    problems = []
    for pid in _available(dirs):
        try:
            profiles.append(load_profile(pid, extra_dirs=extra_dirs))
        except ProfileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ProfileError(problems)
    return profiles


def parameter_message(profile: Profile, pid: str) -> Message:
    """A parameter as the planner sees it: figure, unit, basis and source (e.g. persons per
    household 2.62 人/户, national standard, 第七次全国人口普查公报).

    Raises
    ------
    errors.ProfileError
        When the profile has no such parameter.
    """
    prm = profile.parameter(pid)
    return Message("policy.parameter_used", {
        "param": pid, "value": f"{prm.value:g} {prm.unit}",
        "basis": Message(f"policy.basis_{prm.basis}"), "source": prm.source.shown()})
