"""``python -m planning profiles``: list the policy profiles, or show one rule by rule.

Examples
--------
``python -m planning profiles`` lists id, name, parent and number of rules;
``python -m planning profiles show hefei`` prints every rule with value, unit, area type and
source, marking whether it is the profile's own or inherited; a path to a ``.toml`` file works
in place of an id (useful to check a profile file of one's own).
"""

from __future__ import annotations

import argparse
from typing import Any

from errors import InputError
from planning.profiles import KINDS, Profile, list_profiles, load_profile


def add_parser(subparsers: Any) -> None:
    """Register the ``profiles`` sub-command."""
    p = subparsers.add_parser(
        "profiles",
        help="list policy profiles, or show one with every rule and its source",
        description="List the policy profiles (national and local), or show one: every rule "
                    "and parameter with value, unit, area type and source.",
    )
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list",
                   help="list (default) or show")
    p.add_argument("profile", nargs="?", help="profile id or path of a .toml file (for show)")
    p.add_argument("--profile-dir", action="append", default=[], metavar="DIR",
                   help="further directory of profile files (repeatable); searched first")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the list, or one profile."""
    if args.action == "list":
        if args.profile:
            raise InputError([f"'profiles {args.profile}': did you mean "
                              f"'profiles show {args.profile}'?"])
        print(format_list(list_profiles(extra_dirs=args.profile_dir)))
        return 0
    if not args.profile:
        raise InputError(["'profiles show' needs a profile id or a .toml path"])
    print(format_profile(load_profile(args.profile, extra_dirs=args.profile_dir)))
    return 0


def format_list(profiles: list[Profile]) -> str:
    """One line per profile: id, parent, number of rules, name."""
    lines = [f"{'id':<12} {'parent':<10} {'rules':>5}  name"]
    for p in profiles:
        own = sum(1 for r in p.rules if r.origin == p.id)
        lines.append(f"{p.id:<12} {p.parent or '-':<10} {len(p.rules):>5}  "
                     f"{p.name} / {p.name_en}  ({own} own, {len(p.rules) - own} inherited"
                     + (f", {len(p.omitted)} omitted" if p.omitted else "") + ")")
    return "\n".join(lines)


def _value(x: float) -> str:
    return f"{x:g}"


def format_profile(p: Profile) -> str:
    """Every rule, omission, parameter and note of a profile, with sources."""
    out = [f"profile {p.id}: {p.name} / {p.name_en}",
           f"inherits: {' → '.join(p.chain)}",
           f"file: {p.path}"]
    if p.notes:
        out.append("notes:")
        out.extend(f"  - {n}" for n in p.notes)
    out.append("")
    out.append(f"rules ({len(p.rules)}):")
    for r in sorted(p.rules, key=lambda r: (r.service, KINDS[r.kind].scope, r.kind, r.id)):
        where = "local" if r.origin == p.id else f"inherited from {r.origin}"
        extra = "".join([f", per {r.admin_level}" if r.admin_level else "",
                         f", {r.facility_kind}" if r.facility_kind else ""])
        out.append(f"  [{where}] {r.id}: {r.service}, {r.kind}, area {r.area_type}: "
                   f"{_value(r.value)} {r.unit}{extra}  ({r.scope})")
        out.append(f"      basis {r.basis}, {r.strength}, level {r.level}"
                   + (f", target {r.target_year}" if r.target_year else "")
                   + (f", deadline {r.deadline}" if r.deadline else "")
                   + (f", only if {r.condition}" if r.condition else "")
                   + (" — a tool default: reference only unless applied on purpose"
                      if r.basis == "tool_default" and r.level == "development"
                      and not r.adopted else ""))
        out.append(f"      source: {r.source}")
        if r.source.url:
            out.append(f"      url: {r.source.url}")
        if r.note:
            out.append(f"      note: {r.note}")
    if p.omitted:
        out.append("")
        out.append("omitted (inherited rules this jurisdiction gives no figure for):")
        for o in p.omitted:
            tag = ("tool default not inherited" if o.automatic
                   else "local" if o.id else "no figure in the plan")
            out.append(f"  [{tag}] {o.id or o.service} ({o.kind}, area {o.area_type}): "
                       f"{o.reason}")
            if o.automatic:
                out.append(f"      apply it on purpose: --apply-default {o.id}")
            out.append(f"      source: {o.source}")
    out.append("")
    out.append(f"parameters ({len(p.parameters)}):")
    for prm in p.parameters.values():
        where = "local" if prm.origin == p.id else f"inherited from {prm.origin}"
        out.append(f"  [{where}] {prm.id} = {_value(prm.value)} {prm.unit}  (basis {prm.basis})")
        out.append(f"      source: {prm.source}")
        if prm.note:
            out.append(f"      note: {prm.note}")
    return "\n".join(out)
