"""CreateMultiple/UpdateMultiple/UpsertMultiple (dataverse.md §3.2) and $batch (§3.1)."""
from __future__ import annotations

from tests.dataverse_sandbox.conftest import Sandbox, error_of

ACCOUNT = "Microsoft.Dynamics.CRM.account"


def test_create_update_upsert_multiple(sandbox: Sandbox) -> None:
    response = sandbox.call("POST", "accounts/Microsoft.Dynamics.CRM.CreateMultiple", json={"Targets": [
        {"@odata.type": ACCOUNT, "name": "A"}, {"@odata.type": ACCOUNT, "name": "B"}]})
    assert response.status_code == 200
    first, second = response.json()["Ids"]
    assert sandbox.call("POST", "accounts/Microsoft.Dynamics.CRM.UpdateMultiple", json={"Targets": [
        {"@odata.type": ACCOUNT, "accountid": first, "name": "A2"}]}).status_code == 204
    new_id = "12345678-1234-1234-1234-123456789012"
    assert sandbox.call("POST", "accounts/Microsoft.Dynamics.CRM.UpsertMultiple", json={"Targets": [
        {"@odata.type": ACCOUNT, "accountid": second, "name": "B2"},
        {"@odata.type": ACCOUNT, "accountid": new_id, "name": "C"}]}).status_code == 204
    assert sorted(row["name"] for row in sandbox.state.rows("accounts")) == ["A2", "B2", "C"]


def test_bulk_is_atomic_strict_and_table_limited(sandbox: Sandbox) -> None:
    status, _, message = error_of(sandbox.call("POST", "accounts/Microsoft.Dynamics.CRM.CreateMultiple", json={
        "Targets": [{"@odata.type": ACCOUNT, "name": "ok"}, {"@odata.type": ACCOUNT, "name": "n" * 161}]}))
    assert status == 400 and "Targets[1]" in message and sandbox.state.rows("accounts") == []
    assert error_of(sandbox.call("POST", "accounts/Microsoft.Dynamics.CRM.CreateMultiple",
                                 json={"Targets": [{"name": "no type"}]}))[0] == 400
    assert error_of(sandbox.call("POST", "accounts/Microsoft.Dynamics.CRM.CreateMultiple",
                                 json={"Targets": [{"@odata.type": "Microsoft.Dynamics.CRM.contact"}]}))[0] == 400
    assert error_of(sandbox.call("POST", "tasks/Microsoft.Dynamics.CRM.CreateMultiple", json={
        "Targets": [{"@odata.type": "Microsoft.Dynamics.CRM.task", "subject": "s"}]}))[0] == 400


def _batch(parts: list[str], boundary: str = "batch_1") -> str:
    return "".join(f"--{boundary}\r\n{part}" for part in parts) + f"--{boundary}--\r\n"


def _request(method: str, url: str, body: str = "", content_id: str | None = None) -> str:
    head = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
    if content_id:
        head += f"Content-ID: {content_id}\r\n"
    return f"{head}\r\n{method} {url} HTTP/1.1\r\nContent-Type: application/json; type=entry\r\n\r\n{body}\r\n"


def _changeset(parts: list[str]) -> str:
    inner = "".join(f"--changeset_1\r\n{part}" for part in parts) + "--changeset_1--\r\n"
    return f"Content-Type: multipart/mixed; boundary=changeset_1\r\n\r\n{inner}"


def _post_batch(sandbox: Sandbox, body: str, prefer: str | None = None) -> tuple[int, str]:
    headers = {"Content-Type": "multipart/mixed; boundary=batch_1"}
    if prefer:
        headers["Prefer"] = prefer
    response = sandbox.call("POST", "$batch", content=body.encode(), headers=headers)
    return response.status_code, response.text


def test_batch_changeset_with_content_id_references(sandbox: Sandbox) -> None:
    body = _batch([_changeset([
        _request("POST", "/api/data/v9.2/accounts", '{"name":"Parent"}', "1"),
        _request("POST", "/api/data/v9.2/contacts", '{"lastname":"Kid","parentcustomerid_account@odata.bind":"$1"}',
                 "2"),
        _request("PATCH", "$1", '{"telephone1":"1"}', "3")]),
        _request("GET", "/api/data/v9.2/accounts?$select=name")])
    status, text = _post_batch(sandbox, body)
    assert status == 200 and text.count("HTTP/1.1 204") == 3 and "HTTP/1.1 200" in text
    assert "changesetresponse_" in text and "Content-ID: 2" in text
    assert sandbox.state.rows("accounts")[0]["telephone1"] == "1"


def test_batch_changeset_rolls_back_and_stops(sandbox: Sandbox) -> None:
    body = _batch([_changeset([_request("POST", "/api/data/v9.2/accounts", '{"name":"A"}', "1"),
                               _request("POST", "/api/data/v9.2/tasks", '{"subject":"' + "s" * 201 + '"}', "2")]),
                   _request("POST", "/api/data/v9.2/accounts", '{"name":"after"}')])
    status, text = _post_batch(sandbox, body)
    assert status == 400 and "0x80044331" in text and sandbox.state.rows("accounts") == []
    status, text = _post_batch(sandbox, body, "odata.continue-on-error")
    assert status == 200 and [row["name"] for row in sandbox.state.rows("accounts")] == ["after"]


def test_batch_rejects_lf_get_in_changeset_and_forward_refs(sandbox: Sandbox) -> None:
    good = _batch([_request("POST", "/api/data/v9.2/accounts", '{"name":"A"}')])
    status, text = _post_batch(sandbox, good.replace("\r\n", "\n"))
    assert status == 400 and "0x80048d19" in text and "Stream was not readable" in text
    status, _ = _post_batch(sandbox, _batch([_changeset([_request("GET", "/api/data/v9.2/accounts")])]))
    assert status == 400
    status, text = _post_batch(sandbox, _batch([_changeset([
        _request("POST", "/api/data/v9.2/contacts", '{"lastname":"K","parentcustomerid_account@odata.bind":"$1"}',
                 "2")])]))
    assert status == 400 and "Content-ID Reference: '$1' does not exist in the batch context." in text
    many = _batch([_request("GET", "/api/data/v9.2/WhoAmI")] * 1001)
    assert _post_batch(sandbox, many)[0] == 400
