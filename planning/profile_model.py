"""The data of a policy profile: rules, parameters, sources and the kinds of rule.

Read by :mod:`planning.profile_files` and merged by :func:`planning.profiles.load_profile`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.messages import DEFAULT_LANGUAGE, Message, as_text
from errors import ProfileError

#: Directory of the profiles shipped with the tool.
PROFILE_DIR: Path = Path(__file__).resolve().parent / "profiles"

SERVICES: tuple[str, ...] = ("childcare", "eldercare", "both")
AREA_TYPES: tuple[str, ...] = ("new", "old", "any")
ADMIN_LEVELS: tuple[str, ...] = ("street", "county", "city")
FACILITY_KINDS: tuple[str, ...] = ("public", "puhui", "market", "any")
#: What a figure rests on: the jurisdiction's own plan, a national standard or instrument
#: (cited), a figure the tool uses where no document gives one, or (at run time only) a figure
#: the planner supplied for this run.
BASES: tuple[str, ...] = ("local_plan", "national_standard", "tool_default")
RUN_BASES: tuple[str, ...] = (*BASES, "planner")
#: How binding a rule is: 不少于 / 不得低于 / 按照…标准 (mandatory); 原则上…为宜, 鼓励, 力争, 基本
#: (advisory: reported, never makes a development non-compliant).
STRENGTHS: tuple[str, ...] = ("mandatory", "advisory")
#: The level a rule is about, and so where it is checked: a single development (``check``), a
#: residential district of about 20,000 residents (GB 50180's 10-minute tier), a 街道, a county
#: or the whole city (coverage, plans' side rules, ``indicators``).
LEVELS: tuple[str, ...] = ("development", "residential_district", "street", "county", "city")
#: Conditions that narrow a development rule to the developments the clause names (a
#: development outside the condition gets "not applicable" with the reason). Keyed by the
#: condition's id; the value names the development field that decides it.
CONDITIONS: dict[str, str] = {
    # 「老城区和已建成无婴幼儿照护服务设施的居住小区」: only old 小区 without a child-care facility
    "no_existing_childcare": "existing_childcare_places",
}


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
    level : str
        Default level of a rule of this kind (see :data:`LEVELS`); a rule may say otherwise.
    share : bool
        Whether ``value`` is a share (0–1).
    """

    description: str
    scope: str
    comparison: str = "at_least"
    positive: bool = True
    level: str = "development"
    share: bool = False


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
        "one facility per `value` residents of a residential district (counted per 街道 in "
        "plans, never per development)", "district", level="residential_district"),
    "service_circle_minutes": KindInfo(
        "a facility within `value` minutes' walk of every residential area", "network",
        comparison="at_most", level="city"),
    "facilities_per_admin_unit": KindInfo(
        "at least `value` facilities per admin unit (see admin_level)", "district",
        level="street"),
    "eldercare_land_per_resident": KindInfo(
        "land (m²) for elder-care facilities per resident, by district and tier", "district",
        level="city"),
    "eldercare_beds_per_1000_elderly": KindInfo(
        "elder-care beds per 1000 elderly (planned elderly population)", "district",
        level="city"),
    "childcare_places_per_1000_citywide": KindInfo(
        "city-wide target: 托位 per 1000 population", "indicator", level="city"),
    "eldercare_beds_per_1000_elderly_target": KindInfo(
        "city-wide target: elder-care beds per 1000 elderly", "indicator", level="city"),
    "nursing_bed_share_target": KindInfo(
        "city-wide target: share (0–1) of nursing-type beds", "indicator", level="city",
        share=True),
    "places_share_by_kind": KindInfo(
        "city-wide target: share (0–1) of 托位 in facilities of facility_kind (普惠 …); "
        "scenarios may apply it as a side rule", "indicator", level="city", share=True),
    "coverage_share_target": KindInfo(
        "city-wide target: share (0–1) of residents (or communities) served by the service",
        "indicator", level="city", share=True),
    "compliance_rate_target": KindInfo(
        "city-wide target: share (0–1) of developments whose 配建 meets the standard",
        "indicator", level="city", share=True),
    "colocated_with_health": KindInfo(
        "each elder-care site on the same site as, or next to (同址或邻近), a health facility; "
        "`value` health facilities within the parameter health_colocation_max_m",
        "network", level="development"),
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

RULE_KEYS = {"id", "service", "kind", "area_type", "value", "unit", "source", "note",
              "admin_level", "facility_kind", "basis", "strength", "level", "target_year",
              "condition", "deadline"}
PARAM_KEYS = {"value", "unit", "source", "note", "from_rule", "basis"}
TOP_KEYS = {"id", "name", "name_en", "parent", "notes", "documents", "rules", "omit", "no_figure",
             "parameters"}


@dataclass(frozen=True)
class Source:
    """Where a figure comes from: document title and clause (quoted Chinese where possible).

    A source the tool writes itself (a figure the planner set for a run) has no document and
    a :class:`~core.messages.Message` as its clause, shown in the reader's language.
    """

    document: str
    clause: str | Message
    url: str | None = None

    def shown(self) -> str | Message:
        """The source as shown: the document and clause, or the tool's own message."""
        if isinstance(self.clause, Message) and not self.document:
            return self.clause
        return f"{self.document} {as_text(self.clause, 'en')}".strip()

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The source in ``lang`` (documents are quoted as written)."""
        return as_text(self.shown(), lang)

    def describe(self) -> str | dict[str, Any]:
        """For reports and JSON: the text, or the message's JSON form (``code``, ``args``,
        ``text``) that :func:`core.messages.as_text` shows in the reader's language."""
        shown = self.shown()
        return shown.to_json() if isinstance(shown, Message) else shown

    def __str__(self) -> str:
        return self.render("en")


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
    basis: str = "local_plan"
    strength: str = "mandatory"
    level: str = "development"
    target_year: int | None = None
    adopted: bool = False
    #: One of :data:`CONDITIONS`: the clause covers only developments that meet it.
    condition: str | None = None
    #: The year the clause sets for the provision (「于2025年前」, 「于2025年底前」, 「到2025年」),
    #: compared with a development's ``completion_year``. For an old-area rule it is the
    #: deadline of the stock renovation (a later completion is late, and the rule still
    #: applies); for a new-area rule it is when the standard is in force (it applies to every
    #: development completed later).
    deadline: int | None = None

    @property
    def scope(self) -> str:
        """``'development'``, ``'network'``, ``'district'`` or ``'indicator'`` (see KINDS)."""
        return KINDS[self.kind].scope

    @property
    def comparison(self) -> str:
        """``'at_least'`` or ``'at_most'``."""
        return KINDS[self.kind].comparison

    @property
    def decides(self) -> bool:
        """Whether the rule decides a verdict: mandatory, and not a tool default unless the
        planner adopted it on purpose (otherwise a failure is a warning)."""
        return self.strength == "mandatory" and (self.basis != "tool_default" or self.adopted)

    def describe(self) -> dict[str, object]:
        """Basis, strength and level of the rule, for reports."""
        return {"basis": self.basis, "strength": self.strength, "level": self.level,
                "adopted": self.adopted}


@dataclass(frozen=True)
class Parameter:
    """A named figure used in computations (persons per household, walking speed …)."""

    id: str
    value: float
    unit: str
    source: Source
    note: str = ""
    origin: str = ""
    basis: str = "local_plan"

    def describe(self) -> dict[str, object]:
        """Value, unit, basis and source of the parameter, for reports."""
        return {"id": self.id, "value": self.value, "unit": self.unit, "basis": self.basis,
                "source": self.source.describe(), "origin": self.origin}


@dataclass(frozen=True)
class Omission:
    """An inherited rule that a profile removes, with the reason from its own document.

    ``automatic`` omissions are the tool defaults a local profile does not inherit: its plan
    states no figure, so the rule is reported as such unless the planner adopts the default on
    purpose (:meth:`Profile.adopt_defaults`). ``rule`` keeps the removed rule.
    """

    id: str
    reason: str
    source: Source
    origin: str = ""
    kind: str = ""  # of the removed rule (filled in when the chain is resolved)
    service: str = ""
    area_type: str = ""
    automatic: bool = False
    rule: Rule | None = None


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

    def adopt_defaults(self, ids: Iterable[str]) -> Profile:
        """This profile with the tool-default rules ``ids`` applied on purpose.

        A tool default the profile did not inherit (its plan states no figure, e.g. Quzhou's
        old-area 托位) is restored; one it has (the national profile's 10 / 8) is marked as
        adopted. Either way the rule then decides verdicts and reports say it was applied on
        the planner's choice.

        Raises
        ------
        errors.ProfileError
            An id that is neither an omitted nor a present tool-default rule.
        """
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return self
        rules = list(self.rules)
        omitted = list(self.omitted)
        problems = []
        for rid in wanted:
            k = next((i for i, r in enumerate(rules) if r.id == rid), None)
            if k is not None and rules[k].basis == "tool_default":
                rules[k] = replace(rules[k], adopted=True)
                continue
            o = next((x for x in omitted if x.id == rid and x.rule is not None
                      and x.rule.basis == "tool_default"), None)
            if o is None or o.rule is None:
                defaults = sorted({r.id for r in rules if r.basis == "tool_default"}
                                  | {x.id for x in omitted if x.rule is not None
                                     and x.rule.basis == "tool_default"})
                problems.append(f"--apply-default {rid}: not a tool-default rule of profile "
                                f"'{self.id}' (tool defaults: {', '.join(defaults) or 'none'})")
                continue
            omitted.remove(o)
            rules.append(replace(o.rule, adopted=True))
        if problems:
            raise ProfileError(problems)
        return replace(self, rules=tuple(rules), omitted=tuple(omitted))

    def with_parameter(self, id: str, value: float) -> Profile:
        """This profile with parameter ``id`` set by the planner for this run (basis
        ``planner``), e.g. ``--persons-per-household``."""
        old = self.parameter(id)
        if not (value > 0):
            raise ProfileError([f"{id} must be > 0; got {value}"], source="command line")
        new = Parameter(id, float(value), old.unit,
                        Source("", Message("policy.source_planner_parameter",
                                           {"value": f"{old.value:g}"})),
                        old.note, origin="planner", basis="planner")
        return replace(self, parameters={**self.parameters, id: new})

    def with_planner_rule(self, kind: str, service: str, area_type: str, value: float,
                          unit: str) -> Profile:
        """This profile with a figure the planner supplied for an area type the plan states
        none for (basis ``planner``), so that demand is not silently zero."""
        rid = f"planner_{kind}_{area_type}"
        rule = Rule(id=rid, service=service, kind=kind, area_type=area_type, value=float(value),
                    unit=unit, source=Source("", Message("policy.source_planner_rule")),
                    origin="planner", basis="planner", strength="mandatory",
                    level=KINDS[kind].level, adopted=True)
        omitted = tuple(o for o in self.omitted
                        if not (o.kind == kind and o.area_type == area_type))
        return replace(self, rules=(*self.rules, rule), omitted=omitted)


