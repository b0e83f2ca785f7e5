"""`toolbox user add|list|disable`: accounts for content editors from the command line."""

from __future__ import annotations

import getpass
import sys

from toolbox.accounts.registry import AccountError, AccountStore
from toolbox.config import Settings


def _read_password(stdin=None) -> str:
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = getpass.getpass("Wachtwoord: ")
        second = getpass.getpass("Nogmaals: ")
        if first != second:
            raise AccountError("De wachtwoorden zijn niet gelijk.")
        return first
    line = stdin.readline()
    return line.rstrip("\r\n")


def user_command(settings: Settings, args) -> int:
    store = AccountStore(settings)
    try:
        if args.user_command == "add":
            password = _read_password()
            account = store.add(args.name, args.role, password)
            print(f"Account '{account.name}' aangemaakt ({account.role_label}, id {account.id}).")
        elif args.user_command == "list":
            accounts = store.all()
            if not accounts:
                print("Nog geen accounts. Maak er een met `toolbox user add NAAM --role editor`.")
            for a in accounts:
                status = "uitgeschakeld" if a.disabled else "actief"
                print(f"{a.id}\t{a.name}\t{a.role}\t{status}\t{a.created}")
        elif args.user_command == "disable":
            account = store.set_disabled(args.name, True)
            print(f"Account '{account.name}' is uitgeschakeld; lopende sessies zijn beëindigd.")
        else:  # pragma: no cover - argparse only allows the above
            return 2
    except AccountError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
    return 0
