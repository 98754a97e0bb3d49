"""The scenario store as a logged-in user sees it: their own scenarios and those shared with them.

:class:`TeamStore` has the public interface of :class:`planning.scenarios.ScenarioStore`
(``save``, ``list``, ``load``, ``delete``), where ``owner`` is the *acting user* (the one who
logged in), so that the app's pages work unchanged on the team server. In front of either store
(SQLite or PostgreSQL) it applies the rules of :mod:`planning.accounts`:

- a user sees, loads and changes their own scenarios;
- a scenario shared with them (by name or with the whole team) they may load; saving it again
  (same id) is allowed when the share is editable, and the scenario stays its author's;
- only the author may delete or share a scenario;
- sweeps (``kind='sweep'``) follow the same rules as scenarios;
- messages name the kind of record (scenario or sweep) a user may see;
- anything else is answered as if the scenario did not exist (:class:`ScenarioNotFound`), so that
  ids of others' scenarios reveal nothing; a removed user can do nothing any more.

No Streamlit here.
"""

from __future__ import annotations

import builtins
from typing import Any

from core.messages import Message
from errors import PermissionDenied
from planning.accounts import TEAM, Accounts, Share
from planning.scenarios import Scenario, ScenarioNotFound


class TeamStore:
    """Access rules in front of a scenario store.

    Parameters
    ----------
    store : ScenarioStore or PostgresScenarioStore
        Where scenarios are kept (by their author).
    accounts : Accounts
        Users and shares.
    """

    def __init__(self, store: Any, accounts: Accounts):
        self.store = store
        self.accounts = accounts

    def close(self) -> None:
        """Close the underlying store."""
        self.store.close()

    def __enter__(self) -> TeamStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- helpers --------------------------------------------------------------------------
    def _user(self, owner: str) -> str:
        """The acting user, who must still have an account."""
        if not isinstance(owner, str) or self.accounts.get(owner) is None:
            raise PermissionDenied(Message("accounts.not_logged_in", {}))
        return owner

    def _own_ids(self, user: str) -> set[str]:
        return {s["id"] for s in self.store.list(owner=user, kind=None)}

    def _kind(self, scenario_id: str, author: str) -> Message:
        """The kind of *author*'s record *scenario_id* (scenario or sweep), named in messages."""
        kind = next((s.get("kind") for s in self.store.list(owner=author, kind=None)
                     if s["id"] == scenario_id), None) or "scenario"
        return Message(f"accounts.kind_{kind}", {})

    @staticmethod
    def _not_found(scenario_id: str) -> ScenarioNotFound:
        return ScenarioNotFound([Message("accounts.no_scenario", {"id": scenario_id})])

    # ---- the interface of ScenarioStore ---------------------------------------------------
    def save(self, scenario: Scenario, *, owner: str) -> str:
        """Save *scenario* as user *owner*: a new one as theirs; an existing one of theirs, or
        one shared with them editable, in place (it stays its author's)."""
        user = self._user(owner)
        if scenario.id and scenario.id not in self._own_ids(user):
            share = self.accounts.access(scenario.id, user=user)
            if share is not None:
                if not share.can_edit:
                    raise PermissionDenied(Message("accounts.read_only", {
                        "id": scenario.id, "kind": self._kind(scenario.id, share.owner)}))
                return str(self.store.save(scenario, owner=share.owner))
        return str(self.store.save(scenario, owner=user))

    def list(self, *, owner: str, kind: str | None = "scenario"
             ) -> builtins.list[dict[str, Any]]:
        """Records of *kind* (every kind when None) *owner* may see, oldest first; each with
        ``owner`` and ``access`` (``owner``, ``edit`` or ``read``)."""
        user = self._user(owner)
        rows = [{**s, "owner": user, "access": "owner"}
                for s in self.store.list(owner=user, kind=kind)]
        by_owner: dict[str, dict[str, Share]] = {}
        for share in self.accounts.shared_with(user):
            by_owner.setdefault(share.owner, {})[share.scenario_id] = share
        for author, shares in by_owner.items():
            for s in self.store.list(owner=author, kind=kind):
                if s["id"] in shares:
                    rows.append({**s, "owner": author,
                                 "access": "edit" if shares[s["id"]].can_edit else "read"})
        rows.sort(key=lambda s: str(s.get("created") or ""))
        return rows

    def load(self, scenario_id: str, *, owner: str, layers: bool = True) -> Scenario:
        """Scenario *scenario_id* if *owner* may see it (their own or shared with them)."""
        user = self._user(owner)
        try:
            return self.store.load(scenario_id, owner=user, layers=layers)  # type: ignore[no-any-return]
        except ScenarioNotFound:
            pass
        share = self.accounts.access(scenario_id, user=user)
        if share is None:
            raise self._not_found(scenario_id)
        return self.store.load(scenario_id, owner=share.owner, layers=layers)  # type: ignore[no-any-return]

    def delete(self, scenario_id: str, *, owner: str) -> bool:
        """Delete a scenario of *owner*'s (and its shares); return whether one was deleted."""
        user = self._user(owner)
        if scenario_id not in self._own_ids(user):
            share = self.accounts.access(scenario_id, user=user)
            if share is not None:
                raise self._not_owner(scenario_id, share)
        deleted = bool(self.store.delete(scenario_id, owner=user))
        if deleted:
            self.accounts.forget_scenario(scenario_id, owner=user)
        return deleted

    # ---- sharing --------------------------------------------------------------------------
    def share(self, scenario_id: str, *, owner: str, with_user: str = TEAM,
              can_edit: bool = False) -> Share:
        """Share a scenario of *owner*'s with a colleague or the whole team (:data:`TEAM`)."""
        user = self._user(owner)
        self._check_author(scenario_id, user)
        return self.accounts.share(scenario_id, owner=user, grantee=with_user,
                                   can_edit=can_edit)

    def unshare(self, scenario_id: str, *, owner: str, with_user: str = TEAM) -> bool:
        """Withdraw a share of a scenario of *owner*'s."""
        user = self._user(owner)
        self._check_author(scenario_id, user)
        return self.accounts.unshare(scenario_id, owner=user, grantee=with_user)

    def shares_of(self, scenario_id: str, *, owner: str) -> builtins.list[Share]:
        """The shares of a scenario of *owner*'s."""
        user = self._user(owner)
        self._check_author(scenario_id, user)
        return self.accounts.shares_of(scenario_id, owner=user)

    def _check_author(self, scenario_id: str, user: str) -> None:
        if scenario_id in self._own_ids(user):
            return
        share = self.accounts.access(scenario_id, user=user)
        if share is not None:
            raise self._not_owner(scenario_id, share)
        raise self._not_found(scenario_id)

    def _not_owner(self, scenario_id: str, share: Share) -> PermissionDenied:
        return PermissionDenied(Message("accounts.not_owner", {
            "id": scenario_id, "kind": self._kind(scenario_id, share.owner)}))
