"""The few per-table facts the anchor JSON does not carry, each from dataverse.md (section cited)."""
from __future__ import annotations

from typing import Any

# §3.2: tables whose message list has CreateMultiple/UpdateMultiple/UpsertMultiple (plus every custom table).
MULTIPLE_TABLES = frozenset({"account", "contact", "opportunity", "incident", "invoice", "invoicedetail"})

# §7 / §13.2: DateOnly (Edm.Date) columns take `YYYY-MM-DD`; every other DateTime needs a full ISO timestamp.
DATE_ONLY = frozenset({"invoice.duedate", "invoice.datedelivered", "opportunity.estimatedclosedate",
                       "opportunity.actualclosedate", "contact.birthdate", "contact.anniversary"})

PRIMARY_NAME = {"account": "name", "contact": "fullname", "opportunity": "name", "incident": "title",
                "invoice": "name", "task": "subject", "appointment": "subject", "phonecall": "subject",
                "email": "subject", "annotation": "subject", "systemuser": "fullname", "product": "name",
                "pricelevel": "name", "sharepointsite": "name", "sharepointdocumentlocation": "name",
                "transactioncurrency": "currencyname", "team": "name", "uom": "name"}

# The anchor JSON has no MaxLength. §2 documents task.subject = 200 and §7 invoicedetail.productdescription;
# the rest are the platform's usual lengths for these columns; anything else gets 100, the default MaxLength of
# a new string column (§8 example) — deliberately tight (stricter than Dataverse is fine, laxer is not).
_KNOWN_LENGTHS = {"subject": 200, "name": 160, "firstname": 50, "lastname": 50, "middlename": 50,
                  "fullname": 160, "emailaddress1": 100, "emailaddress2": 100, "emailaddress3": 100,
                  "telephone1": 50, "telephone2": 50, "telephone3": 50, "mobilephone": 50, "fax": 50,
                  "description": 2000, "websiteurl": 200, "accountnumber": 20, "title": 200,
                  "invoicenumber": 100, "notetext": 100000, "documentbody": 1073741823, "filename": 255,
                  "mimetype": 256, "relativeurl": 255, "absoluteurl": 2000, "ticketnumber": 100,
                  "productdescription": 850, "jobtitle": 100}
_TABLE_LENGTHS = {"account.name": 160, "task.subject": 200, "opportunity.name": 300, "incident.title": 200,
                  "invoice.name": 300, "annotation.subject": 500, "email.description": 1073741823,
                  "phonecall.description": 2000, "appointment.description": 1048576}
DEFAULT_STRING_LENGTH = 100


def string_max_length(table: str, column: str) -> int:
    return _TABLE_LENGTHS.get(f"{table}.{column}") or _KNOWN_LENGTHS.get(column) or DEFAULT_STRING_LENGTH


# §6 table: statuscode -> the statecode it belongs to.
STATUS_STATE: dict[str, dict[int, int]] = {
    "opportunity": {1: 0, 2: 0, 3: 1, 4: 2, 5: 2},
    "incident": {1: 0, 2: 0, 3: 0, 4: 0, 5: 1, 1000: 1, 6: 2, 2000: 2},
    "invoice": {1: 0, 2: 0, 4: 0, 5: 0, 6: 0, 3: 1, 7: 1, 100001: 2, 100002: 2, 100003: 3},
    "task": {2: 0, 3: 0, 4: 0, 7: 0, 5: 1, 6: 2},
    "appointment": {1: 0, 2: 0, 3: 1, 4: 2, 5: 3, 6: 3},
    "phonecall": {1: 0, 2: 1, 4: 1, 3: 2},
    "email": {1: 0, 2: 1, 3: 1, 4: 1, 5: 2, 6: 1, 7: 1, 8: 1},
    "account": {1: 0, 2: 1},
    "contact": {1: 0, 2: 1},
}
# Tables whose IsCustomizable is false (metadata changes refused with CODES 0x80047008 EntityIsNotCustomizable);
# the platform's internal tables among those the sandbox holds (inferred).
NOT_CUSTOMIZABLE = frozenset({"activityparty", "publisher", "solution"})
# Activity tables a new table with HasActivities becomes a `regardingobjectid_<table>_<activity>` target of (§5).
ACTIVITY_TABLES = frozenset({"task", "appointment", "phonecall", "email"})
# §6: states only reachable through an action, and the action to name in the error.
ACTION_ONLY_STATES = {("opportunity", 1): "WinOpportunity", ("opportunity", 2): "LoseOpportunity",
                      ("incident", 1): "CloseIncident"}
# §6 "closed records become read-only": activities completed/canceled, invoices paid/canceled.
READ_ONLY_STATES = {"task": {1, 2}, "appointment": {1, 2}, "phonecall": {1, 2}, "email": {1, 2},
                    "invoice": {2, 3}, "opportunity": {1, 2}, "incident": {1, 2}}

# §7 (CODES RecordAndPricelistCurrencyNotEqual): these tables' currency must equal their price list's.
PRICE_LIST_CURRENCY_TABLES = frozenset({"invoice", "opportunity"})

# §12: (child table, lookup attribute, parent table) -> "Cascade" | "Restrict" | "RemoveLink".
DELETE_BEHAVIOUR = {
    ("opportunity", "customerid", "account"): "Cascade",
    ("opportunity", "parentaccountid", "account"): "Cascade",
    ("incident", "customerid", "account"): "Cascade",
    ("invoice", "customerid", "account"): "Restrict",
    ("invoice", "opportunityid", "opportunity"): "Restrict",
    ("invoicedetail", "invoiceid", "invoice"): "Cascade",
    ("opportunity", "pricelevelid", "pricelevel"): "RemoveLink",
    ("invoice", "pricelevelid", "pricelevel"): "Restrict",
    ("contact", "parentcustomerid", "account"): "Cascade",
    ("annotation", "objectid", "*"): "Cascade",
    ("task", "regardingobjectid", "*"): "Cascade",
    ("appointment", "regardingobjectid", "*"): "Cascade",
    ("phonecall", "regardingobjectid", "*"): "Cascade",
    ("email", "regardingobjectid", "*"): "Cascade",
    ("sharepointdocumentlocation", "regardingobjectid", "*"): "Cascade",
}
# Anything not listed: RemoveLink (the platform default for non-parental relationships) (inferred).


def _solution_table(primary: str, entityset: str, attributes: dict[str, str],
                    bindable: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"entityset": entityset, "primaryid": primary,
            "attributes": {primary: "Guid (primary key)", **attributes,
                           "createdon": "DateTime", "modifiedon": "DateTime", "versionnumber": "Number"},
            "bindable_navigation": bindable or {}, "optionsets": {}}


# §8: enough of publisher/solution to create a publisher with a prefix and a solution under it.
SOLUTION_TABLES: dict[str, dict[str, Any]] = {
    "publisher": _solution_table("publisherid", "publishers", {
        "uniquename": "String", "friendlyname": "String", "customizationprefix": "String",
        "customizationoptionvalueprefix": "Number", "description": "String"}),
    "solution": _solution_table("solutionid", "solutions", {
        "uniquename": "String", "friendlyname": "String", "version": "String", "description": "String",
        "publisherid": "Lookup(read as _publisherid_value)"}, {"publisherid": ["publishers"]}),
}
