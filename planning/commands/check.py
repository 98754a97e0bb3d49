"""``python -m planning check``: 配建 compliance of proposed developments under a profile.

Examples
--------
``python -m planning check --profile hefei --developments devs.gpkg --out report.json``
(also ``.csv`` / ``.xlsx``); ``python -m planning check --profile hefei --demo`` checks the
demo district's developments. Bad input exits with status 2, prints every problem and writes
nothing; ``--strict`` makes a non-compliant or incomplete development exit with status 1.
``--apply-default RULE_ID`` applies a tool default on purpose where the plan states no figure
(the report says so), ``--persons-per-household X`` sets the conversion of households to
residents for this run (the report shows the figure used), ``--lang`` the language of the
console summary and of the CSV / Excel texts (the JSON keeps message codes).
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from core.messages import Message, Quantity, as_text
from errors import InputError
from planning.compliance import OUTPUT_SUFFIXES, ComplianceReport, check_developments
from planning.profiles import Profile, load_profile


def add_profile_options(p: argparse.ArgumentParser) -> None:
    """``--apply-default`` and ``--persons-per-household``, shared by the commands."""
    p.add_argument("--apply-default", action="append", default=[], metavar="RULE_ID",
                   dest="apply_default",
                   help="apply a tool-default rule on purpose where the plan states no figure "
                        "(e.g. childcare_places_old under quzhou); repeatable; the report says "
                        "it was the planner's choice")
    p.add_argument("--persons-per-household", type=float, metavar="X",
                   dest="persons_per_household",
                   help="persons per household for converting households to residents in this "
                        "run (default: the profile's; the report shows the figure used)")


def profile_for_run(args: argparse.Namespace) -> Profile:
    """The profile of ``--profile`` with the run's options (adopted defaults, persons per
    household) applied."""
    profile = load_profile(args.profile, extra_dirs=getattr(args, "profile_dir", []) or [])
    return adjust_profile(profile, args)


def adjust_profile(profile: Profile, args: argparse.Namespace) -> Profile:
    """Apply ``--apply-default`` and ``--persons-per-household`` to ``profile``."""
    profile = profile.adopt_defaults(getattr(args, "apply_default", None) or [])
    pph = getattr(args, "persons_per_household", None)
    if pph is not None:
        profile = profile.with_parameter("persons_per_household", pph)
    return profile


def add_parser(subparsers: Any) -> None:
    """Register the ``check`` sub-command."""
    p = subparsers.add_parser(
        "check",
        help="check proposed developments for 配建 compliance with a policy profile",
        description="Check each development against every rule of the profile that applies to "
                    "it: 托位 per 1000 residents, elder-care m² per 100 households, minimum "
                    "elder-care site area, maximum 托位 per child-care site … with the "
                    "required figure (before rounding), what is provided, the shortfall and "
                    "the source of every rule.",
    )
    p.add_argument("--profile", required=True, metavar="ID",
                   help="profile id (national, chuzhou, xuanhan, quzhou, hefei, suizhou, or "
                        "your own) or the path of a .toml profile")
    p.add_argument("--profile-dir", action="append", default=[], metavar="DIR",
                   help="further directory of profile files (repeatable)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--developments", metavar="FILE",
                     help="developments: GeoPackage, GeoJSON, Shapefile or CSV (geometry "
                          "optional)")
    src.add_argument("--demo", action="store_true",
                     help="check the embedded demo district's developments")
    p.add_argument("--crs", help="CRS of the coordinates (wgs84, cgcs2000, gcj02, bd09, "
                                 "EPSG:xxxx) when the file has none or it is wrong")
    p.add_argument("--layer", help="layer of a multi-layer file (default: developments)")
    p.add_argument("--encoding", help="text encoding of the attribute table, e.g. GBK")
    p.add_argument("--out", metavar="FILE",
                   help=f"write the report ({', '.join(OUTPUT_SUFFIXES)}); written only when "
                        "the whole check succeeded")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1 when a development is not compliant")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the console summary and of CSV / Excel texts")
    add_profile_options(p)
    p.set_defaults(func=run)


def _read(args: argparse.Namespace) -> tuple[Any, str]:
    if args.demo:
        try:
            demo = importlib.import_module("geo.demo")
        except ModuleNotFoundError as exc:
            raise InputError([f"the demo data are not available ({exc})"]) from None
        data = demo.load_demo()
        return data["developments"], "demo: developments"
    io = importlib.import_module("geo.io")
    devs = io.read_developments(args.developments, crs=args.crs, layer=args.layer,
                                encoding=args.encoding)
    return devs, str(args.developments)


def run(args: argparse.Namespace) -> int:
    """Read, check, print a summary and write the report."""
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError([f"--out {out}: unsupported format '{out.suffix or '(none)'}'; use "
                          f"one of {', '.join(OUTPUT_SUFFIXES)}"])
    profile = profile_for_run(args)
    devs, source = _read(args)
    report = check_developments(devs, profile, source=source)
    if out is not None:
        report.write(out, lang=args.lang)
    print(format_summary(report, lang=args.lang))
    if out is not None:
        print(f"report written to {out}")
    if args.strict and not all(d.compliant for d in report.developments):
        return 1
    return 0


_WORDS = {
    "en": {"input": "input", "developments": "developments", "population": "population",
           "compliant": "compliant", "compliant_on_rules_checked": "compliant on the rules checked",
           "non_compliant": "non-compliant", "incomplete": "incomplete",
           "required": "required", "whole": "i.e.", "provided": "provided", "short": "short by",
           "excess": "excess", "not_evaluated": "not evaluated", "not_checked": "not checked",
           "warning": "warning", "profile_not_checked": "Rules not checked on developments",
           "parameters": "Figures used", "source": "source"},
    "zh": {"input": "输入", "developments": "个项目", "population": "人口",
           "compliant": "达标", "compliant_on_rules_checked": "已核查规则均达标",
           "non_compliant": "不达标", "incomplete": "资料不全",
           "required": "应配", "whole": "即", "provided": "已配", "short": "缺",
           "excess": "超出", "not_evaluated": "无法核查", "not_checked": "未核查",
           "warning": "提示", "profile_not_checked": "不在单个项目上核查的规则",
           "parameters": "所用参数", "source": "依据"},
}


def _rule_word(rule: object, lang: str) -> str:
    strength = Message(f"policy.strength_{getattr(rule, 'strength', 'mandatory')}").render(lang)
    basis = Message(f"policy.basis_{getattr(rule, 'basis', 'local_plan')}").render(lang)
    return f"[{strength}; {basis}]"


def format_summary(report: ComplianceReport, *, lang: str = "en") -> str:
    """A text summary in ``lang``: counts, one line per development, one per failing or
    unevaluated rule (whole 托位 for child care), the rules not checked with their reasons,
    warnings, and the conversion figures used with their basis."""
    w = _WORDS.get(lang, _WORDS["en"])
    s = report.counts()
    sep = "，" if lang == "zh" else ", "
    counts = sep.join(f"{w[k]} {s[k]}" for k in ("compliant", "compliant_on_rules_checked",
                                                  "non_compliant", "incomplete"))
    lines = [f"profile {report.profile.id} ({report.profile.name}); {w['input']} {report.source}",
             f"{s['developments']} {w['developments']}: {counts}"]
    for pid, prm in report.parameters_used().items():
        basis = Message(f"policy.basis_{prm['basis']}").render(lang)
        lines.append(f"{w['parameters']}: {pid} = {prm['value']:g} {prm['unit']} "
                     f"({basis}; {as_text(prm['source'], lang)})")
    for dev in report.developments:
        lines.append(f"  {dev.id} {dev.name} [{dev.area_type}, {w['population']} "
                     f"{dev.population:,.0f}]: {w[dev.status]}")
        for r in dev.rules:
            if not r.decides:
                continue
            if r.status == "failed":
                word = w["excess"] if r.comparison == "at_most" else w["short"]
                exact = abs((r.required_whole or 0) - (r.required or 0)) <= 1e-9
                if r.required_whole is not None and not exact:
                    req = (f"{r.required:g} {r.unit} ({w['whole']} {r.required_whole} "
                           f"{r.unit})")
                    gap = f"{r.shortfall_whole} {r.unit}"
                elif r.required_whole is not None:
                    req = f"{r.required_whole} {r.unit}"
                    gap = f"{r.shortfall_whole} {r.unit}"
                else:
                    req = f"{r.required:g} {r.unit}"
                    gap = f"{Quantity(r.shortfall or 0.0, 'm2', 2).render(lang)}" \
                        if r.unit == "m²" else f"{r.shortfall:.6g} {r.unit}"
                lines.append(f"      {r.rule} {_rule_word(r, lang)}: {w['required']} {req}, "
                             f"{w['provided']} {r.provided:g} {r.unit}, {word} {gap}")
                lines.append(f"        {w['source']}: {r.source}")
            elif r.status == "not_provided":
                reason = r.reason.render(lang) if r.reason is not None else ""
                lines.append(f"      {r.rule}: {w['not_evaluated']} — {reason}")
        for x in dev.not_checked:
            lines.append(f"      ({x['kind']} {w['not_checked']}: "
                         f"{as_text(x['reason'], lang)})")
        for m in dev.warnings:
            lines.append(f"      {w['warning']}: {m.render(lang)}")
    if report.not_checked:
        lines.append(f"{w['profile_not_checked']}:")
        for x in report.not_checked:
            basis = Message(f"policy.basis_{x['basis']}").render(lang)
            lines.append(f"  {x['rule']} ({basis}): {x['reason'].render(lang)}")
    return "\n".join(lines)
