"""Who may do what: the three roles a person can have, and the sets that commands, menu entries
and dialogs are open to. A leaf: every layer reads these, none defines its own."""

from __future__ import annotations

CITIZEN, OFFICER, ADMIN = "citizen", "officer", "admin"
EVERYONE = frozenset({CITIZEN, OFFICER, ADMIN})
OFFICERS = frozenset({OFFICER, ADMIN})
ADMINS = frozenset({ADMIN})
