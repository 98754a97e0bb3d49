"""Side rules on the set of open sites: groups (街道) and shares of site kinds.

The rules come from a policy profile through the caller (``planning``); here they are arrays
and the rows that enforce them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from optimizer.program import LinearProgram

TOL = 1e-6


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
    """

    site_group: np.ndarray | None = None
    min_open_per_group: np.ndarray | None = None
    site_kind: np.ndarray | None = None
    kind_shares: Mapping[str, tuple[float | None, float | None]] | None = None

    @property
    def has_groups(self) -> bool:
        """True when a least number of open sites per group is asked for."""
        return self.site_group is not None and self.min_open_per_group is not None

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
    if rules.site_group is not None and rules.min_open_per_group is not None:
        g = np.asarray(rules.site_group, dtype=np.int64)
        need = np.asarray(rules.min_open_per_group, dtype=float)
        existing = exist > TOL
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
