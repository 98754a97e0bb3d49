"""Reading one profile file (TOML) and validating it on its own, before inheritance."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from errors import ProblemCollector, ProfileError
from planning.profile_model import (
    ADMIN_LEVELS,
    AREA_TYPES,
    BASES,
    CONDITIONS,
    FACILITY_KINDS,
    KINDS,
    LEVELS,
    PARAM_KEYS,
    RULE_KEYS,
    SERVICES,
    STRENGTHS,
    TOP_KEYS,
    Omission,
    Parameter,
    Rule,
    Source,
)

# ---------------------------------------------------------------------- reading files


@dataclass
class RawProfile:
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
    no_figure: list[Omission]  # declarations: the plan states no figure (kind, area type)
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


def read_file(path: Path, *, inherited_documents: Mapping[str, Source] | None = None
               ) -> RawProfile:
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
    for key in sorted(set(data) - TOP_KEYS):
        c.add(f"unknown top-level key (allowed: {', '.join(sorted(TOP_KEYS))})", field=key)
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

    no_figure: list[Omission] = []
    raw_nf = data.get("no_figure", [])
    if not isinstance(raw_nf, list):
        c.add("no_figure must be an array of tables ([[no_figure]])", field="no_figure")
        raw_nf = []
    for i, o in enumerate(raw_nf):
        where = f"no_figure #{i + 1}"
        if not isinstance(o, Mapping):
            c.add(f"{where}: must be a table", field="no_figure")
            continue
        kind, service, area_type = o.get("kind"), o.get("service"), o.get("area_type")
        ok = True
        if kind not in KINDS or KINDS[kind].scope != "development":
            c.add(f"{where}: kind {kind!r} must be a development rule kind", field="kind")
            ok = False
        if service not in SERVICES:
            c.add(f"{where}: service {service!r} is not one of {', '.join(SERVICES)}",
                  field="service")
            ok = False
        if area_type not in ("new", "old"):
            c.add(f"{where}: area_type must be 'new' or 'old', got {area_type!r}",
                  field="area_type")
            ok = False
        reason = o.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            c.add(f"{where}: reason is required", field="reason")
            ok = False
        src = _read_source(o.get("source"), documents, where, c)
        if ok and src is not None and isinstance(reason, str):
            no_figure.append(Omission("", reason, src, pid, kind=str(kind),
                                      service=str(service), area_type=str(area_type)))

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
        for key in sorted(set(p) - PARAM_KEYS):
            c.add(f"{where}: unknown field (allowed: {', '.join(sorted(PARAM_KEYS))})",
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
        basis = p.get("basis")
        if basis not in BASES:
            c.add(f"{where}: basis {basis!r} is required, one of {', '.join(BASES)}",
                  field="basis")
        if _is_number(value) and value >= 0 and isinstance(unit, str) and unit.strip() \
                and src is not None and basis in BASES:
            parameters[p_id] = Parameter(p_id, float(value), unit, src, note, pid,
                                         basis=str(basis))

    c.raise_if_any()
    return RawProfile(pid, path, str(name), str(name_en), parent, tuple(notes), documents,
                       rules, omitted, no_figure, parameters, refs)


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
    for key in sorted(set(r) - RULE_KEYS):
        c.add(f"{where}: unknown field (allowed: {', '.join(sorted(RULE_KEYS))})", field=key)
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
    elif kind in KINDS and KINDS[kind].share and value > 1:
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
    if kind == "places_share_by_kind" and facility_kind in (None, "any"):
        c.add(f"{where}: facility_kind (public, puhui or market) is required for kind "
              "places_share_by_kind", field="facility_kind")
    basis = r.get("basis")
    if basis not in BASES:
        c.add(f"{where}: basis {basis!r} is required, one of {', '.join(BASES)} (the "
              "jurisdiction's own plan, a cited national standard, or a figure the tool uses "
              "where no document gives one)", field="basis")
    strength = r.get("strength")
    if strength not in STRENGTHS:
        c.add(f"{where}: strength {strength!r} is required, one of {', '.join(STRENGTHS)} "
              "(不少于 / 不得低于 / 按照…标准: mandatory; 原则上…为宜, 鼓励, 力争, 基本: advisory)",
              field="strength")
    level = r.get("level")
    if level is None and kind in KINDS:
        level = (admin_level if kind == "facilities_per_admin_unit" and admin_level in LEVELS
                 else KINDS[kind].level)
    if level not in LEVELS and (level is not None or kind in KINDS):
        c.add(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}", field="level")
    elif kind in KINDS and KINDS[kind].scope == "development" and level != "development":
        c.add(f"{where}: a rule of kind {kind} is checked on developments; its level must be "
              f"development, not {level!r} (use a district kind for a rule about a larger area)",
              field="level")
    elif kind in KINDS and KINDS[kind].scope != "development" and level == "development" \
            and kind != "colocated_with_health":
        c.add(f"{where}: kind {kind} is not checked on single developments; level must not be "
              "development", field="level")
    target_year = r.get("target_year")
    if target_year is not None and (not isinstance(target_year, int)
                                    or isinstance(target_year, bool)):
        c.add(f"{where}: target_year must be a year, got {target_year!r}", field="target_year")
    condition = r.get("condition")
    if condition is not None and condition not in CONDITIONS:
        c.add(f"{where}: condition {condition!r} is not one of {', '.join(CONDITIONS)}",
              field="condition")
    elif condition is not None and kind in KINDS and KINDS[kind].scope != "development":
        c.add(f"{where}: a condition narrows a development rule; kind {kind} is not one",
              field="condition")
    deadline = r.get("deadline")
    if deadline is not None and (not isinstance(deadline, int) or isinstance(deadline, bool)):
        c.add(f"{where}: deadline must be a year, got {deadline!r}", field="deadline")
    src = _read_source(r.get("source"), documents, where, c)
    if len(c.problems) > n_before or src is None:
        return None
    return Rule(id=str(rid), service=str(service), kind=str(kind), area_type=str(area_type),
                value=float(value), unit=str(unit), source=src, note=str(note),
                admin_level=admin_level, facility_kind=facility_kind, origin=pid,
                basis=str(basis), strength=str(strength), level=str(level),
                target_year=target_year, condition=condition, deadline=deadline)


