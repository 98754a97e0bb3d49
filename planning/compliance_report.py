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

from core.fileio import atomic_write, spreadsheet_safe
from errors import InputError
from planning.profiles import Profile

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
    reason: str = ""
    excess: float | None = None
    origin: str = ""
    rule_value: float | None = None
    rule_unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (numbers rounded to 6 decimals to drop floating-point noise)."""
        d = asdict(self)
        for key in ("required", "provided", "shortfall", "excess", "rule_value"):
            d[key] = _clean(d[key])
        if self.comparison == "at_least":
            d.pop("excess")
        return d


@dataclass
class DevelopmentResult:
    """Every rule's outcome for one development."""

    id: Any
    name: str
    area_type: str
    population: float
    population_source: str
    households: float
    households_source: str
    rules: list[RuleResult]
    not_checked: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``'compliant'``, ``'non_compliant'`` or ``'incomplete'``."""
        if any(r.status == "failed" for r in self.rules):
            return "non_compliant"
        if any(r.status == "not_provided" for r in self.rules):
            return "incomplete"
        return "compliant"

    @property
    def compliant(self) -> bool:
        """True when every applicable rule passed."""
        return self.status == "compliant"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": _json_id(self.id),
            "name": self.name,
            "area_type": self.area_type,
            "population": _clean(self.population),
            "population_source": self.population_source,
            "households": _clean(self.households),
            "households_source": self.households_source,
            "compliant": self.compliant,
            "status": self.status,
            "rules": [r.to_dict() for r in self.rules],
            "not_checked": list(self.not_checked),
            "warnings": list(self.warnings),
        }


@dataclass
class ComplianceReport:
    """Outcome of :func:`check_developments`; JSON via :meth:`to_dict`, tables via
    :meth:`to_frame`, files via :meth:`write`."""

    profile: Profile
    developments: list[DevelopmentResult]
    not_checked: list[dict[str, str]]
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of issue 2 (plus summary, statuses and reasons)."""
        n_ok = sum(d.compliant for d in self.developments)
        n_fail = sum(d.status == "non_compliant" for d in self.developments)
        return {
            "profile": self.profile.id,
            "profile_name": self.profile.name,
            "input": self.source,
            "summary": {
                "developments": len(self.developments),
                "compliant": n_ok,
                "non_compliant": n_fail,
                "incomplete": len(self.developments) - n_ok - n_fail,
            },
            "not_checked": list(self.not_checked),
            "developments": [d.to_dict() for d in self.developments],
        }

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
                    "provided": _clean(r.provided),
                    "shortfall": _clean(r.shortfall),
                    "unit": r.unit,
                    "reason": r.reason,
                    "source": r.source,
                })
        columns = ["development_id", "development_name", "area_type", "development_compliant",
                   "development_status", "rule", "kind", "service", "status", "passed",
                   "comparison", "required", "provided", "shortfall", "unit", "reason", "source"]
        return pd.DataFrame(rows, columns=columns)

    def summary_frame(self) -> pd.DataFrame:
        """One row per development: status, population and the failing rules."""
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
                "failed_rules": ", ".join(r.rule for r in d.rules if r.status == "failed"),
                "not_provided": ", ".join(r.rule for r in d.rules
                                          if r.status == "not_provided"),
                "not_checked": "; ".join(f"{x['kind']}: {x['reason']}" for x in d.not_checked),
                "warnings": "; ".join(d.warnings),
            })
        return pd.DataFrame(rows)

    def write(self, path: str | Path) -> Path:
        """Write the report as ``.json``, ``.csv`` (rows of :meth:`to_frame`, UTF-8 with BOM
        for Excel) or ``.xlsx`` (sheets summary, rules, not_checked, profile).

        The file appears only when complete: it is written to a temporary file in the same
        directory and moved into place.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in OUTPUT_SUFFIXES:
            raise InputError([f"output {path}: unsupported format {suffix or '(none)'}; "
                              f"use one of {', '.join(OUTPUT_SUFFIXES)}"])
        writers: dict[str, Callable[[Path], None]] = {
            ".json": self._write_json, ".csv": self._write_csv, ".xlsx": self._write_xlsx,
        }
        atomic_write(path, writers[suffix])
        return path

    def _write_json(self, tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, ensure_ascii=False, indent=2)
            fh.write("\n")

    def _write_csv(self, tmp: Path) -> None:
        spreadsheet_safe(self.to_frame()).to_csv(tmp, index=False, encoding="utf-8-sig")

    def _write_xlsx(self, tmp: Path) -> None:
        profile_rows = [{
            "rule": r.id, "kind": r.kind, "service": r.service, "area_type": r.area_type,
            "value": r.value, "unit": r.unit,
            "defined_in": r.origin, "source": str(r.source), "note": r.note,
        } for r in self.profile.rules]
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            spreadsheet_safe(self.summary_frame()).to_excel(xw, sheet_name="summary",
                                                            index=False)
            spreadsheet_safe(self.to_frame()).to_excel(xw, sheet_name="rules", index=False)
            nc = [dict(development="(all)", **x) for x in self.not_checked]
            for d in self.developments:
                nc.extend(dict(development=str(d.id), **x) for x in d.not_checked)
            spreadsheet_safe(pd.DataFrame(
                nc, columns=["development", "rule", "kind", "service", "reason"])
            ).to_excel(xw, sheet_name="not_checked", index=False)
            pd.DataFrame(profile_rows).to_excel(xw, sheet_name="profile", index=False)


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


