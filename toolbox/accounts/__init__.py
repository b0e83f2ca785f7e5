"""Editor accounts: who may edit, and the trail they leave.

Parts: `registry` (accounts with argon2 hashes, sessions, the audit log, all in `instance/`),
`throttle` (the rules: rate per address, lockout per name), `login_throttle` (those rules kept in a
file under the instance lock), `commands` (`toolbox user add|list|disable`). May import only the base
modules.
"""
