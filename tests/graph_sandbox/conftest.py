"""A fresh Graph sandbox per test behind Starlette's TestClient (TLS and dropped connections use the real server)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from sandboxes.graph import ApplicationUser, GraphConfig, GraphState, create_app, graph_state

APP = ApplicationUser(client_id="mover-app", client_secret="mover-secret", tenant_id="tenant-1")
ORIGIN = "https://testserver"
KIB320 = 327_680
CONFLICT = "@microsoft.graph.conflictBehavior"


@dataclass
class Sandbox:
    state: GraphState
    http: TestClient
    _token: str | None = field(default=None)

    def token(self) -> str:
        if self._token is None:
            response = self.http.post(f"/{APP.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": "client_credentials", "client_id": APP.client_id, "client_secret": APP.client_secret,
                "scope": "https://graph.microsoft.com/.default"})
            assert response.status_code == 200, response.text
            self._token = str(response.json()["access_token"])
        return self._token

    def advance(self, seconds: float) -> None:
        """Moves the sandbox clock on; a fresh token is fetched next time (the old one may have expired)."""
        self.state.clock.advance(seconds)
        self._token = None

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
        return self.http.request(method, f"/v1.0/{path}", headers=headers, **kwargs)

    @property
    def drive_id(self) -> str:
        return self.state.drive().id

    @property
    def root_id(self) -> str:
        return self.state.drive().root_id

    def folder(self, name: str, parent_id: str | None = None) -> dict[str, Any]:
        response = self.call("POST", f"drives/{self.drive_id}/items/{parent_id or self.root_id}/children",
                             json={"name": name, "folder": {}})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def put(self, parent_id: str, name: str, data: bytes, conflict: str | None = None) -> httpx.Response:
        params = {CONFLICT: conflict} if conflict else None
        return self.call("PUT", f"drives/{self.drive_id}/items/{parent_id}:/{name}:/content", content=data,
                         params=params)

    def session(self, parent_id: str, name: str, conflict: str = "replace") -> str:
        response = self.call("POST", f"drives/{self.drive_id}/items/{parent_id}:/{name}:/createUploadSession",
                             json={"item": {CONFLICT: conflict, "name": name}})
        assert response.status_code == 200, response.text
        assert response.json()["nextExpectedRanges"] == ["0-"]
        return str(response.json()["uploadUrl"])

    def fragment(self, url: str, data: bytes, start: int, total: int, **headers: str) -> httpx.Response:
        sent = {"Content-Range": f"bytes {start}-{start + len(data) - 1}/{total}", **headers}
        return self.http.put(url, content=data, headers=sent)


def make_sandbox(**config: Any) -> Sandbox:
    app = create_app(GraphConfig(application_users=[APP], **config))
    return Sandbox(graph_state(app), TestClient(app, base_url=ORIGIN))


@pytest.fixture
def sandbox_with() -> Iterator[Callable[..., Sandbox]]:
    """Sandboxes with the given GraphConfig settings, closed (their files removed) after the test."""
    made: list[Sandbox] = []

    def factory(**config: Any) -> Sandbox:
        made.append(make_sandbox(**config))
        return made[-1]

    yield factory
    for box in made:
        box.http.close()
        box.state.close()


@pytest.fixture
def sandbox(sandbox_with: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_with()


def error_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["error"]["code"])
