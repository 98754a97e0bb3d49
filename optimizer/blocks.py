r"""Constraint blocks shared by the models: one service's columns and rows.

Two forms.  The *assignment* form (:func:`assignment_block`) has :math:`y_j` (open or
enlarge), :math:`x_j` (capacity added), :math:`z_{kj}` (requirement of class *k* served at
*j*) and, soft, :math:`u_k` (unmet); capacity rows :math:`\sum_k z_{kj} \le e_j + x_j`,
bounds :math:`\max(L_j-e_j,0)\,y_j \le x_j \le (U_j - e_j)\,y_j` and the strong linking rows
:math:`z_{kj} \le \min(q_k, \ldots)\,y_j`.  The *covering* form (:func:`cover_block`)
applies when capacity never binds: no assignment columns, only :math:`y_j` and covering rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from optimizer.classes import DemandClasses, aggregate
from optimizer.inputs import TOL, ServiceData
from optimizer.program import LinearProgram
from optimizer.rules import add_side_rules


@dataclass
class Block:
    """The columns one service added to a program (indices into its column vector).

    Attributes
    ----------
    svc : ServiceData
        The service.
    agg : DemandClasses
        Its demand classes.
    y, x : array of int
        Columns opening (or enlarging) every site and adding capacity.
    z : array of int or None
        Assignment columns of every class pair; None in the covering form.
    u : array of int or None
        Unmet columns (soft forms): per class, or per class to cover in the covering form.
    w : array of int or None
        Coverage columns of the covering form of maximum coverage.
    todo : array of int or None
        Classes the covering form has to cover (not reached by an existing site).
    """

    svc: ServiceData
    agg: DemandClasses
    y: np.ndarray
    x: np.ndarray
    z: np.ndarray | None = None
    u: np.ndarray | None = None
    w: np.ndarray | None = None
    todo: np.ndarray | None = None

    @property
    def covering(self) -> bool:
        """True for the covering form (no assignment columns)."""
        return self.z is None


@dataclass(frozen=True)
class BlockForm:
    """How a model wants one service's block.

    Attributes
    ----------
    mode : {'cover', 'coverage'}
        Serve every requirement (``=`` rows), or at most it (``<=`` rows).
    soft : bool
        Unmet requirement allowed at ``penalty`` per unit (cover mode).
    penalty : float
        Cost per unit unmet.
    costs_in_objective : bool
        Fixed and unit costs enter the objective.
    cover_form : bool
        Use the covering form when capacity never binds.
    dominance_cost : array of float, optional
        Cost by which sites compare in the covering reductions (None = no reduction).
    serve_all : bool
        Coverage mode: every requirement must still be served (the hard form of maximum
        coverage, where unmet demand is not allowed).
    """

    mode: str = "cover"
    soft: bool = False
    penalty: float = 0.0
    costs_in_objective: bool = True
    cover_form: bool = True
    dominance_cost: np.ndarray | None = None
    serve_all: bool = False


def capacity_bounds(svc: ServiceData,
                    reach_dem: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Room to add at every site, capacity worth adding, and least addition when opened.

    The capacity worth adding is the requirement in reach; the least addition makes an
    opened site reach its minimum size.  In whole units when the service's capacity is
    integer (floor of the room, ceilings of the others).
    """
    room = np.maximum(svc.hi - svc.exist, 0.0)
    need = np.maximum(reach_dem - svc.exist, 0.0)
    add_lo = np.maximum(svc.lo - svc.exist, 0.0)
    if svc.integer:
        with np.errstate(invalid="ignore"):
            room = np.where(np.isfinite(room), np.floor(room + 1e-9), room)
        need = np.ceil(need - 1e-9)
        add_lo = np.ceil(add_lo - 1e-9)
    return room, need, add_lo


def uncapacitated(svc: ServiceData, reach_dem: np.ndarray) -> bool:
    """True when capacity never binds.

    That is: every site may grow to the demand in its reach at no unit cost and with no
    minimum size, and no share rule needs capacities.
    """
    room, need, _ = capacity_bounds(svc, reach_dem)
    return bool(
        ((svc.exist >= reach_dem - TOL) | (room >= need - TOL)).all()
        and (svc.unit <= 0).all() and (svc.lo <= svc.exist + TOL).all()
        and not svc.rules.has_shares
    )


def default_penalty(svc: ServiceData) -> float:
    """Per unit unmet: dearer than opening any site to serve one unit, plus its unit cost."""
    per_site = svc.fixed + svc.unit * np.maximum(svc.lo, 1.0)
    return float((per_site.max() if len(per_site) else 0.0) + svc.unit.max(initial=0.0) + 1.0)


def service_block(lp: LinearProgram, svc: ServiceData, form: BlockForm, *,
                  aggregate_areas: bool = True, strong: bool = True) -> Block:
    """Add one service's columns and rows in the form that fits (see the module notes).

    Parameters
    ----------
    lp : LinearProgram
        The program to extend.
    svc : ServiceData
        The service.
    form : BlockForm
        What the model wants.
    aggregate_areas : bool
        Merge areas with identical reach.
    strong : bool
        Add the strong linking rows in the assignment form.

    Returns
    -------
    Block
        The columns added.
    """
    agg = aggregate(svc, with_cost=False, enabled=aggregate_areas)
    reach_dem = agg.reach_demand(len(svc.fixed))
    if form.cover_form and uncapacitated(svc, reach_dem):
        return cover_block(lp, svc, agg, form)
    return assignment_block(lp, svc, agg, form, strong=strong)


def assignment_block(lp: LinearProgram, svc: ServiceData, agg: DemandClasses,
                     form: BlockForm, *, strong: bool = True) -> Block:
    """Add the assignment form of one service (columns y, x, z and, soft, u)."""
    m = len(svc.fixed)
    reach_dem = agg.reach_demand(m)
    room, need, add_lo = capacity_bounds(svc, reach_dem)
    add_hi = np.minimum(room, need)
    add_hi = np.maximum(add_hi, np.where(add_lo <= room, add_lo, 0.0))
    can = (room > TOL) & (reach_dem > TOL) & (add_lo <= room + TOL)
    y = lp.add_cols(m, cost=svc.fixed if form.costs_in_objective else 0.0, lower=0.0,
                    upper=can.astype(float), integer=True)
    x = lp.add_cols(m, cost=svc.unit if form.costs_in_objective else 0.0, lower=0.0,
                    upper=np.where(can, add_hi, 0.0), integer=svc.integer)
    P = len(agg.k)
    z = lp.add_cols(P, cost=0.0)
    K = agg.K
    u = None
    if form.mode == "cover":
        if form.soft:
            u = lp.add_cols(K, cost=form.penalty)
            lp.add_rows(K, np.concatenate([agg.k, np.arange(K)]), np.concatenate([z, u]),
                        1.0, lower=agg.q, upper=agg.q)
        else:
            lp.add_rows(K, agg.k, z, 1.0, lower=agg.q, upper=agg.q)
    else:
        lp.add_rows(K, agg.k, z, 1.0, lower=agg.q if form.serve_all else -np.inf,
                    upper=agg.q)
    # capacity: sum z - x <= e
    lp.add_rows(m, np.concatenate([agg.j, np.arange(m)]), np.concatenate([z, x]),
                np.concatenate([np.ones(P), -np.ones(m)]), upper=svc.exist)
    # x <= hi * y ; x >= lo * y
    lp.add_rows(m, np.r_[np.arange(m), np.arange(m)], np.r_[x, y],
                np.r_[np.ones(m), -np.where(can, add_hi, 0.0)], upper=0.0)
    need_lo = np.flatnonzero(can & (add_lo > TOL))
    if len(need_lo):
        r = np.arange(len(need_lo))
        lp.add_rows(len(need_lo), np.r_[r, r], np.r_[x[need_lo], y[need_lo]],
                    np.r_[np.ones(len(need_lo)), -add_lo[need_lo]], lower=0.0)
    if strong:
        # z_kj <= min(q_k, largest addition at j) y_j: a class larger than a site's room
        # (merged classes often are) gets the room as its coefficient, which is tighter
        new = np.flatnonzero((svc.exist[agg.j] <= TOL) & can[agg.j])
        r = np.arange(len(new))
        coef = np.minimum(agg.q[agg.k[new]], add_hi[agg.j[new]])
        lp.add_rows(len(new), np.r_[r, r], np.r_[z[new], y[agg.j[new]]],
                    np.r_[np.ones(len(new)), -coef], upper=0.0, lazy=True)
    add_side_rules(lp, svc.rules, svc.exist, y, x)
    return Block(svc, agg, y, x, z=z, u=u)


def _class_positions(K: int, todo: np.ndarray) -> np.ndarray:
    pos = np.full(K, -1)
    pos[todo] = np.arange(len(todo))
    return pos


def cover_block(lp: LinearProgram, svc: ServiceData, agg: DemandClasses,
                form: BlockForm) -> Block:
    r"""Add the set-covering form for unlimited capacity: no assignment variables.

    Cover: :math:`\sum_{j\in N(k)} y_j \ge 1` for every class not reached by an existing
    site (soft: plus :math:`v_k \in [0,1]` at ``penalty * q_k``).  Coverage:
    :math:`w_k \le \sum_{j\in N(k)} y_j`, maximise :math:`\sum_k q_k w_k`.  Exact: with
    capacity unlimited every class is served whole by any open site in reach.

    With ``form.dominance_cost`` and no group rule, the classic set-covering reductions run
    first (see :func:`reduce_cover`): dominated sites are closed, and in the hard cover form
    dominated classes dropped and sites that alone reach some class opened.
    """
    m = len(svc.fixed)
    existing = svc.exist > TOL
    reach_dem = agg.reach_demand(m)
    can = ~existing & (reach_dem > TOL)
    y = lp.add_cols(m, cost=svc.fixed if form.costs_in_objective else 0.0, lower=0.0,
                    upper=can.astype(float), integer=True)
    x = lp.add_cols(m, upper=0.0)
    K = agg.K
    covered = np.zeros(K, dtype=bool)
    covered[agg.k[existing[agg.j]]] = True
    todo = np.flatnonzero(~covered & (agg.q > TOL))
    pos = _class_positions(K, todo)
    sel = np.flatnonzero((pos[agg.k] >= 0) & can[agg.j])
    if form.dominance_cost is not None and len(todo) and not svc.rules.has_groups:
        hard = form.mode == "cover" and not form.soft
        keep_row, closed, forced = reduce_cover(
            pos[agg.k[sel]], agg.j[sel], len(todo), m, form.dominance_cost, can,
            rows_too=hard)
        lp.set_block("lower", y, forced.astype(float))
        lp.set_block("upper", y, np.where(closed, 0.0, can.astype(float)))
        if hard:
            todo = todo[keep_row]
            pos = _class_positions(K, todo)
        sel = np.flatnonzero((pos[agg.k] >= 0) & can[agg.j] & ~closed[agg.j])
    u = w = None
    rows, cols = pos[agg.k[sel]], y[agg.j[sel]]
    if form.mode == "cover":
        if form.soft:
            u = lp.add_cols(len(todo), cost=form.penalty * agg.q[todo], upper=1.0)
            lp.add_rows(len(todo), np.r_[rows, np.arange(len(todo))], np.r_[cols, u], 1.0,
                        lower=1.0)
        else:
            lp.add_rows(len(todo), rows, cols, 1.0, lower=1.0)
    else:
        w = lp.add_cols(len(todo), cost=-agg.q[todo], lower=1.0 if form.serve_all else 0.0,
                        upper=1.0)
        lp.add_rows(len(todo), np.r_[rows, np.arange(len(todo))], np.r_[cols, w],
                    np.r_[-np.ones(len(sel)), np.ones(len(todo))], upper=0.0)
        lp.offset -= float(agg.q[covered].sum())
    add_side_rules(lp, svc.rules, svc.exist, y, None)
    return Block(svc, agg, y, x, u=u, w=w, todo=todo)


def cover_pairs(blk: Block, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Reach pairs of the covering form restricted to the ``allowed`` sites.

    Returns
    -------
    rows, sites : array of int
        Position among the block's classes to cover, and site, of every pair.
    n_rows : int
        Number of classes to cover.
    """
    agg = blk.agg
    todo = blk.todo if blk.todo is not None else np.zeros(0, dtype=np.int64)
    pos = _class_positions(agg.K, todo)
    sel = np.flatnonzero((pos[agg.k] >= 0) & allowed[agg.j])
    return pos[agg.k[sel]], agg.j[sel], len(todo)


def reduce_cover(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int,
                 cost: np.ndarray, can: np.ndarray, *, rows_too: bool,
                 max_rounds: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Set-covering reductions: dominated columns, dominated rows, forced columns.

    A site is *dominated* when another site reaches every class it reaches at no higher
    cost (ties broken by larger reach, then index, so one of equal sites survives); it can
    be closed in any covering or coverage problem without a rule on particular sites.  In
    the hard covering form (``rows_too``) also: a class whose reach contains another
    class's reach is covered whenever that one is (dropped), and a class with one site left
    forces that site open (its classes dropped).  Repeated until nothing changes.

    Returns
    -------
    rows_kept, closed, forced : array of bool
        The mask of rows kept, and of columns closed and forced open.
    """
    B = sp.csr_matrix((np.ones(len(row)), (row, col)), shape=(n_rows, n_cols))
    B.data[:] = 1.0
    rows = np.ones(n_rows, dtype=bool)
    cols = can.copy()
    forced = np.zeros(n_cols, dtype=bool)
    for _ in range(max_rounds):
        ridx, cidx = np.flatnonzero(rows), np.flatnonzero(cols)
        Bs = B[ridx][:, cidx].tocsr()
        nr = np.diff(Bs.indptr)
        if rows_too:
            sing = np.flatnonzero(nr == 1)
            if len(sing):
                fj = np.unique(Bs.indices[Bs.indptr[sing]])
                forced[cidx[fj]] = True
                cols[cidx[fj]] = False
                rows[ridx[np.asarray(Bs[:, fj].sum(axis=1)).ravel() > 0]] = False
                continue
        dom = _dominated_columns(Bs, cost[cidx])
        if len(dom):
            cols[cidx[dom]] = False
            continue
        if rows_too:
            drop = _dominated_rows(Bs, nr)
            if len(drop):
                rows[ridx[drop]] = False
                continue
        break
    return rows, can & ~cols & ~forced, forced


def _dominated_columns(Bs: sp.csr_matrix, cost: np.ndarray) -> np.ndarray:
    """Columns whose rows another column covers at no higher cost (and empty columns)."""
    nc = np.asarray(Bs.sum(axis=0)).ravel()
    C = (Bs.T @ Bs).tocoo()
    i, j, v = C.row, C.col, C.data
    ci, cj = cost[i], cost[j]
    better = (cj < ci) | ((cj == ci) & ((nc[j] > nc[i]) | ((nc[j] == nc[i]) & (j < i))))
    return np.asarray(np.union1d(np.unique(i[(i != j) & (v == nc[i]) & better]),
                                 np.flatnonzero(nc == 0)))


def _dominated_rows(Bs: sp.csr_matrix, nr: np.ndarray) -> np.ndarray:
    """Rows whose reach contains another row's reach."""
    R = (Bs @ Bs.T).tocoo()
    i, j, v = R.row, R.col, R.data
    better = (nr[j] < nr[i]) | ((nr[j] == nr[i]) & (j < i))
    return np.asarray(np.unique(i[(i != j) & (v == nr[j]) & better]))
