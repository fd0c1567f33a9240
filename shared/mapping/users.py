"""Clio users to Dynamics 365 system users, matched by email; who owns what when there is no (enabled) match.

The pre-flight report lists every Clio user without an enabled, licensed system user, and the fallback owner
their records go to; each such record also gets a report line where its owner is set."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.mapping.transforms import Problem


@dataclass
class UserResolution:
    owners: dict[str, str]  # Clio user id -> systemuserid
    fallback_owner: str | None
    fallback_email: str | None
    unmatched: list[dict[str, Any]] = field(default_factory=list)  # {"id", "name", "email", "reason"}

    def resolve(self, clio_user_id: Any) -> tuple[str | None, Problem | None]:
        owner = self.owners.get(str(clio_user_id))
        if owner is not None:
            return owner, None
        if self.fallback_owner is None:
            return None, Problem("error", "NO_OWNER", f"Clio user {clio_user_id} has no Dynamics user and no "
                                                      "fallback owner is set")
        return self.fallback_owner, Problem("warning", "OWNER_FALLBACK",
                                            f"Clio user {clio_user_id} has no enabled Dynamics user; owner is "
                                            f"{self.fallback_email}")


def resolve_users(clio_users: list[dict[str, Any]], system_users: list[dict[str, Any]],
                  fallback_email: str | None) -> UserResolution:
    by_email = {str(u.get("internalemailaddress") or "").strip().lower(): u for u in system_users
                if u.get("internalemailaddress")}
    usable = {email: u for email, u in by_email.items() if not u.get("isdisabled") and u.get("islicensed", True)}
    fallback = usable.get((fallback_email or "").strip().lower())
    resolution = UserResolution({}, fallback["systemuserid"] if fallback else None,
                                fallback_email if fallback else None)
    for user in clio_users:
        email = str(user.get("email") or "").strip().lower()
        match = usable.get(email)
        if match is not None:
            resolution.owners[str(user["id"])] = match["systemuserid"]
            continue
        known = by_email.get(email)
        reason = ("no email in Clio" if not email else "no Dynamics user with this email" if known is None
                  else "the Dynamics user is disabled" if known.get("isdisabled")
                  else "the Dynamics user is unlicensed")
        resolution.unmatched.append({"id": user["id"], "name": user.get("name"), "email": user.get("email"),
                                     "enabled_in_clio": user.get("enabled"), "reason": reason})
    return resolution
