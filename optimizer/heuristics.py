"""Starting plans for the MIP: greedy construction plus local search, in numpy.

HiGHS proves small siting models quickly, but at city scale (10,000 areas x 3,000 sites)
its own primal heuristics find poor incumbents or none within two minutes.  These
functions build a good plan in a second or two from the sparse reach pairs; the models
turn it into a column vector, verify it independently and hand it to HiGHS
(``setSolution``) as its first incumbent.  They never decide optimality: the solver's
bound does.

* :func:`greedy_cover` — set covering: cheapest cost per newly covered class (lazy greedy
  with a heap), then redundancy elimination (dearest first).
* :func:`max_coverage` — maximum coverage with ``p`` sites and/or a budget: lazy greedy by
  marginal coverage (per unit cost under a budget), then 1-swap local search.
* :func:`pmedian` — p-median: greedy add, then interchange (Teitz–Bart, best swap of all
  pairs per pass, vectorised over the sparse pairs after Whitaker's fast interchange).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["greedy_cover", "max_coverage", "pmedian"]


def _incidence(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int) -> sp.csc_matrix:
    B = sp.csc_matrix((np.ones(len(row)), (row, col)), shape=(n_rows, n_cols))
    B.data[:] = 1.0
    return B


def greedy_cover(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int, *,
                 cost: np.ndarray, allowed: np.ndarray,
                 forced: np.ndarray | None = None, seconds: float = 0.0,
                 seed: int = 0) -> np.ndarray | None:
    """Cheap set cover of ``n_rows`` classes by columns (sites).

    Parameters
    ----------
    row, col : array of int
        Class and site of every reach pair.
    cost : array of float
        Cost of every site (>= 0).
    allowed : array of bool
        Sites that may open.
    forced : array of bool, optional
        Sites open from the start (and kept).

    Returns
    -------
    array of bool or None
        Open sites, or None when some class has no allowed site.
    """
    B = _incidence(row, col, n_rows, n_cols)
    Bc = B.tocsc()
    Br = B.tocsr()
    is_open = np.zeros(n_cols, dtype=bool) if forced is None else forced.astype(bool).copy()
    cnt = np.asarray(Br[:, np.flatnonzero(is_open)].sum(axis=1)).ravel() if is_open.any() \
        else np.zeros(n_rows)
    uncovered = cnt < 0.5
    if not uncovered.any():
        return is_open
    cost = np.asarray(cost, dtype=float)
    eps = 1e-9

    def gain(j: int) -> int:
        s, e = Bc.indptr[j], Bc.indptr[j + 1]
        return int(uncovered[Bc.indices[s:e]].sum())

    cand = np.flatnonzero(allowed & ~is_open)
    g0 = np.asarray(Bc[:, cand].T @ uncovered.astype(float)).ravel()
    heap = [(cost[j] / g if cost[j] > eps else -float(g), int(j))
            for j, g in zip(cand, g0, strict=True) if g > 0]
    heapq.heapify(heap)
    left = int(uncovered.sum())
    while left and heap:
        _, j = heapq.heappop(heap)
        g = gain(j)
        if g == 0:
            continue
        key = cost[j] / g if cost[j] > eps else -float(g)
        if heap and key > heap[0][0] + 1e-12:
            heapq.heappush(heap, (key, j))
            continue
        is_open[j] = True
        s, e = Bc.indptr[j], Bc.indptr[j + 1]
        uncovered[Bc.indices[s:e]] = False
        left -= g
    if left:
        return None
    # redundancy elimination: dearest open site first, drop it if every class it reaches
    # stays covered
    cnt = np.asarray(Br @ is_open.astype(float)).ravel()
    keep = np.zeros(n_cols, dtype=bool) if forced is None else forced.astype(bool)
    _eliminate(Bc, cnt, is_open, keep, sorted(np.flatnonzero(is_open & ~keep),
                                              key=lambda j: (-cost[j], j)))
    if seconds > 0:
        _iterated_greedy(Bc, Br, cnt, is_open, keep, cost, allowed, seconds=seconds, seed=seed)
    return is_open


def _eliminate(Bc: sp.csc_matrix, cnt: np.ndarray, is_open: np.ndarray, keep: np.ndarray,
               order: Iterable[Any]) -> None:
    """Close the open sites of ``order`` (in turn) whose classes all stay covered."""
    for j in order:
        if not is_open[j] or keep[j]:
            continue
        rows = Bc.indices[Bc.indptr[j]:Bc.indptr[j + 1]]
        if (cnt[rows] >= 2).all():
            is_open[j] = False
            cnt[rows] -= 1


def _iterated_greedy(Bc: sp.csc_matrix, Br: sp.csr_matrix, cnt: np.ndarray,
                     is_open: np.ndarray, keep: np.ndarray, cost: np.ndarray,
                     allowed: np.ndarray, *, seconds: float, seed: int) -> None:
    """Destroy and repair (in place).

    Close an open site and the open sites sharing a class with it, re-cover the classes
    left bare greedily (random tie-breaks), drop redundant sites, and keep the result when
    it costs no more (plateau moves allowed).
    """
    rng = np.random.default_rng(seed)
    t_end = time.perf_counter() + seconds
    cur = float(cost @ is_open)
    idle, patience = 0, 50 + 5 * int(is_open.sum())
    while time.perf_counter() < t_end and idle < patience:
        idle += 1
        movable = np.flatnonzero(is_open & ~keep)
        if not len(movable):
            return
        j0 = int(rng.choice(movable))
        rows0 = Bc.indices[Bc.indptr[j0]:Bc.indptr[j0 + 1]]
        nb = np.unique(Br[rows0].indices)
        out = nb[is_open[nb] & ~keep[nb]]
        saved_open = is_open.copy()
        touched = np.unique(Bc[:, out].indices)
        is_open[out] = False
        cnt[touched] -= np.asarray(Br[touched][:, out].sum(axis=1)).ravel()
        bare = touched[cnt[touched] < 0.5]
        added: list[int] = []
        need = np.zeros(len(cnt), dtype=bool)
        need[bare] = True
        while need.any():
            cands = np.unique(Br[np.flatnonzero(need)].indices)
            cands = cands[allowed[cands] & ~is_open[cands]]
            if not len(cands):
                break
            sub = Bc[:, cands]
            g = np.asarray(sub.T @ need.astype(float)).ravel()
            score = np.where(cost[cands] > 0, g / np.maximum(cost[cands], 1e-12), g * 1e12)
            score = score * (1.0 + 1e-6 * rng.random(len(cands)))
            i = int(cands[int(np.argmax(score))])
            is_open[i] = True
            added.append(i)
            rows = Bc.indices[Bc.indptr[i]:Bc.indptr[i + 1]]
            cnt[rows] += 1
            need[rows] = False
        if need.any():
            new = np.inf
        else:
            near = np.unique(Br[touched].indices)
            near = near[is_open[near]]
            _eliminate(Bc, cnt, is_open, keep, rng.permutation(near))
            new = float(cost @ is_open)
        if new <= cur + 1e-9:
            if new < cur - 1e-9:
                idle = 0
            cur = new
            continue
        is_open[:] = saved_open  # undo
        cnt[:] = np.asarray(Br @ is_open.astype(float)).ravel()


def max_coverage(row: np.ndarray, col: np.ndarray, weight: np.ndarray, n_rows: int,
                 n_cols: int, *, allowed: np.ndarray, p: int | None = None,
                 budget: float | None = None, cost: np.ndarray | None = None,
                 seconds: float = 3.0) -> np.ndarray:
    """Sites covering as much class weight as possible with ``p`` sites and/or ``budget``.

    Lazy greedy by marginal weight covered (per unit cost when a budget applies), then
    1-swap local search (close one open site, open one closed site) until no swap gains or
    ``seconds`` have passed.

    Returns
    -------
    array of bool
        Open sites (at most ``p``, cost within ``budget``).
    """
    B = _incidence(row, col, n_rows, n_cols)
    Bc, Br = B.tocsc(), B.tocsr()
    w = np.asarray(weight, dtype=float)
    c = np.zeros(n_cols) if cost is None else np.asarray(cost, dtype=float)
    cap_p = n_cols if p is None else int(p)
    is_open = _greedy_coverage(Bc, w, c, allowed, cap_p=cap_p, budget=budget)
    _swap_coverage(Bc, Br, w, c, allowed, is_open, p=p, budget=budget, seconds=seconds)
    return is_open


def _greedy_coverage(Bc: sp.csc_matrix, w: np.ndarray, c: np.ndarray, allowed: np.ndarray, *,
                     cap_p: int, budget: float | None) -> np.ndarray:
    """Lazy greedy by marginal weight covered (per unit cost under a budget)."""
    n_rows, n_cols = Bc.shape
    left_budget = np.inf if budget is None else float(budget)
    use_ratio = budget is not None and (c > 0).any()
    is_open = np.zeros(n_cols, dtype=bool)
    uncovered = np.ones(n_rows, dtype=bool)

    def gain(j: int) -> float:
        s, e = Bc.indptr[j], Bc.indptr[j + 1]
        idx = Bc.indices[s:e]
        return float(w[idx[uncovered[idx]]].sum())

    def key(j: int, g: float) -> float:
        return -(g / max(c[j], 1e-9)) if use_ratio else -g

    cand = np.flatnonzero(allowed & (c <= left_budget + 1e-9))
    g0 = np.asarray(Bc[:, cand].T @ w).ravel()
    heap = [(key(int(j), float(g)), int(j)) for j, g in zip(cand, g0, strict=True) if g > 0]
    heapq.heapify(heap)
    n_open = 0
    while heap and n_open < cap_p:
        _, j = heapq.heappop(heap)
        if c[j] > left_budget + 1e-9:
            continue
        g = gain(j)
        if g <= 0:
            continue
        k = key(j, g)
        if heap and k > heap[0][0] + 1e-12:
            heapq.heappush(heap, (k, j))
            continue
        is_open[j] = True
        n_open += 1
        left_budget -= c[j]
        s, e = Bc.indptr[j], Bc.indptr[j + 1]
        uncovered[Bc.indices[s:e]] = False
    return is_open


def _swap_coverage(Bc: sp.csc_matrix, Br: sp.csr_matrix, w: np.ndarray, c: np.ndarray,
                   allowed: np.ndarray, is_open: np.ndarray, *, p: int | None,
                   budget: float | None, seconds: float) -> None:
    """1-swap local search (in place): close one open site, open one closed site.

    Repeated until no swap gains or ``seconds`` have passed; under a budget, a site that
    fits in what a swap left is opened too.
    """
    n_cols = Bc.shape[1]
    cap_p = n_cols if p is None else int(p)
    t_end = time.perf_counter() + max(seconds, 0.0)
    cnt = np.asarray(Br @ is_open.astype(float)).ravel()
    spent = float(c @ is_open)
    lim = np.inf if budget is None else float(budget)
    improved = True
    while improved and time.perf_counter() < t_end:
        improved = False
        add_gain = np.asarray(Bc.T @ (w * (cnt < 0.5))).ravel()
        add_gain[~allowed | is_open] = -np.inf
        for jo in np.flatnonzero(is_open).tolist():
            if time.perf_counter() >= t_end:
                break
            s, e = Bc.indptr[jo], Bc.indptr[jo + 1]
            rows = Bc.indices[s:e]
            uniq = rows[cnt[rows] < 1.5]
            loss = float(w[uniq].sum())
            corr = np.asarray(Br[uniq].T @ w[uniq]).ravel() if len(uniq) else np.zeros(n_cols)
            delta = add_gain + corr - loss
            delta[c > lim - spent + c[jo] + 1e-9] = -np.inf
            i = int(np.argmax(delta))
            if delta[i] > 1e-9 * max(1.0, float(w.sum())):
                is_open[jo], is_open[i] = False, True
                spent += c[i] - c[jo]
                cnt[rows] -= 1
                si, ei = Bc.indptr[i], Bc.indptr[i + 1]
                cnt[Bc.indices[si:ei]] += 1
                improved = True
                add_gain = np.asarray(Bc.T @ (w * (cnt < 0.5))).ravel()
                add_gain[~allowed | is_open] = -np.inf
        # fill: a swap may leave room in the budget
        if budget is not None and (p is None or is_open.sum() < cap_p):
            add_gain = np.asarray(Bc.T @ (w * (cnt < 0.5))).ravel()
            fits = allowed & ~is_open & (c <= lim - spent + 1e-9) & (add_gain > 0)
            if fits.any():
                i = int(np.flatnonzero(fits)[np.argmax(add_gain[fits])])
                is_open[i] = True
                spent += c[i]
                si, ei = Bc.indptr[i], Bc.indptr[i + 1]
                cnt[Bc.indices[si:ei]] += 1
                improved = True


def _greedy_add(k: np.ndarray, j: np.ndarray, t: np.ndarray, qk: np.ndarray, d1: np.ndarray,
                is_open: np.ndarray, allowed: np.ndarray, p: int, big: float) -> np.ndarray:
    """Open ``p`` more sites, each the one saving the most weighted time.

    In place on ``d1``/``is_open``, which are returned.
    """
    n_cols = len(is_open)
    for _ in range(p):
        save = np.bincount(j, weights=qk * np.maximum(d1[k] - t, 0.0), minlength=n_cols)
        save[~allowed | is_open] = -1.0
        i = int(np.argmax(save))
        if save[i] < 0:
            break
        is_open[i] = True
        sel = j == i
        better = sel.copy()
        better[sel] = t[sel] < d1[k[sel]]
        d1[k[better]] = t[better]
    return is_open


def _nearest_two(k: np.ndarray, j: np.ndarray, t: np.ndarray, is_open: np.ndarray,
                 n_rows: int, big: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest and second-nearest open site of every class (pairs sorted by class, time)."""
    sel = np.flatnonzero(is_open[j])
    kk = k[sel]
    first = np.ones(len(sel), dtype=bool)
    first[1:] = kk[1:] != kk[:-1]
    d1 = np.full(n_rows, big)
    s1 = np.full(n_rows, -1, dtype=np.int64)
    d1[kk[first]] = t[sel[first]]
    s1[kk[first]] = j[sel[first]]
    second = np.zeros(len(sel), dtype=bool)
    second[1:] = first[:-1] & ~first[1:]
    d2 = np.full(n_rows, big)
    d2[kk[second]] = t[sel[second]]
    return d1, d2, s1


def pmedian(k: np.ndarray, j: np.ndarray, t: np.ndarray, q: np.ndarray, n_cols: int, *,
            allowed: np.ndarray, p: int, always_open: np.ndarray | None = None,
            seconds: float = 5.0) -> np.ndarray | None:
    """``p`` sites (among ``allowed``) with least demand-weighted time to the nearest one.

    Uncapacitated: every class goes to its nearest open site in reach; a class with no open
    site in reach costs more per unit than any plan's total time, so the search keeps
    everyone covered first.  Greedy add, then best-improvement interchange until no swap helps or
    ``seconds`` have passed.

    Parameters
    ----------
    k, j, t : arrays
        Class, site and time of every pair.
    q : array of float
        Weight (requirement) of every class.
    always_open : array of bool, optional
        Sites open anyway (existing ones); they do not count in ``p``.

    Returns
    -------
    array of bool or None
        The ``p`` sites opened (not including ``always_open``), or None when no class
        assignment within reach is found.
    """
    n_rows = len(q)
    order = np.lexsort((t, k))
    k, j, t = k[order], j[order], t[order]
    # more than any total of assigned times: no swap may trade coverage for time
    big = (float(t.max(initial=0.0)) + 1.0) * (float(q.sum()) + 1.0)
    base = np.zeros(n_cols, dtype=bool) if always_open is None else always_open.astype(bool)
    is_open = base.copy()
    chosen = np.zeros(n_cols, dtype=bool)
    qk = q[k]
    # ---- cover first when p sites barely reach everyone
    if not _cover_first(k, j, t, q, is_open, chosen, allowed, int(p), big, seconds):
        return None
    d1, _, _ = _nearest_two(k, j, t, is_open, n_rows, big)
    # ---- greedy add
    before = is_open.copy()
    _greedy_add(k, j, t, qk, d1, is_open, allowed, int(p) - int(chosen.sum()), big)
    chosen |= is_open & ~before
    if int(chosen.sum()) != int(p):
        return None
    _interchange(k, j, t, q, is_open, chosen, allowed, big, seconds)
    d1, _, _ = _nearest_two(k, j, t, is_open, n_rows, big)
    if (d1[q > 0] >= big).any():
        return None
    return chosen


def _cover_first(k: np.ndarray, j: np.ndarray, t: np.ndarray, q: np.ndarray,
                 is_open: np.ndarray, chosen: np.ndarray, allowed: np.ndarray, p: int,
                 big: float, seconds: float) -> bool:
    """Open a set cover of the classes no open site reaches when greedy adding would not.

    In place on ``is_open`` and ``chosen``; False when no cover of at most ``p`` sites is
    found.
    """
    n_rows, n_cols = len(q), len(is_open)
    qk = q[k]
    d1, _, _ = _nearest_two(k, j, t, is_open, n_rows, big)
    todo = (d1 >= big) & (q > 0)
    if not todo.any():
        return True
    probe = _greedy_add(k, j, t, qk, d1.copy(), is_open.copy(), allowed, p, big)
    d_probe, _, _ = _nearest_two(k, j, t, probe, n_rows, big)
    if not (d_probe[q > 0] >= big).any():
        return True
    rows = np.flatnonzero(todo)
    pos = np.full(n_rows, -1)
    pos[rows] = np.arange(len(rows))
    sel = pos[k] >= 0
    cover = greedy_cover(pos[k[sel]], j[sel], len(rows), n_cols,
                         cost=np.ones(n_cols), allowed=allowed & ~is_open,
                         seconds=0.5 * seconds, seed=0)
    if cover is None or cover.sum() > p:
        return False
    is_open |= cover
    chosen |= cover
    return True


def _interchange(k: np.ndarray, j: np.ndarray, t: np.ndarray, q: np.ndarray,
                 is_open: np.ndarray, chosen: np.ndarray, allowed: np.ndarray, big: float,
                 seconds: float) -> None:
    """Best-improvement interchange (Teitz-Bart, Whitaker's fast form), in place."""
    n_rows, n_cols = len(q), len(is_open)
    qk = q[k]
    t_end = time.perf_counter() + max(seconds, 0.0)
    total_w = float(q.sum())
    while time.perf_counter() < t_end and chosen.any():
        d1, d2, s1 = _nearest_two(k, j, t, is_open, n_rows, big)
        opened = np.flatnonzero(chosen)
        pos = np.full(n_cols, -1)
        pos[opened] = np.arange(len(opened))
        # gain of adding i (negative = saving), independent of the site closed
        add = np.bincount(j, weights=qk * np.minimum(t - d1[k], 0.0), minlength=n_cols)
        # loss of closing r: its classes move to their second nearest
        own = s1 >= 0
        loss = np.bincount(s1[own], weights=(q * (d2 - d1))[own], minlength=n_cols)[opened]
        # correction for the pairs (class of r, candidate i)
        r = s1[k]
        m_ = (r >= 0) & (pos[np.maximum(r, 0)] >= 0)
        corr_v = qk[m_] * (np.minimum(d2[k[m_]], t[m_]) - d2[k[m_]]
                           - np.minimum(0.0, t[m_] - d1[k[m_]]))
        corr = np.zeros((n_cols, len(opened)))
        np.add.at(corr, (j[m_], pos[r[m_]]), corr_v)
        delta = add[:, None] + loss[None, :] + corr
        delta[~allowed | is_open, :] = np.inf
        flat = int(np.argmin(delta))
        i, rr = divmod(flat, len(opened))
        if not delta[i, rr] < -1e-9 * max(1.0, total_w):
            break
        out = opened[rr]
        is_open[out] = chosen[out] = False
        is_open[i] = chosen[i] = True
