"""Side rules on the set of open sites: groups (街道) and shares of site kinds.

The rules come from a policy profile through the caller (``planning``); here they are arrays
and the rows that enforce them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from optimizer.program import LinearProgram

TOL = 1e-6


@dataclass(frozen=True)
class CountRule:
    """At least ``min_open[g]`` open sites (existing ones count) in every group ``g``.

    Parameters
    ----------
    site_group : array of int
        Group (e.g. 街道) of every site, ``-1`` for none.
    min_open : array of int
        Least number of open sites in every group, indexed by group.
    site_mask : array of bool, optional
        Sites that count for this rule (e.g. only 普惠 ones); None: every site.
    label : str
        Short name of the rule in messages (e.g. a profile rule id).
    """

    site_group: np.ndarray
    min_open: np.ndarray
    site_mask: np.ndarray | None = None
    label: str = ""

    @property
    def group(self) -> np.ndarray:
        """Group of every site that counts for the rule, ``-1`` for the others."""
        g = np.asarray(self.site_group, dtype=np.int64)
        if self.site_mask is None:
            return g
        return np.where(np.asarray(self.site_mask, dtype=bool), g, -1)

    def count(self, is_open: np.ndarray) -> np.ndarray:
        """Open sites that count, per group."""
        g = self.group
        need = np.asarray(self.min_open)
        sel = (g >= 0) & np.asarray(is_open, dtype=bool)
        return np.bincount(g[sel], minlength=len(need))[:len(need)]

    def subset(self, sites: np.ndarray, min_open: np.ndarray | None = None) -> CountRule:
        """The rule over the sites ``sites`` (positions), optionally with other minima."""
        return CountRule(np.asarray(self.site_group)[sites],
                         self.min_open if min_open is None else min_open,
                         None if self.site_mask is None
                         else np.asarray(self.site_mask)[sites], self.label)


@dataclass
class SideRules:
    """Rules on the set of open sites, taken from a policy profile by the caller.

    Parameters
    ----------
    site_group : array of int, optional
        Group (e.g. 街道) of every site, ``-1`` for none.
    min_open_per_group : array of int, optional
        Least number of open sites (existing ones count) in every group, indexed by group;
        see :func:`sites_required_per_group` for "one site per N residents".
    site_kind : array of str, optional
        Kind of every site (e.g. ``'public'``, ``'puhui'``, ``'market'``).
    kind_shares : mapping, optional
        ``kind -> (lower, upper)`` bounds on the share of the total capacity of open sites
        that sites of that kind provide (``None`` for no bound on one side).
    counts : sequence of CountRule
        Further site-count rules, all applied together (e.g. one site of any kind per
        2万 residents and one 普惠 site per 街道); ``site_group`` with
        ``min_open_per_group`` is the first of them.
    """

    site_group: np.ndarray | None = None
    min_open_per_group: np.ndarray | None = None
    site_kind: np.ndarray | None = None
    kind_shares: Mapping[str, tuple[float | None, float | None]] | None = None
    counts: Sequence[CountRule] = field(default_factory=tuple)

    @property
    def count_rules(self) -> list[CountRule]:
        """Every site-count rule: the one of ``site_group`` first, then ``counts``."""
        first = ([CountRule(np.asarray(self.site_group, dtype=np.int64),
                            np.asarray(self.min_open_per_group))]
                 if self.site_group is not None and self.min_open_per_group is not None
                 else [])
        return first + list(self.counts)

    @property
    def has_groups(self) -> bool:
        """True when a least number of open sites per group is asked for."""
        return bool(self.count_rules)

    @property
    def has_shares(self) -> bool:
        """True when shares of site kinds are bounded."""
        return self.site_kind is not None and bool(self.kind_shares)


def sites_required_per_group(
    population: np.ndarray,
    area_group: np.ndarray,
    *,
    residents_per_site: float | None = None,
    at_least: int = 0,
    n_groups: int | None = None,
) -> np.ndarray:
    """Least number of sites every group needs: ``max(at_least, ceil(population / N))``.

    Parameters
    ----------
    population : array of float
        Residents of every area.
    area_group : array of int
        Group of every area (``0..G-1``; ``-1`` for none).
    residents_per_site : float, optional
        One site per this many residents (a profile parameter); None for no such rule.
    at_least : int
        Least number of sites in every group (e.g. 1 for "one per 街道").
    n_groups : int, optional
        Number of groups (default: ``max(area_group) + 1``).

    Returns
    -------
    array of int
        The least number of sites of every group.
    """
    g = np.asarray(area_group, dtype=np.int64)
    pop = np.nan_to_num(np.asarray(population, dtype=float))
    G = int(n_groups if n_groups is not None else (g.max() + 1 if len(g) else 0))
    ok = g >= 0
    total = np.bincount(g[ok], weights=pop[ok], minlength=G)
    need = np.full(G, int(at_least), dtype=np.int64)
    if residents_per_site:
        need = np.maximum(need, np.ceil(total / float(residents_per_site) - 1e-9).astype(np.int64))
    return need


def add_side_rules(lp: LinearProgram, rules: SideRules, exist: np.ndarray, y: np.ndarray,
                   x: np.ndarray | None) -> None:
    """Add the rows of ``rules`` over one service's site columns.

    Parameters
    ----------
    lp : LinearProgram
        The program to extend.
    rules : SideRules
        The rules.
    exist : array of float
        Existing capacity of every site (existing sites count as open).
    y, x : array of int
        Columns opening sites and adding capacity (``x`` None in the covering form, where
        share rules do not apply).
    """
    m = len(exist)
    existing = exist > TOL
    for rule in rules.count_rules:
        g = rule.group
        need = np.asarray(rule.min_open, dtype=float)
        have = np.bincount(g[(g >= 0) & existing], minlength=len(need))[:len(need)]
        rhs = need - have
        rows = np.flatnonzero(rhs > 0)
        if len(rows):
            pos = {gr: k for k, gr in enumerate(rows)}
            sel = np.flatnonzero((g >= 0) & ~existing & np.isin(g, rows))
            lp.add_rows(len(rows), np.array([pos[gr] for gr in g[sel]], dtype=np.int64),
                        y[sel], 1.0, lower=rhs[rows])
    if rules.site_kind is not None and rules.kind_shares and x is not None:
        kinds = np.asarray(rules.site_kind).astype(str)
        for kind, (lo, hi) in rules.kind_shares.items():
            ind = (kinds == str(kind)).astype(float)
            for b, sign in ((lo, 1.0), (hi, -1.0)):
                if b is None:
                    continue
                coef = sign * (ind - b)  # sign*(sum_K cap - b sum cap) >= 0
                lp.add_rows(1, np.zeros(m, np.int64), x, coef,
                            lower=-float(coef @ exist))


def count_shortfalls(rules: SideRules, can_open: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Groups where even every site that may open is too few for a site-count rule.

    Parameters
    ----------
    rules : SideRules
        The rules.
    can_open : array of bool
        Sites open or allowed to open (existing plus candidates).

    Returns
    -------
    list of (rule position, group, needed, available)
    """
    out = []
    for r, rule in enumerate(rules.count_rules):
        need = np.asarray(rule.min_open)
        have = rule.count(can_open)
        out += [(r, int(g), int(need[g]), int(have[g])) for g in np.flatnonzero(need > have)]
    return out


def repair_counts(is_open: np.ndarray, rules: SideRules, allowed: np.ndarray,
                  cost: np.ndarray | None = None) -> np.ndarray:
    """Open the cheapest allowed sites until every site-count rule holds (a heuristic start).

    A site counts for every rule it belongs to, so the rules are repaired one after another
    and earlier openings count for the later ones.  Groups that cannot be repaired are left
    short (the independent check then rejects the start).

    Parameters
    ----------
    is_open : array of bool
        Open sites of the plan (existing ones included).
    rules : SideRules
        The rules.
    allowed : array of bool
        Sites the plan may still open.
    cost : array of float, optional
        Cost of opening every site (cheapest first; default: by position).

    Returns
    -------
    array of bool
        The repaired open sites.
    """
    op = np.asarray(is_open, dtype=bool).copy()
    c = np.zeros(len(op)) if cost is None else np.asarray(cost, dtype=float)
    for rule in rules.count_rules:
        g = rule.group
        short = np.asarray(rule.min_open) - rule.count(op)
        for gr in np.flatnonzero(short > 0):
            pick = np.flatnonzero((g == gr) & ~op & np.asarray(allowed, dtype=bool))
            pick = pick[np.argsort(c[pick], kind="stable")][: int(short[gr])]
            op[pick] = True
    return op
