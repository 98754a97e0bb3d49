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

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from errors import ProblemCollector, ProfileError

#: Directory of the profiles shipped with the tool.
PROFILE_DIR: Path = Path(__file__).resolve().parent / "profiles"

SERVICES: tuple[str, ...] = ("childcare", "eldercare", "both")
AREA_TYPES: tuple[str, ...] = ("new", "old", "any")
ADMIN_LEVELS: tuple[str, ...] = ("street", "county", "city")
FACILITY_KINDS: tuple[str, ...] = ("public", "puhui", "market", "any")


@dataclass(frozen=True)
class KindInfo:
    """What a rule kind means and where it is checked.

    Parameters
    ----------
    description : str
        Meaning of ``value``.
    scope : str
        ``'development'`` (checked by :mod:`planning.compliance`), ``'network'`` (needs walking
        times: ``python -m planning access``), ``'district'`` (a planning rule for a district or
        admin unit) or ``'indicator'`` (a city-wide target).
    comparison : str
        ``'at_least'`` or ``'at_most'``: how what is provided is compared with the requirement.
    positive : bool
        Whether ``value`` must be strictly positive (otherwise non-negative).
    """

    description: str
    scope: str
    comparison: str = "at_least"
    positive: bool = True


#: Every rule kind a profile may use.
KINDS: dict[str, KindInfo] = {
    "childcare_places_per_1000": KindInfo(
        "child-care places (托位) per 1000 residents of the area or development", "development"),
    "eldercare_area_per_100_households": KindInfo(
        "community elder-care floor area (m²) per 100 households", "development"),
    "eldercare_min_site_area": KindInfo(
        "minimum floor area (m²) of every single elder-care site", "development"),
    "childcare_max_site_places": KindInfo(
        "maximum 托位 of one child-care site", "development", comparison="at_most"),
    "facilities_per_population": KindInfo(
        "one facility per `value` residents", "development"),
    "service_circle_minutes": KindInfo(
        "a facility within `value` minutes' walk of every residential area", "network",
        comparison="at_most"),
    "facilities_per_admin_unit": KindInfo(
        "at least `value` facilities per admin unit (see admin_level)", "district"),
    "eldercare_land_per_resident": KindInfo(
        "land (m²) for elder-care facilities per resident, by district and tier", "district"),
    "eldercare_beds_per_1000_elderly": KindInfo(
        "elder-care beds per 1000 elderly (planned elderly population)", "district"),
    "childcare_places_per_1000_citywide": KindInfo(
        "city-wide target: 托位 per 1000 population", "indicator"),
    "eldercare_beds_per_1000_elderly_target": KindInfo(
        "city-wide target: elder-care beds per 1000 elderly", "indicator"),
    "nursing_bed_share_target": KindInfo(
        "city-wide target: share (0–1) of nursing-type beds", "indicator"),
}

#: Parameters every profile resolves (through ``national``).
REQUIRED_PARAMETERS: tuple[str, ...] = (
    "persons_per_household",
    "walking_speed_m_per_min",
    "elderly_walking_speed_m_per_min",
    "childcare_service_minutes",
    "eldercare_service_minutes",
    "floor_area_per_person_m2",
    "elderly_share_60plus",
)

_RULE_KEYS = {"id", "service", "kind", "area_type", "value", "unit", "source", "note",
              "admin_level", "facility_kind"}
_PARAM_KEYS = {"value", "unit", "source", "note", "from_rule"}
_TOP_KEYS = {"id", "name", "name_en", "parent", "notes", "documents", "rules", "omit",
             "parameters"}


@dataclass(frozen=True)
class Source:
    """Where a figure comes from: document title and clause (quoted Chinese where possible)."""

    document: str
    clause: str
    url: str | None = None

    def __str__(self) -> str:
        return f"{self.document} {self.clause}".strip()


@dataclass(frozen=True)
class Rule:
    """One provision rule of a profile.

    ``origin`` is the id of the profile whose file defines the rule (differs from the profile's
    own id when the rule is inherited).
    """

    id: str
    service: str
    kind: str
    area_type: str
    value: float
    unit: str
    source: Source
    note: str = ""
    admin_level: str | None = None
    facility_kind: str | None = None
    origin: str = ""

    @property
    def scope(self) -> str:
        """``'development'``, ``'network'``, ``'district'`` or ``'indicator'`` (see KINDS)."""
        return KINDS[self.kind].scope

    @property
    def comparison(self) -> str:
        """``'at_least'`` or ``'at_most'``."""
        return KINDS[self.kind].comparison


@dataclass(frozen=True)
class Parameter:
    """A named figure used in computations (persons per household, walking speed …)."""

    id: str
    value: float
    unit: str
    source: Source
    note: str = ""
    origin: str = ""


@dataclass(frozen=True)
class Omission:
    """An inherited rule that a profile removes, with the reason from its own document."""

    id: str
    reason: str
    source: Source
    origin: str = ""
    kind: str = ""  # of the removed rule (filled in when the chain is resolved)
    service: str = ""
    area_type: str = ""


@dataclass(frozen=True)
class Profile:
    """A jurisdiction's rules and parameters, parent chain resolved."""

    id: str
    name: str
    name_en: str
    parent: str | None
    rules: tuple[Rule, ...]
    parameters: dict[str, Parameter]
    omitted: tuple[Omission, ...] = ()
    notes: tuple[str, ...] = ()
    path: Path | None = None
    chain: tuple[str, ...] = field(default_factory=tuple)

    def rule(
        self, kind: str, *, service: str | None = None, area_type: str = "any"
    ) -> Rule | None:
        """The rule of ``kind`` that applies to an area of ``area_type``, or None.

        With ``area_type='new'`` or ``'old'`` a rule for that area type wins over one for
        ``'any'``, and a rule for the other area type is never returned. With the default
        ``area_type='any'`` (no area in view, e.g. a site-size limit for candidate sites) a rule
        for every area type is returned if there is one, else the first rule of that kind
        whatever its area type (Hefei's 350 m² minimum is stated for new areas).
        """
        candidates = [
            r for r in self.rules
            if r.kind == kind and (service is None or r.service in (service, "both"))
        ]
        if area_type == "any":
            exact = [r for r in candidates if r.area_type == "any"]
            pool = exact or candidates
            return pool[0] if pool else None
        for wanted in (area_type, "any"):
            for r in candidates:
                if r.area_type == wanted:
                    return r
        return None

    def rules_for(
        self,
        *,
        kind: str | None = None,
        service: str | None = None,
        area_type: str | None = None,
    ) -> list[Rule]:
        """Rules filtered by kind, service (``'both'`` rules match either) and area type.

        ``area_type='new'`` returns the rules for new areas and those for ``'any'``.
        """
        out = []
        for r in self.rules:
            if kind is not None and r.kind != kind:
                continue
            if service is not None and r.service not in (service, "both"):
                continue
            if area_type is not None and r.area_type not in (area_type, "any"):
                continue
            out.append(r)
        return out

    def param(self, id: str) -> float:
        """Value of parameter ``id``; raises ProfileError naming the profile when absent."""
        try:
            return self.parameters[id].value
        except KeyError:
            raise ProfileError(
                [f"profile '{self.id}' has no parameter '{id}' "
                 f"(known: {', '.join(sorted(self.parameters))})"],
                source=str(self.path) if self.path else None,
            ) from None

    def parameter(self, id: str) -> Parameter:
        """The :class:`Parameter` ``id`` with its source; raises ProfileError when absent."""
        self.param(id)
        return self.parameters[id]

    def is_inherited(self, item: Rule | Parameter) -> bool:
        """Whether a rule or parameter comes from a parent profile's file."""
        return item.origin != self.id


# ---------------------------------------------------------------------- reading files


@dataclass
class _RawProfile:
    """One file, validated on its own, before inheritance."""

    id: str
    path: Path
    name: str
    name_en: str
    parent: str | None
    notes: tuple[str, ...]
    documents: dict[str, Source]
    rules: list[Rule]
    omitted: list[Omission]
    parameters: dict[str, Parameter]
    param_refs: dict[str, str]  # parameter id -> rule id (from_rule)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _read_source(
    raw: Any, documents: Mapping[str, Source], where: str, c: ProblemCollector
) -> Source | None:
    if not isinstance(raw, Mapping):
        c.add(f"{where}: source is required, as {{ document = ..., clause = ... }}",
              field="source")
        return None
    doc, clause, url = raw.get("document"), raw.get("clause"), raw.get("url")
    ok = True
    if not isinstance(doc, str) or not doc.strip():
        c.add(f"{where}: source.document is required (a title or a [documents] alias)",
              field="source.document")
        ok = False
    if not isinstance(clause, str) or not clause.strip():
        c.add(f"{where}: source.clause is required (section and quoted phrase)",
              field="source.clause")
        ok = False
    if url is not None and not isinstance(url, str):
        c.add(f"{where}: source.url must be a string", field="source.url")
        ok = False
    if not ok:
        return None
    assert isinstance(doc, str) and isinstance(clause, str)
    if doc in documents:
        d = documents[doc]
        return Source(d.document, clause, url or d.url)
    return Source(doc, clause, url)


def _read_file(path: Path, *, inherited_documents: Mapping[str, Source] | None = None
               ) -> _RawProfile:
    """Parse and validate one profile file on its own; collect every problem."""
    c = ProblemCollector(source=str(path), error=ProfileError)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        c.add("profile file does not exist")
        c.raise_if_any()
        raise AssertionError("unreachable") from None
    except tomllib.TOMLDecodeError as exc:
        c.add(f"not valid TOML: {exc}")
        c.raise_if_any()
        raise AssertionError("unreachable") from None

    pid = data.get("id", path.stem)
    if not isinstance(pid, str) or pid != path.stem:
        c.add(f"id {pid!r} must equal the file name without .toml ({path.stem!r})", field="id")
        pid = path.stem
    for key in sorted(set(data) - _TOP_KEYS):
        c.add(f"unknown top-level key (allowed: {', '.join(sorted(_TOP_KEYS))})", field=key)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        c.add("name is required (the jurisdiction's name)", field="name")
        name = pid
    name_en = data.get("name_en", name)
    if not isinstance(name_en, str):
        c.add("name_en must be a string", field="name_en")
        name_en = str(name)
    parent = data.get("parent")
    if parent is not None and (not isinstance(parent, str) or not parent.strip()):
        c.add("parent must be a profile id", field="parent")
        parent = None
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        c.add("notes must be a list of strings", field="notes")
        notes = []

    documents: dict[str, Source] = dict(inherited_documents or {})
    raw_docs = data.get("documents", {})
    if not isinstance(raw_docs, Mapping):
        c.add("documents must be a table of [documents.ALIAS] title = ...", field="documents")
        raw_docs = {}
    for alias, d in raw_docs.items():
        if not isinstance(d, Mapping) or not isinstance(d.get("title"), str) \
                or not d["title"].strip():
            c.add(f"document '{alias}': title is required", field="documents.title")
            continue
        url = d.get("url")
        documents[alias] = Source(d["title"], "", url if isinstance(url, str) else None)

    rules: list[Rule] = []
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        c.add("rules must be an array of tables ([[rules]])", field="rules")
        raw_rules = []
    seen: set[str] = set()
    for i, r in enumerate(raw_rules):
        rule = _read_rule(r, i, documents, pid, c)
        if rule is None:
            continue
        if rule.id in seen:
            c.add(f"rule '{rule.id}': duplicate rule id in this file", field="id")
            continue
        seen.add(rule.id)
        rules.append(rule)

    omitted: list[Omission] = []
    raw_omit = data.get("omit", [])
    if not isinstance(raw_omit, list):
        c.add("omit must be an array of tables ([[omit]])", field="omit")
        raw_omit = []
    for i, o in enumerate(raw_omit):
        where = f"omit #{i + 1}"
        if not isinstance(o, Mapping):
            c.add(f"{where}: must be a table", field="omit")
            continue
        oid = o.get("id")
        if not isinstance(oid, str) or not oid:
            c.add(f"{where}: id of the rule to omit is required", field="id")
            continue
        where = f"omit '{oid}'"
        reason = o.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            c.add(f"{where}: reason is required", field="reason")
        src = _read_source(o.get("source"), documents, where, c)
        if oid in seen:
            c.add(f"{where}: the file both defines and omits this rule", field="id")
        if isinstance(reason, str) and src is not None:
            omitted.append(Omission(oid, reason, src, pid))

    parameters: dict[str, Parameter] = {}
    refs: dict[str, str] = {}
    raw_params = data.get("parameters", {})
    if not isinstance(raw_params, Mapping):
        c.add("parameters must be a table of [parameters.ID]", field="parameters")
        raw_params = {}
    for p_id, p in raw_params.items():
        where = f"parameter '{p_id}'"
        if not isinstance(p, Mapping):
            c.add(f"{where}: must be a table", field=p_id)
            continue
        for key in sorted(set(p) - _PARAM_KEYS):
            c.add(f"{where}: unknown field (allowed: {', '.join(sorted(_PARAM_KEYS))})",
                  field=key)
        if "from_rule" in p:
            if not isinstance(p["from_rule"], str) or set(p) - {"from_rule", "note"}:
                c.add(f"{where}: from_rule must be a rule id and stand alone", field="from_rule")
            else:
                refs[p_id] = p["from_rule"]
            continue
        value: Any = p.get("value")
        if not _is_number(value):
            c.add(f"{where}: value must be a finite number, got {value!r}", field="value")
        elif value < 0:
            c.add(f"{where}: value must not be negative, got {value!r}", field="value")
        unit = p.get("unit")
        if not isinstance(unit, str) or not unit.strip():
            c.add(f"{where}: unit is required", field="unit")
        src = _read_source(p.get("source"), documents, where, c)
        note = p.get("note", "")
        if not isinstance(note, str):
            c.add(f"{where}: note must be a string", field="note")
            note = ""
        if _is_number(value) and value >= 0 and isinstance(unit, str) and unit.strip() \
                and src is not None:
            parameters[p_id] = Parameter(p_id, float(value), unit, src, note, pid)

    c.raise_if_any()
    return _RawProfile(pid, path, str(name), str(name_en), parent, tuple(notes), documents,
                       rules, omitted, parameters, refs)


def _read_rule(
    r: Any, i: int, documents: Mapping[str, Source], pid: str, c: ProblemCollector
) -> Rule | None:
    if not isinstance(r, Mapping):
        c.add(f"rule #{i + 1}: must be a table", field="rules")
        return None
    rid = r.get("id")
    if not isinstance(rid, str) or not rid.strip():
        c.add(f"rule #{i + 1}: id is required", field="id")
        rid = f"#{i + 1}"
    where = f"rule '{rid}'"
    n_before = len(c.problems)
    for key in sorted(set(r) - _RULE_KEYS):
        c.add(f"{where}: unknown field (allowed: {', '.join(sorted(_RULE_KEYS))})", field=key)
    service = r.get("service")
    if service not in SERVICES:
        c.add(f"{where}: service {service!r} is not one of {', '.join(SERVICES)}",
              field="service")
    kind = r.get("kind")
    if kind not in KINDS:
        c.add(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}", field="kind")
    area_type = r.get("area_type", "any")
    if area_type not in AREA_TYPES:
        c.add(f"{where}: area_type {area_type!r} is not one of {', '.join(AREA_TYPES)}",
              field="area_type")
    value: Any = r.get("value")
    if not _is_number(value):
        c.add(f"{where}: value must be a finite number, got {value!r}", field="value")
    elif kind in KINDS and KINDS[kind].positive and value <= 0:
        c.add(f"{where}: value must be positive for kind {kind}, got {value!r}", field="value")
    elif kind in ("nursing_bed_share_target",) and value > 1:
        c.add(f"{where}: value is a share and must be at most 1, got {value!r}", field="value")
    unit = r.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        c.add(f"{where}: unit is required", field="unit")
    note = r.get("note", "")
    if not isinstance(note, str):
        c.add(f"{where}: note must be a string", field="note")
    admin_level = r.get("admin_level")
    if kind == "facilities_per_admin_unit" and admin_level not in ADMIN_LEVELS:
        c.add(f"{where}: admin_level {admin_level!r} is required for kind "
              f"facilities_per_admin_unit, one of {', '.join(ADMIN_LEVELS)}",
              field="admin_level")
    elif admin_level is not None and admin_level not in ADMIN_LEVELS:
        c.add(f"{where}: admin_level {admin_level!r} is not one of {', '.join(ADMIN_LEVELS)}",
              field="admin_level")
    facility_kind = r.get("facility_kind")
    if facility_kind is not None and facility_kind not in FACILITY_KINDS:
        c.add(f"{where}: facility_kind {facility_kind!r} is not one of "
              f"{', '.join(FACILITY_KINDS)}", field="facility_kind")
    src = _read_source(r.get("source"), documents, where, c)
    if len(c.problems) > n_before or src is None:
        return None
    return Rule(id=str(rid), service=str(service), kind=str(kind), area_type=str(area_type),
                value=float(value), unit=str(unit), source=src, note=str(note),
                admin_level=admin_level, facility_kind=facility_kind, origin=pid)


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
        _read_file(path)  # raises ProfileError naming the file
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
    chain: list[_RawProfile] = []
    documents: dict[str, Source] = {}
    for q in reversed(paths):
        raw = _read_file(q, inherited_documents=documents)
        documents = raw.documents
        chain.insert(0, raw)
    return _merge(chain)


def _merge(chain: list[_RawProfile]) -> Profile:
    """Apply a chain [child, parent, …, root] from the root down."""
    rules: dict[str, Rule] = {}
    params: dict[str, Parameter] = {}
    refs: dict[str, str] = {}
    omitted: dict[str, Omission] = {}
    ref_origin: dict[str, _RawProfile] = {}
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
                                 ref.origin)
    for p_id in REQUIRED_PARAMETERS:
        if p_id not in params:
            c.add(f"required parameter '{p_id}' is not defined by the profile or its parents",
                  field="parameters")
    c.raise_if_any()
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


def with_rules(profile: Profile, rules: Iterable[Rule]) -> Profile:
    """A copy of ``profile`` with rules added or replaced by id (for scenarios and tests)."""
    by_id = {r.id: r for r in profile.rules}
    for r in rules:
        by_id[r.id] = r
    return replace(profile, rules=tuple(by_id.values()))
