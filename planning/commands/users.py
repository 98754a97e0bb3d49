"""``python -m planning users``: the accounts of the team server (for its administrator).

Examples
--------
``python -m planning users add wang --admin`` adds the first administrator (the password is
asked twice, never shown; ``--password-stdin`` reads it from standard input instead, for
scripts); ``users add li`` adds a planner; ``users list``; ``users passwd li`` sets a new
password; ``users role li admin``; ``users remove li`` removes an account (their scenarios
stay, their shares are withdrawn). Messages are in English, or in Chinese with
``PLANNING_LANG=zh``.

The accounts are in the database the team server uses (``YILAO_DATABASE_URL``, see
:mod:`planning.store_factory`); run the command with the same environment as the server.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from core.messages import Message
from errors import AuthError
from planning.accounts import ROLES


def add_parser(subparsers: Any) -> None:
    """Register the ``users`` sub-command."""
    p = subparsers.add_parser(
        "users",
        help="team server accounts: add, remove, list users, set passwords and roles",
        description="Manage the accounts of the team server (YILAO_MODE=team), in the "
                    "database given by YILAO_DATABASE_URL.",
    )
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = sub.add_parser("add", help="add a user")
    a.add_argument("name")
    a.add_argument("--admin", action="store_true", help="may manage accounts")
    a.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input (one line)")
    r = sub.add_parser("remove", help="remove a user (their scenarios stay)")
    r.add_argument("name")
    sub.add_parser("list", help="list users and roles")
    w = sub.add_parser("passwd", help="set a new password")
    w.add_argument("name")
    w.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input (one line)")
    o = sub.add_parser("role", help="make a user a planner (user) or an admin")
    o.add_argument("name")
    o.add_argument("role", choices=ROLES)
    p.set_defaults(func=run)


def _language() -> str:
    """Language of the messages: ``PLANNING_LANG`` (``zh`` or ``en``), English by default, as
    for every command."""
    lang = os.environ.get("PLANNING_LANG", "en")
    return lang if lang in ("zh", "en") else "en"


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    lang = _language()
    first = getpass.getpass(Message("accounts.password_prompt", {"name": args.name}).render(lang))
    second = getpass.getpass(Message("accounts.password_again", {}).render(lang))
    if first != second:
        raise AuthError(Message("accounts.passwords_differ", {}))
    return first


def run(args: argparse.Namespace) -> int:
    """Carry out one action on the accounts."""
    from planning.store_factory import open_accounts

    lang = _language()
    password = _password(args) if args.action in ("add", "passwd") else None
    accounts, closer = open_accounts()
    try:
        if args.action == "list":
            users = accounts.list()
            if not users:
                print(Message("accounts.no_users", {}).render(lang))
            for u in users:
                role = Message(f"accounts.role_{u.role}", {}).render(lang)
                print(f"{u.name}\t{u.role}\t{role}\t{u.created}")
        elif args.action == "add":
            role = "admin" if args.admin else "user"
            user = accounts.add(args.name, password, role=role)
            print(Message("accounts.user_added", {"name": user.name, "role": role}).render(lang))
        elif args.action == "remove":
            accounts.remove(args.name)
            print(Message("accounts.user_removed", {"name": args.name}).render(lang))
        elif args.action == "passwd":
            accounts.set_password(args.name, password)
            print(Message("accounts.password_set", {"name": args.name}).render(lang))
        elif args.action == "role":
            accounts.set_role(args.name, args.role)
            print(Message("accounts.role_set",
                          {"name": args.name, "role": args.role}).render(lang))
    finally:
        closer.close()
    return 0
