"""HTTPS with a local CA, and tokens from the real azure-identity ClientSecretCredential (dataverse.md §1)."""
from __future__ import annotations

import ssl
import subprocess
import sys

import httpx
from azure.identity import ClientSecretCredential

from sandboxes.dataverse import DataverseConfig, create_app, serve_dataverse
from tests.dataverse_sandbox.conftest import APP


def test_azure_identity_token_then_https_call() -> None:
    app = create_app(DataverseConfig(application_users=[APP]))
    with serve_dataverse(app) as (base_url, ca_pem):
        assert base_url.startswith("https://localhost:")
        credential = ClientSecretCredential(APP.tenant_id, APP.client_id, APP.client_secret, authority=base_url,
                                            disable_instance_discovery=True, connection_verify=ca_pem)
        token = credential.get_token(f"{base_url}/.default")
        assert token.expires_on > 0
        with httpx.Client(verify=ssl.create_default_context(cafile=ca_pem)) as client:
            response = client.get(f"{base_url}/api/data/v9.2/WhoAmI",
                                  headers={"Authorization": f"Bearer {token.token}"})
            assert response.status_code == 200, response.text
            assert response.json()["UserId"] == APP.systemuserid
            try:
                httpx.get(f"{base_url}/api/data/v9.2/WhoAmI")  # the system trust store does not know the CA
                raise AssertionError("an unknown CA was trusted")
            except httpx.ConnectError:
                pass


def test_wrong_secret_and_scope_are_refused() -> None:
    app = create_app(DataverseConfig(application_users=[APP]))
    with serve_dataverse(app) as (base_url, ca_pem):
        with httpx.Client(verify=ssl.create_default_context(cafile=ca_pem)) as client:
            url = f"{base_url}/{APP.tenant_id}/oauth2/v2.0/token"
            form = {"grant_type": "client_credentials", "client_id": APP.client_id, "client_secret": "bad",
                    "scope": f"{base_url}/.default"}
            assert client.post(url, data=form).json()["error"] == "invalid_client"
            form["client_secret"] = APP.client_secret
            form["scope"] = "https://other.crm.dynamics.com/.default"
            assert client.post(url, data=form).json()["error"] == "invalid_resource"
            form["scope"] = f"{base_url}/user_impersonation"
            assert client.post(url, data=form).json()["error"] == "invalid_scope"


def test_cli_prints_base_url_and_ca() -> None:
    process = subprocess.Popen([sys.executable, "-m", "sandboxes.dataverse", "--port", "0"], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        base_url, ca_pem = process.stdout.readline().strip(), process.stdout.readline().strip()
        response = httpx.get(f"{base_url}/sandbox-tenant-unknown/v2.0/.well-known/openid-configuration",
                             verify=ssl.create_default_context(cafile=ca_pem))
        assert response.status_code == 400  # served over TLS; unknown tenant refused
    finally:
        process.terminate()
        process.wait(timeout=10)
