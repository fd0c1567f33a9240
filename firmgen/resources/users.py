"""Firm users: attorneys and staff, some disabled, some with e-mail domains no Dynamics user has."""
from __future__ import annotations

from collections.abc import Iterator

from firmgen.firm import Firm, Record
from firmgen.people import mailbox
from firmgen.vocabulary import ROLES, TIME_ZONES

# Former staff kept their personal or old-firm addresses; nobody in Dynamics has these domains.
FOREIGN_DOMAINS = ("gmail.com", "oldfirm-legal.co.uk", "outlook.com")
# staff names come from the firm's (Latin-script) locales; clients are the multilingual ones
USER_LOCALES = ("en_US", "fr_FR", "en_GB", "de_DE", "es_ES", "pt_BR", "de_AT")


def generate(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for u, draw, record, _ in firm.records("users"):
        pool = firm.pools.by_locale[USER_LOCALES[u % len(USER_LOCALES)]]
        first, last = draw.pick(pool.first_names), draw.pick(pool.last_names)
        local = mailbox(first[0], last, f"user{u + 1}")
        domain = FOREIGN_DOMAINS[u % len(FOREIGN_DOMAINS)] if u % 4 == 3 else firm.domain
        email = local if firm.odd("users", u, "email_without_domain") else f"{local}@{domain}"
        record.update({
            "name": f"{first} {last}",
            "first_name": first,
            "last_name": last,
            "initials": f"{first[0]}{last[0]}",
            "email": email,
            "enabled": u % 7 != 5,
            "account_owner": u == 0,
            "clio_connect": False,
            "court_rules_default_attendee": u % 3 == 0,
            "default_calendar_id": layout.id_of("calendars", u),
            "phone_number": f"+1 415 555 {1000 + u:04d}",
            "rate": float(draw.pick((175, 250, 325, 400, 495))) if layout.is_attorney(u) else 95.0,
            "roles": [ROLES[u % len(ROLES)]] if u % 2 == 0 else [],
            "subscription_type": "Attorney" if layout.is_attorney(u) else "NonAttorney",
            "time_zone": TIME_ZONES[u % len(TIME_ZONES)],
        })
        yield record
