"""One Web API operation, independent of transport: the HTTP route and `$batch` parts both run these."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandboxes.dataverse.errors import DataverseError, bad_request
from sandboxes.dataverse.principal import Principal
from sandboxes.dataverse.query import Prefer

API_ROOT = "/api/data/v9.2"


@dataclass
class Operation:
    method: str
    path: str  # below the service root, no leading slash: `accounts(…)`
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    principal: Principal
    origin: str  # https://host:port as the client addressed it
    content_ids: dict[str, str] = field(default_factory=dict)  # `$n` -> entity URL, inside a $batch

    @property
    def service_root(self) -> str:
        return f"{self.origin}{API_ROOT}"

    @property
    def prefer(self) -> Prefer:
        return Prefer.parse(self.headers.get("prefer"))

    def json(self) -> Any:
        if not self.body.strip():
            raise bad_request("The request body is empty.")
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise bad_request(f"Invalid JSON. {error}", "0x80048d19") from error


@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # a JSON value, or None for no content

    @classmethod
    def of_error(cls, error: DataverseError) -> Reply:
        return cls(error.status, dict(error.headers), error.body())

    def encoded(self) -> bytes:
        return b"" if self.body is None else json.dumps(self.body).encode()

    def content_headers(self) -> dict[str, str]:
        if self.body is None:
            return dict(self.headers)
        return {"Content-Type": "application/json; odata.metadata=minimal", "OData-Version": "4.0", **self.headers}
