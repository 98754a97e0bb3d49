"""The 配建 compliance report: results per rule and development, and its files.

Made by :func:`planning.compliance.check_developments`; see that module for the statuses.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.fileio import atomic_write, json_safe, spreadsheet_safe
from core.messages import DEFAULT_LANGUAGE, Message, as_text
from errors import InputError
from planning.profiles import Profile

#: Statuses of a development that count as compliant (on every rule that decides a verdict).
COMPLIANT_STATUSES: tuple[str, ...] = ("compliant", "compliant_on_rules_checked")


def _msg(value: Any) -> Any:
    """A message as JSON (``{"code", "args", "text"}``), anything else as it is."""
    return value.to_json() if isinstance(value, Message) else value


def _record_json(record: dict[str, Any]) -> dict[str, Any]:
    return {k: _msg(v) for k, v in record.items()}


def joined(messages: list[Any]) -> Message | str:
    """Several messages as one (for a table cell rendered in the interface language)."""
    items = [m if isinstance(m, Message) else Message("text", {"text": str(m)})
             for m in messages]
    if not items:
        return ""
    out = items[-1]
    for m in reversed(items[:-1]):
        out = Message("policy.pair", {"a": m, "b": out})
    return out

#: Output formats :meth:`ComplianceReport.write` understands.
OUTPUT_SUFFIXES: tuple[str, ...] = (".json", ".csv", ".xlsx")


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule for one development (one element of ``rules`` in the JSON)."""

    rule: str
    kind: str
    service: str
    area_type: str
    status: str  # 'passed' | 'failed' | 'not_provided'
    passed: bool
    required: float | None
    provided: float | None
    shortfall: float | None
    comparison: str  # 'at_least' | 'at_most'
    unit: str
    source: str
    reason: Message | None = None
    excess: float | None = None
    origin: str = ""
    rule_value: float | None = None
    rule_unit: str = ""
    basis: str = "local_plan"
    strength: str = "mandatory"
    level: str = "development"
    adopted: bool = False
    decides: bool = True
    required_whole: int | None = None  # 托位: the least whole number meeting ``required``
    shortfall_whole: int | None = None  # 托位: whole places missing

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (numbers rounded to 6 decimals to drop floating-point noise);
        ``reason`` as ``{"code", "args", "text"}`` or null."""
        d = asdict(self)
        d["reason"] = self.reason.to_json() if self.reason is not None else None
        for key in ("required", "provided", "shortfall", "excess", "rule_value"):
            d[key] = _clean(d[key])
        if self.comparison == "at_least":
            d.pop("excess")
        if self.required_whole is None:
            d.pop("required_whole")
            d.pop("shortfall_whole")
        return d


@dataclass
class DevelopmentResult:
    """Every rule's outcome for one development."""

    id: Any
    name: str
    area_type: str
    population: float
    population_source: Message | str
    households: float
    households_source: Message | str
    rules: list[RuleResult]
    not_checked: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``'compliant'``, ``'compliant_on_rules_checked'``, ``'non_compliant'`` or
        ``'incomplete'``; only rules that decide a verdict count (see
        :mod:`planning.compliance`)."""
        deciding = [r for r in self.rules if r.decides]
        if any(r.status == "failed" for r in deciding):
            return "non_compliant"
        if any(r.status == "not_provided" for r in deciding):
            return "incomplete"
        if any(x.get("no_figure") for x in self.not_checked):
            return "compliant_on_rules_checked"
        return "compliant"

    @property
    def compliant(self) -> bool:
        """True when every applicable rule that decides a verdict passed (also when the plan
        states no figure for a rule of the development's area type: see ``status``)."""
        return self.status in COMPLIANT_STATUSES

    def failed(self, *, deciding: bool = True) -> list[RuleResult]:
        """The rules that failed (``deciding``: those that decide the verdict; else the
        others, reported as warnings)."""
        return [r for r in self.rules if r.status == "failed" and r.decides == deciding]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": _json_id(self.id),
            "name": self.name,
            "area_type": self.area_type,
            "population": _clean(self.population),
            "population_source": _msg(self.population_source),
            "households": _clean(self.households),
            "households_source": _msg(self.households_source),
            "compliant": self.compliant,
            "status": self.status,
            "rules": [r.to_dict() for r in self.rules],
            "not_checked": [_record_json(x) for x in self.not_checked],
            "warnings": [_msg(w) for w in self.warnings],
        }


@dataclass
class ComplianceReport:
    """Outcome of :func:`check_developments`; JSON via :meth:`to_dict`, tables via
    :meth:`to_frame`, files via :meth:`write`."""

    profile: Profile
    developments: list[DevelopmentResult]
    not_checked: list[dict[str, Any]]
    source: str | None = None

    def counts(self) -> dict[str, int]:
        """Developments by status."""
        out = {"developments": len(self.developments), "compliant": 0,
               "compliant_on_rules_checked": 0, "non_compliant": 0, "incomplete": 0}
        for d in self.developments:
            out[d.status] += 1
        out["with_warnings"] = sum(bool(d.warnings) for d in self.developments)
        return out

    def parameters_used(self) -> dict[str, Any]:
        """The conversion figures the check used, with their basis and source."""
        return {pid: self.profile.parameters[pid].describe()
                for pid in ("persons_per_household", "floor_area_per_person_m2")
                if pid in self.profile.parameters}

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: summary, parameters used, rules not checked, developments.

        Messages (reasons, warnings, not-checked reasons, population derivations) keep their
        stable ``code`` and ``args`` next to the English ``text``.
        """
        return json_safe({
            "profile": self.profile.id,
            "profile_name": self.profile.name,
            "input": self.source,
            "summary": self.counts(),
            "parameters_used": self.parameters_used(),
            "not_checked": [_record_json(x) for x in self.not_checked],
            "developments": [d.to_dict() for d in self.developments],
        })

    def to_frame(self) -> pd.DataFrame:
        """One row per development × rule."""
        rows = []
        for d in self.developments:
            for r in d.rules:
                rows.append({
                    "development_id": _json_id(d.id),
                    "development_name": d.name,
                    "area_type": d.area_type,
                    "development_compliant": d.compliant,
                    "development_status": d.status,
                    "rule": r.rule,
                    "kind": r.kind,
                    "service": r.service,
                    "status": r.status,
                    "passed": r.passed,
                    "comparison": r.comparison,
                    "required": _clean(r.required),
                    "required_whole": r.required_whole,
                    "provided": _clean(r.provided),
                    "shortfall": _clean(r.shortfall),
                    "shortfall_whole": r.shortfall_whole,
                    "unit": r.unit,
                    "strength": Message(f"policy.strength_{r.strength}"),
                    "basis": Message(f"policy.basis_{r.basis}"),
                    "decides": r.decides,
                    "reason": r.reason if r.reason is not None else "",
                    "source": r.source,
                })
        columns = ["development_id", "development_name", "area_type", "development_compliant",
                   "development_status", "rule", "kind", "service", "status", "passed",
                   "comparison", "required", "required_whole", "provided", "shortfall",
                   "shortfall_whole", "unit", "strength", "basis", "decides", "reason",
                   "source"]
        return pd.DataFrame(rows, columns=columns)

    def summary_frame(self, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
        """One row per development: status, population and the failing rules; the population
        derivation, the rules not checked and the warnings are messages, rendered in the
        interface language by :func:`core.texts.label_frame` (``lang`` is kept for callers
        of the first release)."""
        rows = []
        for d in self.developments:
            rows.append({
                "id": _json_id(d.id),
                "name": d.name,
                "area_type": d.area_type,
                "status": d.status,
                "compliant": d.compliant,
                "population": _clean(d.population),
                "population_source": d.population_source,
                "households": _clean(d.households),
                "households_source": d.households_source,
                "failed_rules": ", ".join(r.rule for r in d.failed()),
                "not_provided": ", ".join(r.rule for r in d.rules
                                          if r.status == "not_provided" and r.decides),
                "not_checked": joined([Message("policy.labelled", {
                    "label": x["kind"], "text": x["reason"]}) for x in d.not_checked]),
                "warnings": joined(list(d.warnings)),
            })
        return pd.DataFrame(rows)

    def not_checked_frame(self, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
        """The rules not checked: the profile's (for every development) and each
        development's (no figure for its area type), reasons rendered in ``lang``."""
        rows = [dict(development="(all)", **x) for x in self.not_checked]
        for d in self.developments:
            rows.extend(dict(development=str(d.id), **x) for x in d.not_checked)
        cols = ["development", "rule", "kind", "service", "level", "basis", "strength", "reason"]
        frame = pd.DataFrame(rows, columns=cols)
        frame["reason"] = frame["reason"].map(lambda v: as_text(v, lang))
        return frame

    def write(self, path: str | Path, *, lang: str = DEFAULT_LANGUAGE) -> Path:
        """Write the report as ``.json`` (codes kept), ``.csv`` (rows of :meth:`to_frame`,
        canonical columns, messages rendered in ``lang``, UTF-8 with BOM for Excel) or
        ``.xlsx`` (sheets summary, rules, not_checked, parameters, profile; messages rendered
        in ``lang``).

        The file appears only when complete: it is written to a temporary file in the same
        directory and moved into place.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in OUTPUT_SUFFIXES:
            raise InputError([f"output {path}: unsupported format {suffix or '(none)'}; "
                              f"use one of {', '.join(OUTPUT_SUFFIXES)}"])
        writers: dict[str, Callable[[Path], None]] = {
            ".json": self._write_json,
            ".csv": lambda tmp: self._write_csv(tmp, lang),
            ".xlsx": lambda tmp: self._write_xlsx(tmp, lang),
        }
        atomic_write(path, writers[suffix])
        return path

    def _write_json(self, tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, ensure_ascii=False, indent=2)
            fh.write("\n")

    @staticmethod
    def _rendered(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
        out = frame.copy()
        for col in out.columns:
            if out[col].dtype == object:
                out[col] = out[col].map(lambda v: as_text(v, lang)
                                        if isinstance(v, Message) else v)
        return out

    def _write_csv(self, tmp: Path, lang: str) -> None:
        frame = spreadsheet_safe(self._rendered(self.to_frame(), lang))
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")

    def _write_xlsx(self, tmp: Path, lang: str) -> None:
        from core.texts import label_frame

        profile_rows = [{
            "rule": r.id, "kind": r.kind, "service": r.service, "area_type": r.area_type,
            "value": r.value, "unit": r.unit, "basis": Message(f"policy.basis_{r.basis}"),
            "strength": Message(f"policy.strength_{r.strength}"),
            "level": Message(f"policy.level_{r.level}"), "defined_in": r.origin,
            "source": r.source.render(lang), "note": r.note,
        } for r in self.profile.rules]
        params = pd.DataFrame([{**p, "source": as_text(p["source"], lang)}
                               for p in self.parameters_used().values()])
        sheets = {
            "summary": self.summary_frame(lang), "rules": self.to_frame(),
            "not_checked": self.not_checked_frame(lang), "parameters": params,
            "profile": pd.DataFrame(profile_rows),
        }
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, frame in sheets.items():
                spreadsheet_safe(label_frame(frame, lang)).to_excel(xw, sheet_name=name,
                                                                 index=False)


def _clean(x: Any) -> Any:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    if math.isnan(f):
        return None
    r = round(f, 6)
    return int(r) if r.is_integer() and abs(r) < 2**53 else r


def _json_id(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    return x


