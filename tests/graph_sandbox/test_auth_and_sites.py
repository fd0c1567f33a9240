"""Tokens for https://graph.microsoft.com/.default only, Graph's 401, and finding sites and their libraries."""
from __future__ import annotations

import ssl
import subprocess
import sys

import httpx
from azure.identity import ClientSecretCredential

from sandboxes.graph import GraphConfig, create_app, graph_state, serve_graph
from tests.graph_sandbox.conftest import APP, Sandbox, error_of


def test_a_token_is_issued_for_graph_and_no_other_resource(sandbox: Sandbox) -> None:
    form = {"grant_type": "client_credentials", "client_id": APP.client_id, "client_secret": APP.client_secret,
            "scope": "https://testserver/.default"}
    url = f"/{APP.tenant_id}/oauth2/v2.0/token"
    assert sandbox.http.post(url, data=form).json()["error"] == "invalid_resource"
    form["scope"] = "https://graph.microsoft.com/.default"
    assert sandbox.http.post(url, data=form).status_code == 200
    form["client_secret"] = "wrong"
    assert sandbox.http.post(url, data=form).json()["error"] == "invalid_client"


def test_every_api_call_needs_a_live_graph_token(sandbox: Sandbox) -> None:
    path = f"/v1.0/drives/{sandbox.drive_id}/root"
    missing = sandbox.http.get(path)
    assert error_of(missing) == (401, "InvalidAuthenticationToken") and "WWW-Authenticate" in missing.headers
    assert error_of(sandbox.http.get(path, headers={"Authorization": "Bearer forged"}))[0] == 401
    assert sandbox.call("GET", f"drives/{sandbox.drive_id}/root").status_code == 200
    sandbox.state.clock.advance(3600)
    assert error_of(sandbox.call("GET", f"drives/{sandbox.drive_id}/root"))[0] == 401


def test_site_by_hostname_and_path_then_its_libraries(sandbox: Sandbox) -> None:
    site = sandbox.call("GET", "sites/contoso.sharepoint.com:/sites/ClioMigration")
    assert site.status_code == 200 and site.json()["webUrl"] == "https://contoso.sharepoint.com/sites/ClioMigration"
    assert sandbox.call("GET", "sites/CONTOSO.sharepoint.com:/sites/cliomigration:").json()["id"] == site.json()["id"]
    drives = sandbox.call("GET", f"sites/{site.json()['id']}/drives").json()["value"]
    assert [(d["name"], d["driveType"]) for d in drives] == [("Documents", "documentLibrary")]
    assert sandbox.call("GET", f"sites/{site.json()['id']}").json()["displayName"] == "Clio Migration"
    assert error_of(sandbox.call("GET", "sites/contoso.sharepoint.com:/sites/Other")) == (404, "itemNotFound")
    assert error_of(sandbox.call("GET", "drives/b!nope/root")) == (404, "itemNotFound")
    assert error_of(sandbox.call("GET", "me/drive"))[0] == 400


def test_azure_identity_gets_a_graph_token_over_https() -> None:
    app = create_app(GraphConfig(application_users=[APP]))
    with serve_graph(app) as (base_url, ca_pem):
        credential = ClientSecretCredential(APP.tenant_id, APP.client_id, APP.client_secret, authority=base_url,
                                            disable_instance_discovery=True, connection_verify=ca_pem)
        token = credential.get_token("https://graph.microsoft.com/.default")
        with httpx.Client(verify=ssl.create_default_context(cafile=ca_pem)) as client:
            response = client.get(f"{base_url}/v1.0/drives/{graph_state(app).drive().id}/root",
                                  headers={"Authorization": f"Bearer {token.token}"})
        assert response.status_code == 200 and "root" in response.json()
    graph_state(app).close()


def test_cli_prints_base_url_and_ca() -> None:
    process = subprocess.Popen([sys.executable, "-m", "sandboxes.graph", "--port", "0"], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        base_url, ca_pem = process.stdout.readline().strip(), process.stdout.readline().strip()
        response = httpx.get(f"{base_url}/v1.0/sites/contoso.sharepoint.com:/sites/ClioMigration",
                             verify=ssl.create_default_context(cafile=ca_pem))
        assert response.status_code == 401  # served over TLS; no token, no site
    finally:
        process.terminate()
        process.wait(timeout=10)
