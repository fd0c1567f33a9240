"""Further rules: concurrency limit (§4), legacy caller header (§6), attachments (§9), key characters and lookup
keys (§2), unbinding (§5), failed key index (§8), snapshot-seeded users, faults over the real server."""
from __future__ import annotations

import ssl

import httpx
import pytest
from starlette.testclient import TestClient

from sandboxes.clio.clock import SandboxClock
from sandboxes.dataverse import DataverseConfig, FaultRule, ServiceProtection, create_app, dataverse_state
from sandboxes.dataverse import serve_dataverse
from sandboxes.dataverse.errors import DataverseError
from sandboxes.dataverse.protection import ServiceProtectionLimiter
from tests.dataverse_sandbox.conftest import ALICE, APP, ORIGIN, Sandbox, error_of, make_sandbox


def test_concurrency_limit_is_immediate() -> None:
    limiter = ServiceProtectionLimiter(ServiceProtection(max_concurrent=1), SandboxClock())
    limiter.enter("app")
    with pytest.raises(DataverseError) as raised:
        limiter.enter("app")
    assert (raised.value.status, raised.value.code) == (429, "0x80072326")
    assert raised.value.message == "Number of concurrent requests exceeded the limit of 1."
    limiter.enter("other-app")  # limits are per application user
    limiter.leave("app", 0.1)
    limiter.enter("app")


def test_legacy_mscrmcallerid(sandbox: Sandbox) -> None:
    response = sandbox.call("GET", "WhoAmI", headers={"MSCRMCallerID": ALICE.systemuserid})
    assert response.json()["UserId"] == ALICE.systemuserid


def test_attachment_size_and_encoding() -> None:
    sandbox = make_sandbox(max_upload_file_size=8)
    assert sandbox.call("POST", "annotations", json={"subject": "s", "documentbody": "aGVsbG8="}).status_code == 204
    assert error_of(sandbox.call("POST", "annotations", json={"subject": "s", "documentbody": "aGVsbG8hIQ=="})) == (
        400, "0x80044a02", "Attachment file size is too big.")
    assert sandbox.call("POST", "annotations", json={"subject": "s", "documentbody": "not base64"}).status_code == 400


def test_key_characters_lookup_keys_and_unbind() -> None:
    sandbox = make_sandbox()
    table = sandbox.state.table("account")
    contact = sandbox.create("contacts", {"lastname": "Primary"})
    assert sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Keys", json={
        "SchemaName": "new_primary_key", "KeyAttributes": ["primarycontactid"]}).status_code == 204
    assert sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Keys", json={
        "SchemaName": "new_number_key", "KeyAttributes": ["accountnumber"]}).status_code == 204
    assert len(table.keys) == 2
    account = sandbox.create("accounts", {"name": "A", "primarycontactid@odata.bind": f"/contacts({contact})"})
    found = sandbox.call("GET", f"accounts(_primarycontactid_value={contact})?$select=name")
    assert found.status_code == 200 and found.json()["accountid"] == account
    assert sandbox.call("GET", "accounts(accountnumber='a/b')").status_code == 400
    filtered = sandbox.call("GET", f"accounts?$filter=_primarycontactid_value eq {contact}").json()["value"]
    assert [row["accountid"] for row in filtered] == [account]
    assert sandbox.call("PATCH", f"accounts({account})", json={"primarycontactid@odata.bind": None}).status_code == 204
    assert sandbox.state.rows("accounts")[0]["_primarycontactid_value"] is None


def test_key_over_duplicate_data_fails(sandbox: Sandbox) -> None:
    sandbox.create("accounts", {"name": "A", "accountnumber": "1"})
    sandbox.create("accounts", {"name": "B", "accountnumber": "1"})
    sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Keys",
                 json={"SchemaName": "new_number_key", "KeyAttributes": ["accountnumber"]})
    keys = sandbox.call("GET", "EntityDefinitions(LogicalName='account')/Keys").json()["value"]
    assert keys[0]["EntityKeyIndexStatus"] == "Failed"
    assert sandbox.call("GET", "accounts(accountnumber='1')").status_code == 400


def test_snapshot_seeds_system_users_for_impersonation() -> None:
    disabled = "cccccccc-0000-0000-0000-000000000003"
    snapshot = {"systemusers": [
        {"systemuserid": "11111111-0000-0000-0000-000000000001", "fullname": "Carol", "isdisabled": False,
         "islicensed": False, "azureactivedirectoryobjectid": "cccccccc-0000-0000-0000-000000000001"},
        {"systemuserid": "11111111-0000-0000-0000-000000000003", "fullname": "Dan", "isdisabled": True,
         "islicensed": True, "azureactivedirectoryobjectid": disabled}]}
    app = create_app(DataverseConfig(application_users=[APP]), snapshot)
    sandbox = Sandbox(dataverse_state(app), TestClient(app, base_url=ORIGIN))
    assert sandbox.call("GET", "WhoAmI", headers={"CallerObjectId": "cccccccc-0000-0000-0000-000000000001"}
                        ).json()["UserId"] == "11111111-0000-0000-0000-000000000001"
    assert error_of(sandbox.call("GET", "WhoAmI", headers={"CallerObjectId": disabled}))[1] == "0x80040225"


def test_faults_over_https() -> None:
    app = create_app(DataverseConfig(application_users=[APP]))
    state = dataverse_state(app)
    with serve_dataverse(app) as (base_url, ca_pem):
        with httpx.Client(verify=ssl.create_default_context(cafile=ca_pem), timeout=0.5) as client:
            token = client.post(f"{base_url}/{APP.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": "client_credentials", "client_id": APP.client_id,
                "client_secret": APP.client_secret, "scope": f"{base_url}/.default"}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            state.faults.add(FaultRule(kind="status", status=503, path="WhoAmI"))
            response = client.get(f"{base_url}/api/data/v9.2/WhoAmI", headers=headers)
            assert response.status_code == 503 and response.json()["error"]["code"] == "0x80040216"
            state.faults.add(FaultRule(kind="delay", delay_seconds=1.0, path="WhoAmI"))
            with pytest.raises(httpx.ReadTimeout):
                client.get(f"{base_url}/api/data/v9.2/WhoAmI", headers=headers)
            state.faults.add(FaultRule(kind="drop", path="accounts"))
            with pytest.raises(httpx.TransportError):
                client.get(f"{base_url}/api/data/v9.2/accounts", headers=headers)
            assert client.get(f"{base_url}/api/data/v9.2/WhoAmI", headers=headers).status_code == 200


def test_activity_binds_need_the_suffixed_names(sandbox: Sandbox) -> None:
    account = sandbox.create("accounts", {"name": "A"})
    assert sandbox.call("POST", "tasks", json={
        "subject": "t", "regardingobjectid_account_task@odata.bind": f"/accounts({account})",
        "ownerid_task@odata.bind": f"/systemusers({ALICE.systemuserid})"}).status_code == 204
    for nav in ("regardingobjectid_account", "regardingobjectid", "ownerid"):
        target = f"/accounts({account})" if nav.startswith("regarding") else f"/systemusers({ALICE.systemuserid})"
        assert error_of(sandbox.call("POST", "tasks", json={"subject": "t", f"{nav}@odata.bind": target}))[:2] == (
            400, "0x80048d19")


def test_upsert_multiple_by_alternate_key_needs_an_active_key() -> None:
    sandbox = make_sandbox(key_activation_delay_seconds=60)
    sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Keys",
                 json={"SchemaName": "new_number_key", "KeyAttributes": ["accountnumber"]})
    targets = {"Targets": [{"@odata.type": "Microsoft.Dynamics.CRM.account", "@odata.id": "accounts(accountnumber='7')",
                            "name": "Seven"}], }
    path = "accounts/Microsoft.Dynamics.CRM.UpsertMultiple"
    assert sandbox.call("POST", path, json=targets).status_code == 400
    sandbox.state.clock.advance(61)
    assert sandbox.call("POST", path, json=targets, headers={"If-None-Match": "null"}).status_code == 204
    targets["Targets"][0]["name"] = "Seven again"
    assert sandbox.call("POST", path, json=targets).status_code == 204
    assert [(row["accountnumber"], row["name"]) for row in sandbox.state.rows("accounts")] == [("7", "Seven again")]


def test_publish_xml_needs_parameter_xml(sandbox: Sandbox) -> None:
    assert sandbox.call("POST", "PublishXml", json={}).status_code == 400
    xml = "<importexportxml><entities><entity>account</entity></entities></importexportxml>"
    assert sandbox.call("POST", "PublishXml", json={"ParameterXml": xml}).status_code == 204
    assert sandbox.state.publications == [xml]


def test_invoice_currency_must_match_its_price_list(sandbox: Sandbox) -> None:
    euro = sandbox.create("transactioncurrencies", {"currencyname": "Euro"})
    dollar = sandbox.create("transactioncurrencies", {"currencyname": "Dollar"})
    price_list = sandbox.create("pricelevels", {"name": "EUR", "transactioncurrencyid@odata.bind":
                                                f"/transactioncurrencies({euro})"})
    base = {"name": "I", "pricelevelid@odata.bind": f"/pricelevels({price_list})"}
    assert error_of(sandbox.call("POST", "invoices", json={
        **base, "transactioncurrencyid@odata.bind": f"/transactioncurrencies({dollar})"}))[:2] == (400, "0x80048cf6")
    assert sandbox.call("POST", "invoices", json={
        **base, "transactioncurrencyid@odata.bind": f"/transactioncurrencies({euro})"}).status_code == 204
