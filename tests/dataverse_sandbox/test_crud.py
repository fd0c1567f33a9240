"""Create / read / upsert / delete rules (dataverse.md §2, §5, §12, §13)."""
from __future__ import annotations

from tests.dataverse_sandbox.conftest import API, Sandbox, error_of


def test_create_returns_204_with_entity_id_and_representation_on_request(sandbox: Sandbox) -> None:
    response = sandbox.call("POST", "accounts", json={"name": "Contoso"})
    assert response.status_code == 204 and response.text == ""
    assert response.headers["OData-EntityId"].startswith(f"{API}/accounts(")
    assert response.headers["x-ms-dop-hint"] == "4"
    response = sandbox.call("POST", "accounts?$select=name", json={"name": "Fabrikam"},
                            headers={"Prefer": "return=representation"})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Fabrikam" and body["@odata.etag"].startswith('W/"') and "accountid" in body


def test_unknown_and_wrong_case_properties_are_rejected(sandbox: Sandbox) -> None:
    assert error_of(sandbox.call("POST", "accounts", json={"Name": "x"})) == (
        400, "0x0", "Invalid property 'Name' was found in entity 'Microsoft.Dynamics.CRM.account'.")
    assert sandbox.call("POST", "Accounts", json={"name": "x"}).json()["error"]["code"] == "0x8006088a"
    assert error_of(sandbox.call("POST", "accounts", json={"_parentaccountid_value": "x"}))[1] == "0x0"


def test_types_lengths_and_option_values(sandbox: Sandbox) -> None:
    status, code, message = error_of(sandbox.call("POST", "tasks", json={"subject": "s" * 201}))
    assert (status, code) == (400, "0x80044331")
    assert message == ("A validation error occurred. The length of the 'subject' attribute of the 'task' entity "
                       "exceeded the maximum allowed length of '200'.")
    assert error_of(sandbox.call("POST", "accounts", json={"industrycode": 999999}))[1] == "0x8004431A"
    assert error_of(sandbox.call("POST", "accounts", json={"name": 5}))[0] == 400
    assert error_of(sandbox.call("POST", "invoices", json={"name": "i", "duedate": "2024-01-01T00:00:00Z"}))[0] == 400
    assert sandbox.call("POST", "invoices", json={"name": "i", "duedate": "2024-01-01"}).status_code == 204
    assert error_of(sandbox.call("POST", "tasks", json={"subject": "s", "scheduledend": "2024-01-01"}))[0] == 400


def test_bind_rules(sandbox: Sandbox) -> None:
    account = sandbox.create("accounts", {"name": "A"})
    assert sandbox.call("POST", "contacts", json={
        "lastname": "L", "parentcustomerid_account@odata.bind": f"/accounts({account})"}).status_code == 204
    # §5: the un-suffixed polymorphic name fails like Dataverse.
    status, code, message = error_of(sandbox.call("POST", "contacts", json={
        "lastname": "L", "parentcustomerid@odata.bind": f"/accounts({account})"}))
    assert (status, code) == (400, "0x80048d19") and "undeclared property 'parentcustomerid'" in message
    # target set must be one the nav allows; referenced row must exist.
    assert error_of(sandbox.call("POST", "contacts", json={
        "lastname": "L", "parentcustomerid_account@odata.bind": f"/contacts({account})"}))[0] == 400
    missing = "00000000-0000-0000-0000-000000000001"
    assert error_of(sandbox.call("POST", "contacts", json={
        "lastname": "L", "parentcustomerid_account@odata.bind": f"accounts({missing})"}))[:2] == (404, "0x80040217")


def test_create_only_navigation_is_rejected_on_update(sandbox: Sandbox) -> None:
    currency = sandbox.create("transactioncurrencies", {"currencyname": "Euro"})
    invoice = sandbox.create("invoices", {"name": "I",
                                          "transactioncurrencyid@odata.bind": f"/transactioncurrencies({currency})"})
    response = sandbox.call("PATCH", f"invoices({invoice})", headers={"If-Match": "*"},
                            json={"transactioncurrencyid@odata.bind": f"/transactioncurrencies({currency})"})
    assert response.status_code == 400


def test_upsert_conditions_and_etags(sandbox: Sandbox) -> None:
    row_id = "11111111-2222-3333-4444-555555555555"
    created = sandbox.call("PATCH", f"accounts({row_id})", json={"name": "U"},
                           headers={"Prefer": "return=representation", "If-None-Match": "null"})
    assert created.status_code == 201 and created.json()["accountid"] == row_id
    updated = sandbox.call("PATCH", f"accounts({row_id})", json={"name": "V"},
                           headers={"Prefer": "return=representation"})
    assert updated.status_code == 200 and updated.json()["name"] == "V"
    assert sandbox.call("PATCH", f"accounts({row_id})", json={"name": "W"}).status_code == 204
    assert error_of(sandbox.call("PATCH", f"accounts({row_id})", json={"name": "X"},
                                 headers={"If-None-Match": "*"}))[:2] == (412, "0x80040237")
    other = "99999999-2222-3333-4444-555555555555"
    assert error_of(sandbox.call("PATCH", f"accounts({other})", json={"name": "X"},
                                 headers={"If-Match": "*"})) == (
        404, "0x80040217", f"account With Id = {other} Does Not Exist")
    status, code, _ = error_of(sandbox.call("PATCH", f"accounts({row_id})", json={"name": "X"},
                                            headers={"If-Match": 'W/"1"'}))
    assert status == 412
    etag = sandbox.call("GET", f"accounts({row_id})").json()["@odata.etag"]
    response = sandbox.call("PATCH", f"accounts({row_id})", json={"name": "Y"}, headers={"If-Match": etag})
    assert response.status_code == 204


def test_query_select_filter_order_top_and_paging(sandbox: Sandbox) -> None:
    for index in range(7):
        sandbox.create("accounts", {"name": f"N{index}", "numberofemployees": index,
                                    "accountnumber": f"A{index}"})
    response = sandbox.call("GET", "accounts?$select=name&$filter=numberofemployees ge 2 and numberofemployees lt 5"
                                   "&$orderby=name desc")
    assert [row["name"] for row in response.json()["value"]] == ["N4", "N3", "N2"]
    assert set(response.json()["value"][0]) == {"@odata.etag", "name", "accountid"}
    response = sandbox.call("GET", "accounts?$select=name&$filter=name in ('N1','N6') or name eq 'N0'&$orderby=name")
    assert [row["name"] for row in response.json()["value"]] == ["N0", "N1", "N6"]
    response = sandbox.call("GET", "accounts?$select=name&$filter=Microsoft.Dynamics.CRM.In(PropertyName='name',"
                                   "PropertyValues=['N2','N3'])&$orderby=name")
    assert [row["name"] for row in response.json()["value"]] == ["N2", "N3"]
    assert sandbox.call("GET", "accounts?$top=2").json()["value"].__len__() == 2
    assert sandbox.call("GET", "accounts?$select=Name").status_code == 400
    names: list[str] = []
    url = "accounts?$select=name&$orderby=name"
    while True:
        page = sandbox.call("GET", url, headers={"Prefer": "odata.maxpagesize=3"}).json()
        names += [row["name"] for row in page["value"]]
        if "@odata.nextLink" not in page:
            break
        url = page["@odata.nextLink"].split("/api/data/v9.2/", 1)[1]
    assert names == [f"N{index}" for index in range(7)]
    created = sandbox.call("GET", "accounts?$filter=createdon gt 2000-01-01T00:00:00Z").json()["value"]
    assert len(created) == 7


def test_delete_cascade_and_restrict(sandbox: Sandbox) -> None:
    account = sandbox.create("accounts", {"name": "A"})
    opportunity = sandbox.create("opportunities", {"name": "O",
                                                   "customerid_account@odata.bind": f"/accounts({account})"})
    invoice = sandbox.create("invoices", {"name": "I", "customerid_account@odata.bind": f"/accounts({account})"})
    line = sandbox.create("invoicedetails", {"invoiceid@odata.bind": f"/invoices({invoice})", "quantity": 1,
                                             "isproductoverridden": True, "productdescription": "Fees"})
    assert sandbox.call("DELETE", f"accounts({account})").status_code == 400  # account->invoice Restrict
    assert sandbox.state.rows("opportunities")  # and nothing was deleted
    assert sandbox.call("DELETE", f"invoices({invoice})").status_code == 204
    assert sandbox.call("GET", f"invoicedetails({line})").status_code == 404  # invoice->invoicedetail Cascade
    assert sandbox.call("DELETE", f"accounts({account})").status_code == 204
    assert sandbox.call("GET", f"opportunities({opportunity})").status_code == 404  # account->opportunity Cascade
    assert error_of(sandbox.call("DELETE", f"accounts({account})"))[:2] == (404, "0x80040217")


def test_bearer_token_required(sandbox: Sandbox) -> None:
    response = sandbox.http.get("/api/data/v9.2/accounts")
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    response = sandbox.http.get("/api/data/v9.2/accounts", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    token = sandbox.token()
    sandbox.state.clock.advance(3600)
    assert sandbox.http.get("/api/data/v9.2/accounts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
