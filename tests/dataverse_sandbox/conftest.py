"""A fresh sandbox per test behind Starlette's TestClient (TLS tests use the real HTTPS server instead)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from sandboxes.dataverse import ApplicationUser, DataverseConfig, DataverseState, SystemUserSeed, create_app
from sandboxes.dataverse import dataverse_state

APP = ApplicationUser(client_id="loader-app", client_secret="loader-secret", tenant_id="tenant-1")
ALICE = SystemUserSeed(fullname="Alice Enabled", azureactivedirectoryobjectid="aaaaaaaa-0000-0000-0000-000000000001")
BOB = SystemUserSeed(fullname="Bob Disabled", isdisabled=True,
                     azureactivedirectoryobjectid="bbbbbbbb-0000-0000-0000-000000000002")
ORIGIN = "https://testserver"
API = f"{ORIGIN}/api/data/v9.2"


@dataclass
class Sandbox:
    state: DataverseState
    http: TestClient

    def token(self) -> str:
        response = self.http.post(f"/{APP.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "client_credentials", "client_id": APP.client_id, "client_secret": APP.client_secret,
            "scope": f"{ORIGIN}/.default"})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token()}", "OData-Version": "4.0", "OData-MaxVersion": "4.0",
                   "Accept": "application/json", **kwargs.pop("headers", {})}
        return self.http.request(method, f"/api/data/v9.2/{path}", headers=headers, **kwargs)

    def create(self, entity_set: str, body: dict[str, Any]) -> str:
        response = self.call("POST", entity_set, json=body)
        assert response.status_code == 204, response.text
        return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


def make_sandbox(**config: Any) -> Sandbox:
    app = create_app(DataverseConfig(application_users=[APP], system_users=[ALICE, BOB], **config))
    return Sandbox(dataverse_state(app), TestClient(app, base_url=ORIGIN))


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = make_sandbox()
    yield box
    box.http.close()


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]
