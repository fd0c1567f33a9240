"""Contacts: companies and their employees, persons from many locales, with several (or no) emails, phones,
addresses and web sites, and custom field values."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from firmgen.draw import Draw
from firmgen.firm import Firm, Record
from firmgen.people import LocalePool, mailbox
from firmgen.resources.custom_fields import values_for
from firmgen.vocabulary import ADDRESS_NAMES, PHONE_NAMES, WEB_SITE_NAMES

MAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.fr", "web.de", "icloud.com")
PREFIXES = ("Mr.", "Ms.", "Dr.", "Mx.", "")
COMPANY_MAILBOXES = ("info", "billing", "legal")
TITLES = ("CEO", "General Counsel", "Office Manager", "CFO", "Paralegal", "")


def _slug(company: str, c: int) -> str:
    return "".join(ch for ch in company.lower() if ch.isascii() and ch.isalnum()) or f"company{c}"


def _address(identity: Record, c: int, k: int, draw: Draw) -> str:
    if identity["type"] == "Company":
        return f"{COMPANY_MAILBOXES[k]}@{_slug(identity['name'], c)}.com"
    local = mailbox(identity["first_name"], identity["last_name"], f"contact{c}")
    return f"{local}{'' if k == 0 else f'.{k}'}@{draw.pick(MAIL_DOMAINS)}"


def _emails(firm: Firm, c: int, identity: Record, created: datetime, draw: Draw) -> list[Record]:
    if c % 11 == 7:  # clients that never gave an email
        return []
    emails = []
    for k in range(1 + draw.below(3)):
        record = firm.nested_stamp(created, draw, firm.layout.nested_id("email_addresses", c, k))
        address = _address(identity, c, k, draw)
        if k == 0 and firm.odd("contacts", c, "invalid_email"):
            address = address.replace("@", "@@")
        record.update({"address": address, "name": ("Work", "Home", "Other")[k % 3], "primary": k == 0})
        emails.append(record)
    return emails


def _phones(firm: Firm, c: int, created: datetime, draw: Draw) -> list[Record]:
    phones = []
    for k in range(1 + draw.below(3)):
        record = firm.nested_stamp(created, draw, firm.layout.nested_id("phone_numbers", c, k))
        number = f"+1 {draw.between(201, 989)} 555 {draw.between(0, 9999):04d}"
        if k == 0 and firm.odd("contacts", c, "junk_phone"):
            number = "call reception, ask for Bob"
        record.update({"number": number, "name": PHONE_NAMES[(c + k) % len(PHONE_NAMES)], "primary": k == 0})
        phones.append(record)
    return phones


def _addresses(firm: Firm, c: int, pool: LocalePool, created: datetime, draw: Draw) -> list[Record]:
    addresses = []
    for k in range(draw.below(3)):
        record = firm.nested_stamp(created, draw, firm.layout.nested_id("addresses", c, k))
        record.update({
            "street": draw.pick(pool.streets), "city": draw.pick(pool.cities), "province": draw.pick(pool.provinces),
            "postal_code": draw.pick(pool.postcodes), "country": pool.country,
            "name": ADDRESS_NAMES[(c + k) % len(ADDRESS_NAMES)], "primary": k == 0,
        })
        addresses.append(record)
    return addresses


def _web_sites(firm: Firm, c: int, company: str, created: datetime, draw: Draw) -> list[Record]:
    if not firm.layout.is_company(c):
        return []
    sites = []
    for k in range(1 + draw.below(2)):
        record = firm.nested_stamp(created, draw, firm.layout.nested_id("web_sites", c, k))
        slug = _slug(company, c)
        address = f"https://www.{slug}.com" if k == 0 else f"https://www.linkedin.com/company/{slug}"
        record.update({"address": address, "name": WEB_SITE_NAMES[0 if k == 0 else 4], "default_web_site": k == 0})
        sites.append(record)
    return sites


def _identity(firm: Firm, c: int, pool: LocalePool, draw: Draw) -> Record:
    if firm.layout.is_company(c):
        return {"type": "Company", "name": draw.pick(pool.companies)}
    first, last = draw.pick(pool.first_names), draw.pick(pool.last_names)
    person: Record = {
        "type": "Person", "name": f"{first} {last}", "first_name": first, "last_name": last,
        "initials": f"{first[0]}{last[0]}", "prefix": draw.pick(PREFIXES), "title": draw.pick(TITLES),
    }
    if draw.chance(0.6):
        person["date_of_birth"] = f"{draw.between(1938, 2006)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d}"
    if draw.chance(0.2):
        person["middle_name"] = draw.pick(pool.first_names)
    return person


def identity_of(firm: Firm, c: int) -> Record:
    """Type and names of a contact; its own draw stream lets matters re-derive a client's name."""
    return _identity(firm, c, firm.pools.for_index(c), firm.draw("contacts.identity", c))


def generate(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for c, draw, record, created in firm.records("contacts"):
        pool = firm.pools.for_index(c)
        record.update(identity_of(firm, c))
        emails = _emails(firm, c, record, created, draw)
        phones = _phones(firm, c, created, draw)
        addresses = _addresses(firm, c, pool, created, draw)
        sites = _web_sites(firm, c, record["name"], created, draw)
        record.update({
            "is_client": layout.is_client(c),
            "is_co_counsel": c % 23 == 9,
            "is_bill_recipient": layout.is_client(c),
            "is_clio_for_client_user": False,
            "has_clio_for_clients_permission": False,
            "locked_clio_connect_email": False,
            "email_addresses": emails,
            "phone_numbers": phones,
            "addresses": addresses,
            "web_sites": sites,
            "custom_field_values": values_for(firm, "Contact", c, created, draw),
        })
        for scalar, items, key in (("email_address", emails, "address"), ("phone_number", phones, "number")):
            for position, item in zip(("primary", "secondary"), items):
                record[f"{position}_{scalar}"] = item[key]
        if addresses:
            record["primary_address"] = addresses[0]
        if sites:
            record["primary_web_site"] = sites[0]
        employer = layout.employer_of(c)
        if employer is not None and employer < firm.profile.contacts:
            record["company"] = firm.ref("contacts", employer)
        if record["type"] == "Company" and draw.chance(0.5):
            record["sales_tax_number"] = f"EU{draw.between(100000000, 999999999)}"
        yield record
