"""The first rows of the object map, applied to generated Clio records (golden examples per map row)."""
from __future__ import annotations

import pytest

from shared.mapping.engine import CompiledMap
from shared.mapping.maps import load_map
from shared.mapping.model import MapFile
from shared.mapping.paths import PathError, parse, resolve

COMPANY = {"id": 11, "type": "Company", "name": "Golden-Blair", "is_client": True, "created_at":
           "2022-04-28T08:02:23-05:00", "email_addresses": [{"address": "x@old.example", "primary": False},
                                                           {"address": "Info@GoldenBlair.COM", "primary": True}],
           "phone_numbers": [{"number": "+1 210 555 0742", "primary": True}],
           "addresses": [{"street": "1 Main St", "city": "San Antonio", "primary": True}]}
PERSON = {"id": 12, "type": "Person", "name": "Aimée Fernandez", "first_name": "Aimée", "last_name": "Fernandez",
          "title": "Paralegal", "is_client": True, "company": {"id": 11}, "date_of_birth": "1701-02-03",
          "email_addresses": [{"address": "aimee(at)outlook", "primary": True}], "created_at": "2022-06-19T00:09:26Z"}
MATTER = {"id": 21, "display_number": "00001-Golden-Blair", "description": "Golden-Blair - Personal Injury",
          "status": "Open", "billing_method": "hourly", "client": {"id": 11}, "created_at": "2022-04-23T15:45:19-05:00"}
TIME = {"id": 31, "type": "TimeEntry", "date": "2022-04-17", "quantity": 12240.0, "price": 350.0, "total": 1190.0,
        "non_billable": False, "note": "Drafted the complaint", "matter": {"id": 21}}


@pytest.fixture(scope="module")
def compiled() -> CompiledMap:
    return CompiledMap(load_map())


def rows(compiled: CompiledMap, resource: str, record: dict) -> dict:
    return {row.table: row for table in compiled.for_resource(resource) if (row := table.map(record))}


def test_paths() -> None:
    assert resolve(COMPANY, parse("email_addresses[primary=true].address")) == "Info@GoldenBlair.COM"
    assert resolve(COMPANY, parse("phone_numbers[0].number")) == "+1 210 555 0742"
    assert resolve(COMPANY, parse("company.id")) is None
    assert resolve({"values": [{"field": {"id": 7}, "value": "x"}]}, parse("values[field.id=7].value")) == "x"
    with pytest.raises(PathError):
        parse("email_addresses[primary=true.address")


def test_a_company_client_becomes_an_account(compiled: CompiledMap) -> None:
    mapped = rows(compiled, "contacts", COMPANY)
    assert set(mapped) == {"company_to_account"}
    account = mapped["company_to_account"]
    assert account.key == "11" and account.loadable and account.problems == []
    assert account.values == {"name": "Golden-Blair", "emailaddress1": "Info@goldenblair.com",
                              "telephone1": "+1 210 555 0742", "address1_line1": "1 Main St",
                              "address1_city": "San Antonio", "overriddencreatedon": "2022-04-28T13:02:23Z"}
    assert account.lineage["emailaddress1"] == "contacts.email_addresses[primary=true].address | email@1.2.0"


def test_a_person_client_becomes_an_account_and_a_contact_with_its_problems_reported(compiled: CompiledMap) -> None:
    mapped = rows(compiled, "contacts", PERSON)
    assert set(mapped) == {"client_person_to_account", "person_to_contact"}
    contact = mapped["person_to_contact"]
    assert contact.values["parentcustomerid_account@odata.bind"] == "/accounts(new_clioid='11')"
    assert "emailaddress1" not in contact.values and "birthdate" not in contact.values
    assert {(line.field, line.severity, line.code) for line in contact.problems} == {
        ("emailaddress1", "warning", "INVALID_EMAIL"), ("birthdate", "error", "BEFORE_1753")}
    assert not contact.loadable and mapped["client_person_to_account"].loadable
    billing = rows(compiled, "contacts", {**PERSON, "is_bill_recipient": True})["person_to_contact"]
    assert billing.values["new_billrecipient"] is True  # a company's billing people stay recognisable


def test_a_matter_becomes_an_opportunity(compiled: CompiledMap) -> None:
    opportunity = rows(compiled, "matters", MATTER)["matter_to_opportunity"]
    assert opportunity.values == {"name": "Golden-Blair - Personal Injury", "new_matternumber": "00001-Golden-Blair",
                                  "new_cliostatus": 100000001, "new_billingmethod": 100000000,
                                  "customerid_account@odata.bind": "/accounts(new_clioid='11')",
                                  "overriddencreatedon": "2022-04-23T20:45:19Z"}
    orphan = rows(compiled, "matters", {**MATTER, "client": None})["matter_to_opportunity"]
    assert [line.code for line in orphan.problems] == ["REQUIRED_MISSING"] and not orphan.loadable


def test_a_time_entry_becomes_a_time_entry_row(compiled: CompiledMap) -> None:
    entry = rows(compiled, "activities", TIME)["time_entry_to_time_entry"]
    assert entry.values == {"new_name": "Drafted the complaint", "new_date": "2022-04-17",
                            "new_durationminutes": 204, "new_rate": 350.0, "new_total": 1190.0,
                            "new_nonbillable": False,
                            "new_OpportunityId@odata.bind": "/opportunities(new_clioid='21')"}
    timeline = rows(compiled, "activities", TIME)["time_entry_to_timeline_task"]
    assert timeline.values == {"subject": "Drafted the complaint", "actualend": "2022-04-17T00:00:00Z",
                               "actualdurationminutes": 204,
                               "regardingobjectid_opportunity_task@odata.bind": "/opportunities(new_clioid='21')"}
    untitled = rows(compiled, "activities", {**TIME, "note": ""})["time_entry_to_timeline_task"]
    assert untitled.values["subject"] == "Time entry" and [l.code for l in untitled.problems] == ["FALLBACK_USED"]
    assert untitled.loadable
    assert timeline.key == "time-entry-31" and entry.key == "31"  # tasks are keyed by Clio task ids too
    assert set(rows(compiled, "activities", {**TIME, "type": "ExpenseEntry"})) == {"expense_entry_to_expense_entry"}


def test_a_record_without_an_id_is_reported() -> None:
    row = CompiledMap(load_map()).for_resource("matters")[0].map({**MATTER, "id": None})
    assert row is not None and [line.code for line in row.problems] == ["NO_KEY"]


def test_map_files_are_validated_when_loaded() -> None:
    broken = load_map().model_dump(by_alias=True)
    broken["tables"][1]["name"] = broken["tables"][0]["name"]
    with pytest.raises(ValueError, match="named twice"):
        MapFile.model_validate(broken)
    broken = load_map().model_dump(by_alias=True)
    broken["tables"][0]["fields"][0]["transform"] = "no_such_transform"
    with pytest.raises(ValueError, match="Unknown transform"):
        CompiledMap(MapFile.model_validate(broken))


TASK = {"id": 41, "name": "File the motion", "description": "<p>Before <b>Friday</b></p>", "due_at": "2024-05-03",
        "priority": "High", "matter": {"id": 21}, "created_at": "2024-04-01T09:00:00Z"}
EVENT = {"id": "51", "summary": "Deposition", "location": "Room 4", "start_at": "2024-05-06T14:00:00-05:00",
         "end_at": "2024-05-06T16:00:00-05:00", "all_day": False, "matter": {"id": 21}}
CALL = {"id": 61, "type": "PhoneCommunication", "subject": "Call with client", "body": "Discussed settlement",
        "received_at": "2024-05-07T10:00:00Z", "matter": {"id": 21}}
EMAIL = {"id": 62, "type": "EmailCommunication", "subject": "Draft attached", "body": "<p>See <i>draft</i></p>",
         "matter": {"id": 21}}
BILL = {"id": 81, "number": "1", "subject": "Invoice 1", "memo": "May work", "issued_at": "2022-05-22",
        "due_at": "2022-06-21", "state": "awaiting_payment", "kind": "revenue_kind", "total": 3115.0,
        "balance": 3115.0, "paid": 0.0, "client": {"id": 11}, "matters": [{"id": 21}]}
LINE = {"id": 91, "description": "Client meeting", "date": "2022-04-11", "price": 350.0, "quantity": 3.4,
        "kind": "Service", "total": 1190.0, "bill": {"id": 81}}
NOTE = {"id": 71, "type": "Contact", "subject": "Intake", "detail": "Prefers email", "contact": {"id": 12}}


def test_matters_split_between_opportunities_and_cases_by_practice_area() -> None:
    split = CompiledMap(load_map(), {"case_practice_areas": [5101]})
    litigation = {**MATTER, "practice_area": {"id": 5101}}
    assert set(rows(split, "matters", litigation)) == {"matter_to_case"}
    case = rows(split, "matters", litigation)["matter_to_case"]
    assert case.values["title"] == "Golden-Blair - Personal Injury"
    assert case.values["customerid_account@odata.bind"] == "/accounts(new_clioid='11')"
    assert set(rows(split, "matters", {**MATTER, "practice_area": {"id": 5102}})) == {"matter_to_opportunity"}
    with pytest.raises(ValueError, match="does not define"):
        CompiledMap(load_map(), {"litigation_areas": [1]})


def test_activities_land_regarding_their_matter(compiled: CompiledMap) -> None:
    task = rows(compiled, "tasks", TASK)["task_to_task"]
    assert task.values == {"subject": "File the motion", "description": "Before Friday",
                           "scheduledend": "2024-05-03T00:00:00Z", "prioritycode": 2,
                           "regardingobjectid_opportunity_task@odata.bind": "/opportunities(new_clioid='21')",
                           "overriddencreatedon": "2024-04-01T09:00:00Z"} and task.problems == []
    meeting = rows(compiled, "calendar_entries", EVENT)["calendar_entry_to_appointment"]
    assert (meeting.values["scheduledstart"], meeting.values["scheduledend"]) == ("2024-05-06T19:00:00Z",
                                                                                 "2024-05-06T21:00:00Z")
    assert set(rows(compiled, "communications", CALL)) == {"phone_communication_to_phonecall"}
    assert rows(compiled, "communications", CALL)["phone_communication_to_phonecall"].values == {
        "subject": "Call with client", "description": "Discussed settlement", "actualstart": "2024-05-07T10:00:00Z",
        "regardingobjectid_opportunity_phonecall@odata.bind": "/opportunities(new_clioid='21')"}
    email = rows(compiled, "communications", EMAIL)["email_communication_to_email"]
    assert email.values["description"] == "<p>See <i>draft</i></p>"
    note = rows(compiled, "notes", NOTE)["contact_note_to_annotation"]
    assert note.values["objectid_contact@odata.bind"] == "/contacts(new_clioid='12')"


def test_bills_become_invoices_with_write_in_lines(compiled: CompiledMap) -> None:
    invoice = rows(compiled, "bills", BILL)["bill_to_invoice"]
    assert invoice.values["opportunityid@odata.bind"] == "/opportunities(new_clioid='21')"
    assert invoice.values["new_cliostate"] == 100000002 and invoice.values["duedate"] == "2022-06-21"
    line = rows(compiled, "line_items", LINE)["line_item_to_invoice_line"]
    assert line.values == {"invoiceid@odata.bind": "/invoices(new_clioid='81')", "isproductoverridden": True,
                           "ispriceoverridden": True, "productdescription": "Client meeting", "priceperunit": 350.0,
                           "quantity": 3.4, "new_linekind": 100000000, "new_entrydate": "2022-04-11",
                           "new_cliototal": 1190.0}


EXPENSE = {"id": 32, "type": "HardCostEntry", "date": "2022-04-14", "quantity": 2.0, "price": 38.28, "total": 76.56,
           "note": "", "non_billable": False, "billed": True, "matter": {"id": 21}, "bill": {"id": 81},
           "expense_category": {"id": 8502, "name": "Court filing fee"}, "vendor": {"id": 5, "name": "County Court"},
           "utbms_expense": {"code": "E112"}, "created_at": "2022-04-14T02:23:50-05:00"}
BANK = {"id": 4401, "name": "IOLTA Trust", "type": "Trust", "account_number": "98686094", "balance": 95495.04,
        "currency": "USD", "default_account": True, "institution": "BNP Paribas"}
DEPOSIT = {"id": 2400000001, "date": "2022-04-12", "amount": 18219.06, "transaction_type": "Deposit",
           "funds_in": 18219.06, "funds_out": 0.0, "description": "Retainer deposit", "bank_account": {"id": 4401},
           "matter": {"id": 21}, "client": {"id": 11}, "current_account_balance": 18219.06}
FROM_TRUST = {"id": 2400000001, "date": "2022-04-13", "total": 799.75, "note": "Paid from trust",
              "matter": {"id": 21}, "client": {"id": 11}, "bill": {"id": 81}}
PARTY = {"id": 23, "description": "Opposing counsel", "matter": {"id": 21}, "contact": {"id": 11}}


def test_expenses_of_every_kind_become_expense_entries_on_the_matter(compiled: CompiledMap) -> None:
    entry = rows(compiled, "activities", EXPENSE)["expense_entry_to_expense_entry"]
    assert entry.values == {"new_name": "Expense", "new_costtype": 100000001, "new_date": "2022-04-14",
                            "new_quantity": 2.0, "new_price": 38.28, "new_total": 76.56, "new_nonbillable": False,
                            "new_billed": True, "new_expensecategory": "Court filing fee",
                            "new_vendor": "County Court", "new_utbmscode": "E112",
                            "new_OpportunityId@odata.bind": "/opportunities(new_clioid='21')",
                            "new_InvoiceId@odata.bind": "/invoices(new_clioid='81')",
                            "overriddencreatedon": "2022-04-14T07:23:50Z"}
    assert [line.code for line in entry.problems] == ["FALLBACK_USED"] and entry.loadable
    unlinked = rows(compiled, "activities", {**EXPENSE, "matter": None})["expense_entry_to_expense_entry"]
    assert not unlinked.loadable and [line.code for line in unlinked.problems][-1] == "REQUIRED_MISSING"


def test_trust_accounting_lands_in_trust_tables(compiled: CompiledMap) -> None:
    account = rows(compiled, "bank_accounts", BANK)["bank_account_to_trust_account"]
    assert account.values["new_accounttype"] == 100000000 and account.values["new_balance"] == 95495.04
    deposit = rows(compiled, "bank_transactions", DEPOSIT)["bank_transaction_to_trust_transaction"]
    assert deposit.values == {"new_name": "Retainer deposit", "new_date": "2022-04-12", "new_kind": 100000000,
                              "new_amount": 18219.06, "new_fundsin": 18219.06, "new_fundsout": 0.0,
                              "new_balanceafter": 18219.06,
                              "new_TrustAccountId@odata.bind": "/new_trustaccounts(new_clioid='4401')",
                              "new_OpportunityId@odata.bind": "/opportunities(new_clioid='21')",
                              "new_AccountId@odata.bind": "/accounts(new_clioid='11')"}
    applied = rows(compiled, "trust_line_items", FROM_TRUST)["trust_line_item_to_trust_transaction"]
    assert applied.key == "trust-line-item-2400000001" != deposit.key  # same Clio number, different resource
    assert applied.values["new_kind"] == 100000005
    assert applied.values["new_InvoiceId@odata.bind"] == "/invoices(new_clioid='81')"


def test_lookups_follow_the_matter_into_cases_and_the_contact_into_accounts() -> None:
    split = CompiledMap(load_map(), {"case_practice_areas": [5101]})
    split.place([("matters", {**MATTER, "practice_area": {"id": 5101}}), ("contacts", COMPANY), ("contacts", PERSON)])
    assert split.placements["contacts"] == {"11": ["accounts"], "12": ["accounts", "contacts"]}
    task = rows(split, "tasks", TASK)["task_to_task"]
    assert task.values["regardingobjectid_incident_task@odata.bind"] == "/incidents(new_clioid='21')"
    assert "regardingobjectid_opportunity_task@odata.bind" not in task.values
    assert rows(split, "bills", BILL)["bill_to_invoice"].values["new_CaseId@odata.bind"] == \
        "/incidents(new_clioid='21')"
    assert rows(split, "activities", TIME)["time_entry_to_time_entry"].values["new_CaseId@odata.bind"] == \
        "/incidents(new_clioid='21')"
    note = rows(split, "notes", {**NOTE, "type": "Matter", "matter": {"id": 21}})["matter_note_to_annotation"]
    assert note.values["objectid_incident@odata.bind"] == "/incidents(new_clioid='21')"
    company_party = rows(split, "relationships", PARTY)["relationship_to_matter_party"]
    assert company_party.values["new_AccountId@odata.bind"] == "/accounts(new_clioid='11')"
    person_party = rows(split, "relationships", {**PARTY, "contact": {"id": 12}})["relationship_to_matter_party"]
    assert person_party.values["new_ContactId@odata.bind"] == "/contacts(new_clioid='12')"
    unplaced = rows(CompiledMap(load_map()), "tasks", TASK)["task_to_task"]  # nothing placed: the default table
    assert unplaced.values["regardingobjectid_opportunity_task@odata.bind"] == "/opportunities(new_clioid='21')"


def test_notes_keep_their_original_author(compiled: CompiledMap) -> None:
    note = rows(compiled, "notes", {**NOTE, "author": {"id": 344001, "name": "Rachel Osborne"}})
    assert note["contact_note_to_annotation"].values["new_originalauthor"] == "Rachel Osborne"


def test_two_resources_writing_one_table_need_distinct_key_prefixes() -> None:
    broken = load_map().model_dump(by_alias=True)
    for table in broken["tables"]:
        if table["name"] == "trust_line_item_to_trust_transaction":
            table["key_prefix"] = ""
    with pytest.raises(ValueError, match="key_prefix"):
        MapFile.model_validate(broken)
