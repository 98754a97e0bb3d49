"""The data of a policy profile: rules, parameters, sources and the kinds of rule.

Read by :mod:`planning.profile_files` and merged by :func:`planning.profiles.load_profile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from errors import ProfileError

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

RULE_KEYS = {"id", "service", "kind", "area_type", "value", "unit", "source", "note",
              "admin_level", "facility_kind"}
PARAM_KEYS = {"value", "unit", "source", "note", "from_rule"}
TOP_KEYS = {"id", "name", "name_en", "parent", "notes", "documents", "rules", "omit",
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


