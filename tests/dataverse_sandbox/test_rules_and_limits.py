"""State rules and actions (dataverse.md §6), impersonation, service protection (§4), faults, snapshots (§13)."""
from __future__ import annotations

from sandboxes.dataverse import FaultRule, ServiceProtection, create_app, dataverse_state
from sandboxes.dataverse.config import DataverseConfig
from tests.dataverse_sandbox.conftest import ALICE, APP, BOB, Sandbox, error_of, make_sandbox


def test_win_lose_and_close_only_through_actions(sandbox: Sandbox) -> None:
    opportunity = sandbox.create("opportunities", {"name": "O"})
    assert "WinOpportunityRequest" in error_of(sandbox.call("PATCH", f"opportunities({opportunity})",
                                                            json={"statecode": 1, "statuscode": 3}))[2]
    assert sandbox.call("PATCH", f"opportunities({opportunity})", json={"statecode": 0, "statuscode": 3}
                        ).status_code == 400  # pair mismatch
    assert sandbox.call("POST", "WinOpportunity", json={"Status": 3, "OpportunityClose": {
        "subject": "Won", "opportunityid@odata.bind": f"/opportunities({opportunity})"}}).status_code == 204
    assert sandbox.state.rows("opportunities")[0]["statecode"] == 1
    assert sandbox.call("PATCH", f"opportunities({opportunity})", json={"name": "late"}).status_code == 400
    incident = sandbox.create("incidents", {"title": "Case"})
    assert "CloseIncidentRequest" in error_of(sandbox.call("PATCH", f"incidents({incident})",
                                                          json={"statecode": 1, "statuscode": 5}))[2]
    assert sandbox.call("POST", "CloseIncident", json={"Status": 5, "IncidentResolution": {
        "subject": "Done", "incidentid@odata.bind": f"/incidents({incident})"}}).status_code == 204
    task = sandbox.create("tasks", {"subject": "T"})
    assert sandbox.call("PATCH", f"tasks({task})", json={"statecode": 1, "statuscode": 5}).status_code == 204
    assert sandbox.call("PATCH", f"tasks({task})", json={"subject": "edit"}).status_code == 400


def test_overriddencreatedon_on_create_only(sandbox: Sandbox) -> None:
    account = sandbox.create("accounts", {"name": "A", "overriddencreatedon": "2019-05-01T10:00:00Z"})
    row = sandbox.state.rows("accounts")[0]
    assert row["createdon"] == "2019-05-01T10:00:00Z" and row["overriddencreatedon"] != "2019-05-01T10:00:00Z"
    sandbox.call("PATCH", f"accounts({account})", json={"overriddencreatedon": "2001-01-01T00:00:00Z"})
    assert sandbox.state.rows("accounts")[0]["createdon"] == "2019-05-01T10:00:00Z"


def test_impersonation_and_disabled_users(sandbox: Sandbox) -> None:
    sandbox.create("accounts", {"name": "A"})
    response = sandbox.call("POST", "accounts", json={"name": "B"},
                            headers={"CallerObjectId": ALICE.azureactivedirectoryobjectid})
    assert response.status_code == 204
    row = [row for row in sandbox.state.rows("accounts") if row["name"] == "B"][0]
    assert row["_createdby_value"] == ALICE.systemuserid and row["_createdonbehalfby_value"] == APP.systemuserid
    assert error_of(sandbox.call("POST", "accounts", json={"name": "C"},
                                 headers={"CallerObjectId": BOB.azureactivedirectoryobjectid}))[1] == "0x80040225"
    assert error_of(sandbox.call("POST", "accounts", json={
        "name": "D", "ownerid@odata.bind": f"/systemusers({BOB.systemuserid})"}))[1] == "0x80040225"
    denied = make_sandbox()
    denied.state.tokens._users[APP.client_id] = APP.model_copy(update={"can_impersonate": False})
    assert denied.call("GET", "WhoAmI", headers={"CallerObjectId": ALICE.azureactivedirectoryobjectid}
                       ).status_code == 403


def test_service_protection_requests_and_headers() -> None:
    sandbox = make_sandbox(service_protection=ServiceProtection(max_requests=3), dop_hint=7)
    token = sandbox.token()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(3):
        response = sandbox.http.get("/api/data/v9.2/WhoAmI", headers=headers)
        assert response.status_code == 200 and response.headers["x-ms-dop-hint"] == "7"
    response = sandbox.http.get("/api/data/v9.2/WhoAmI", headers=headers)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"] == {"code": "0x80072322", "message": "Number of requests exceeded the limit "
                                        "of 3 over time window of 300 seconds."}
    sandbox.state.clock.advance(301)
    assert sandbox.http.get("/api/data/v9.2/WhoAmI", headers=headers).status_code == 200


def test_execution_time_limit_counts_simulated_latency() -> None:
    sandbox = make_sandbox(service_protection=ServiceProtection(max_execution_seconds=0.05),
                           latency={"seconds_per_request": 0.06})
    assert sandbox.call("GET", "WhoAmI").status_code == 200
    response = sandbox.call("GET", "WhoAmI")
    assert response.status_code == 429 and response.json()["error"]["code"] == "0x80072321"


def test_fault_injection_503(sandbox: Sandbox) -> None:
    sandbox.state.faults.add(FaultRule(kind="status", status=503, path="/api/data/v9.2/accounts", times=1))
    assert sandbox.call("GET", "accounts").status_code == 503
    assert sandbox.call("GET", "accounts").status_code == 200


def test_snapshot_export_and_reseed(sandbox: Sandbox) -> None:
    sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Attributes", json={
        "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", "SchemaName": "new_ClioId"})
    sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Keys",
                 json={"SchemaName": "new_clioid_key", "KeyAttributes": ["new_clioid"]})
    sandbox.create("accounts", {"name": "A", "new_clioid": "1"})
    exported = sandbox.state.export()
    assert list(exported) == sorted(exported) and "new_clioid" in exported["_metadata"]["account"]["columns"]
    again = dataverse_state(create_app(DataverseConfig(application_users=[APP]), exported))
    assert again.export() == exported


def test_lose_opportunity_closes_it_as_lost(sandbox: Sandbox) -> None:
    opportunity = sandbox.create("opportunities", {"name": "Estate plan"})
    assert sandbox.call("POST", "LoseOpportunity", json={"Status": 4, "OpportunityClose": {
        "subject": "Lost", "opportunityid@odata.bind": f"/opportunities({opportunity})"}}).status_code == 204
    row = sandbox.state.rows("opportunities")[0]
    assert (row["statecode"], row["statuscode"]) == (2, 4)
    assert sandbox.call("PATCH", f"opportunities({opportunity})", json={"name": "late"}).status_code == 400


def test_concurrent_requests_over_the_limit_get_429_over_http() -> None:
    """dataverse.md §4: concurrency errors immediately, with its own code (0x80072326) and Retry-After."""
    import httpx
    from concurrent.futures import ThreadPoolExecutor

    from localrun.dataverse_sandbox import running_dataverse
    from shared.dataverse.auth import TokenSource, credential
    from shared.settings import Settings

    protection = {"max_concurrent": 2, "max_requests": 6000, "window_seconds": 300.0,
                  "max_execution_seconds": 1200.0}
    with running_dataverse(service_protection=protection, latency={"seconds_per_request": 0.5}) as dataverse:
        settings = Settings(**dataverse.settings())  # type: ignore[arg-type]
        token = TokenSource(credential(settings), dataverse.base_url).token()
        with httpx.Client(verify=dataverse.ca_pem) as http:
            def who_am_i(_: int) -> httpx.Response:
                return http.get(f"{dataverse.base_url}/api/data/v9.2/WhoAmI",
                                headers={"Authorization": f"Bearer {token}"})

            with ThreadPoolExecutor(max_workers=4) as pool:
                answers = list(pool.map(who_am_i, range(4)))
    refused = [a for a in answers if a.status_code == 429]
    assert refused and sum(a.status_code == 200 for a in answers) >= 2
    assert refused[0].json()["error"]["code"] == "0x80072326" and refused[0].headers["Retry-After"]
