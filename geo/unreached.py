"""Why an origin or destination reaches nothing: the reasons beside the travel-time pairs.

:func:`geo.access.travel_times` lists, in ``attrs['unreached']``, every origin (residential
area) with no destination in reach and every destination (facility, candidate site) that no
origin reaches, each with one reason, most specific first:

``off_network``
    None of its access points is within ``max_snap_m`` of a street (it was left out; the
    distance to the nearest street is given).
``fragment``
    It reaches the network only on street fragments not connected to the main network
    (component 0, see :class:`geo.network.WalkNetwork`), and nothing of the other side is on
    them; the fragments' edges and length are given.
``no_other_side``
    It is on the main network but nothing of the other side reaches the network at all.
``beyond_limit``
    Something of the other side is on the streets it reaches, but none within the walking
    limit (also the reason under the straight-line fallback).

Records are plain dicts ``{"side", "id", "kind", "reason"}`` with ``reason`` a
:class:`core.messages.Message`, so that they travel with the pairs (pandas ``attrs``) into
plans and exports; :func:`unreached_frame` tabulates them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.messages import Message, Quantity
from geo.network import WalkNetwork

__all__ = ["unreached_records", "unreached_frame", "straight_line_records", "fragment_note",
           "ISOLATED_FRAGMENT", "SIDES"]

#: The reason of an area's unmet demand when it is alone on an isolated street fragment
#: (a value label of :mod:`core.texts`, beside the optimizer's ``no site within reach``).
ISOLATED_FRAGMENT = "isolated street fragment"

#: The two sides of a travel-time table, as ``attrs['unsnapped']`` names them.
SIDES = ("origins", "destinations")


def _owner_components(owner: np.ndarray, comp: np.ndarray, wanted: np.ndarray,
                      n: int) -> dict[int, np.ndarray]:
    """Sorted distinct components of each ``wanted`` owner (absent: no point on the network)."""
    keep = wanted[owner]
    if not keep.any():
        return {}
    width = np.int64(max(int(comp.max()) + 1, 1))
    key = np.unique(owner[keep].astype(np.int64) * width + comp[keep])
    own, cmp_ = np.divmod(key, width)
    starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
    ends = np.r_[starts[1:], len(own)]
    return {int(own[a]): cmp_[a:b] for a, b in zip(starts, ends, strict=True)}


def unreached_records(
    network: WalkNetwork,
    owners: tuple[np.ndarray, np.ndarray],
    comps: tuple[np.ndarray, np.ndarray],
    ids: tuple[np.ndarray, np.ndarray],
    reached: tuple[np.ndarray, np.ndarray],
    nearest_m: tuple[dict[int, float], dict[int, float]],
    *,
    minutes: float,
    max_snap_m: float,
) -> list[dict[str, Any]]:
    """The origins and destinations that reach nothing, each with its reason.

    Parameters
    ----------
    network : WalkNetwork
        The network searched.
    owners, comps : pair of ndarray
        Per side, the owner (row position) and network component of each access point that
        reached the network.
    ids : pair of ndarray
        Per side, the ids of the features.
    reached : pair of ndarray of bool
        Per side, whether the feature is in at least one pair.
    nearest_m : pair of dict
        Per side, row position → distance to the nearest street of the features left out.
    minutes : float
        The walking limit.
    max_snap_m : float
        The largest snapping distance.

    Returns
    -------
    list of dict
        ``side``, ``id``, ``kind``, ``reason`` (see the module docstring).
    """
    edges, length = network.component_edges()
    out: list[dict[str, Any]] = []
    for k, side in enumerate(SIDES):
        other = 1 - k
        other_comps = np.unique(comps[other])
        per = _owner_components(owners[k], comps[k], ~reached[k], len(ids[k]))
        for i in np.flatnonzero(~reached[k]):
            mine = per.get(int(i), np.empty(0, np.int64))
            if not len(mine):
                kind = "off_network"
                reason = Message("geo.unreached.off_network", {
                    "distance": Quantity(nearest_m[k].get(int(i), np.nan), "metres", 0),
                    "max_snap": Quantity(max_snap_m, "metres")})
            elif not np.isin(mine, other_comps).any():
                if mine[0] == 0:
                    kind = "no_other_side"
                    reason = Message(f"geo.unreached.no_other_side_{side}")
                else:
                    kind = "fragment"
                    one = "fragment" if len(mine) == 1 else "fragments"
                    reason = Message(f"geo.unreached.{one}_{side}", {
                        "fragments": len(mine), "edges": int(edges[mine].sum()),
                        "length": Quantity(float(length[mine].sum()), "metres", 0)})
            else:
                kind = "beyond_limit"
                reason = Message(f"geo.unreached.beyond_limit_{side}",
                                 {"minutes": Quantity(minutes, "minutes", 1)})
            out.append({"side": side, "id": _py(ids[k][i]), "kind": kind, "reason": reason})
    return out


def straight_line_records(
    ids: tuple[np.ndarray, np.ndarray], reached: tuple[np.ndarray, np.ndarray], *,
    minutes: float,
) -> list[dict[str, Any]]:
    """The unreached features of a straight-line table: all ``beyond_limit``."""
    return [{"side": side, "id": _py(ids[k][i]), "kind": "beyond_limit",
             "reason": Message(f"geo.unreached.beyond_limit_{side}",
                               {"minutes": Quantity(minutes, "minutes", 1)})}
            for k, side in enumerate(SIDES) for i in np.flatnonzero(~reached[k])]


def unreached_frame(pairs_or_records: Any, lang: str = "zh") -> pd.DataFrame:
    """The unreached features as a table: ``side``, ``id``, ``kind``, ``code``, ``reason``.

    Parameters
    ----------
    pairs_or_records : DataFrame or list of dict
        A table of :func:`geo.access.travel_times` (its ``attrs['unreached']`` is read) or
        the records themselves.
    lang : str, default 'zh'
        Language of the ``reason`` text.
    """
    records = (pairs_or_records.attrs.get("unreached", [])
               if isinstance(pairs_or_records, pd.DataFrame) else pairs_or_records)
    return pd.DataFrame({
        "side": [r["side"] for r in records],
        "id": [r["id"] for r in records],
        "kind": [r["kind"] for r in records],
        "code": [r["reason"].code for r in records],
        "reason": [r["reason"].render(lang) for r in records],
    }, columns=["side", "id", "kind", "code", "reason"])


def fragment_note(pairs: pd.DataFrame, service: Any) -> Message | None:
    """A note naming the origins (residential areas) alone on isolated street fragments.

    Parameters
    ----------
    pairs : DataFrame
        A table of :func:`geo.access.travel_times`.
    service : Message or str
        How the note names the service (e.g. ``Message("planning.service_childcare")``).

    Returns
    -------
    Message or None
        ``geo.unreached.areas_on_fragments``, or None when no area is on such a fragment.
    """
    ids = [r["id"] for r in pairs.attrs.get("unreached", [])
           if r["side"] == "origins" and r["kind"] == "fragment"]
    if not ids:
        return None
    return Message("geo.unreached.areas_on_fragments",
                   {"service": service, "n": len(ids), "ids": ids})


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
