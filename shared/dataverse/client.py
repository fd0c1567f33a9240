"""The Dataverse Web API client (dataverse.md §1–§4, §8, §11): bearer tokens from Entra ID, OData headers, typed
errors with Dataverse's code, 429 `Retry-After` that pauses every sender of the worker, retries for transport
errors and 5xx, the `x-ms-dop-hint` it reports, and `$batch` framing."""
from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.dataverse.auth import TokenSource, credential
from shared.dataverse.errors import (DataverseAuthError, DataverseRequestError, DataverseServerError,
                                     DataverseThrottled, DataverseTransportError)
from shared.error_body import error_of
from shared.retrying import retrying
from shared.throttle_gate import ThrottleGate
from shared.settings import Settings

_RETRYABLE = (DataverseServerError, DataverseTransportError)
_MAX_THROTTLED_IN_A_ROW = 30
LOOKUP_TARGET_ANNOTATION = "Microsoft.Dynamics.CRM.lookuplogicalname"
ODATA_HEADERS = {"OData-MaxVersion": "4.0", "OData-Version": "4.0", "Accept": "application/json"}


def call_headers(caller_object_id: str | None = None, bypass_custom_logic: bool = False,
                 solution: str | None = None) -> dict[str, str]:
    """Per-call options (dataverse.md §6, §3.2, §8): act as a user (their Entra object id; the app user needs the
    Delegate role), skip custom plug-ins and flows, put metadata changes into a solution."""
    headers: dict[str, str] = {}
    if caller_object_id:
        headers["CallerObjectId"] = caller_object_id
    if bypass_custom_logic:
        headers["MSCRM.BypassCustomPluginExecution"] = "true"
    if solution:
        headers["MSCRM.SolutionUniqueName"] = solution
    return headers


class ConcurrencyGate:
    """At most `x-ms-dop-hint` requests in flight (dataverse.md §3.3): more only degrades the service."""

    def __init__(self, default: int) -> None:
        self._cond = threading.Condition()
        self._in_flight = 0
        self.limit = default

    def __enter__(self) -> None:
        with self._cond:
            while self._in_flight >= self.limit:
                self._cond.wait()
            self._in_flight += 1

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def update(self, hint: int) -> None:
        with self._cond:
            self.limit = max(1, hint)
            self._cond.notify_all()


@dataclass
class BatchOperation:
    method: str
    url: str  # relative to the API base, e.g. "tasks(new_clioid='12')"
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class BatchAnswer:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error(self) -> tuple[str | None, str]:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"].get("code"), str(self.body["error"].get("message", ""))
        return None, ""


class DataverseClient:
    def __init__(self, settings: Settings, http: httpx.Client | None = None, tokens: TokenSource | None = None,
                 max_attempts: int = 5) -> None:
        if not settings.dataverse_url:
            raise DataverseAuthError("DATAVERSE_URL is not set")
        self.base_url = f"{settings.dataverse_url}/api/data/{settings.dataverse_api_version}/"
        verify: Any = settings.dataverse_ca_bundle or True
        self._http = http or httpx.Client(timeout=httpx.Timeout(settings.dataverse_request_timeout_seconds),
                                          verify=verify)
        self.tokens = tokens or TokenSource(credential(settings), settings.dataverse_url)
        self.gate = ThrottleGate()
        self.concurrency = ConcurrencyGate(default=4)
        self.dop_hint: int | None = None
        self.requests = 0
        self._max_attempts = max_attempts

    def close(self) -> None:
        self._http.close()

    # -- requests ---------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, json_body: Any = None, content: bytes | None = None,
                headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
                allow: tuple[int, ...] = ()) -> httpx.Response:
        """One call; statuses in `allow` are returned rather than raised (e.g. 404 on a lookup by key)."""
        return retrying(lambda: self._answered(method, path, json_body, content, headers, params, allow),
                        _RETRYABLE, self._max_attempts)

    def _answered(self, method: str, path: str, json_body: Any, content: bytes | None,
                  headers: Mapping[str, str] | None, params: Mapping[str, str] | None,
                  allow: tuple[int, ...]) -> httpx.Response:
        url = path if path.startswith("http") else self.base_url + path.lstrip("/")
        refreshed, throttled = False, 0
        while True:
            self.gate.wait()
            token = self.tokens.token()
            sent = {**ODATA_HEADERS, "Authorization": f"Bearer {token}", **(headers or {})}
            if json_body is not None:
                sent["Content-Type"] = "application/json; charset=utf-8"
            try:
                with self.concurrency:
                    self.requests += 1
                    response = self._http.request(method, url, json=json_body, content=content, headers=sent,
                                                  params=params)
            except httpx.TransportError as exc:
                raise DataverseTransportError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
            hint = response.headers.get("x-ms-dop-hint")
            if hint and hint.isdigit() and int(hint) != self.dop_hint:
                self.dop_hint = int(hint)
                self.concurrency.update(self.dop_hint)
            if response.status_code in allow:
                return response
            if response.status_code == 401 and not refreshed:
                refreshed = True
                self.tokens.reject(token)
                continue
            if response.status_code == 429:
                throttled += 1
                if throttled >= _MAX_THROTTLED_IN_A_ROW:
                    code, message = error_of(response)
                    raise DataverseThrottled(f"{method} {path}: still throttled: {message}", 429, code)
                self.gate.pause(float(response.headers.get("Retry-After", "1") or 1))
                continue
            if response.status_code >= 500:
                code, message = error_of(response)
                raise DataverseServerError(f"{method} {path}: {response.status_code} {message}",
                                           response.status_code, code)
            if response.status_code >= 400:
                code, message = error_of(response)
                kind = DataverseAuthError if response.status_code == 401 else DataverseRequestError
                raise kind(f"{method} {path}: {response.status_code} {code or ''} {message}".strip(),
                           response.status_code, code)
            return response

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def query(self, entity_set: str, params: Mapping[str, str], page_size: int = 5000) -> list[dict[str, Any]]:
        """Every row of a query, following `@odata.nextLink`."""
        return self._every_page(entity_set, params, {"Prefer": f"odata.maxpagesize={page_size}"})

    def query_with_lookup_targets(self, entity_set: str, params: Mapping[str, str],
                                  page_size: int = 5000) -> list[dict[str, Any]]:
        """As `query`, each lookup's value annotated with the table it points at
        (`_x_value@Microsoft.Dynamics.CRM.lookuplogicalname`, dataverse.md §5), which a polymorphic lookup needs
        to be bound again."""
        prefer = f'odata.maxpagesize={page_size},odata.include-annotations="{LOOKUP_TARGET_ANNOTATION}"'
        return self._every_page(entity_set, params, {"Prefer": prefer})

    def _every_page(self, entity_set: str, params: Mapping[str, str],
                    headers: dict[str, str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = self.request("GET", entity_set, params=params, headers=headers).json()
        while True:
            rows.extend(page.get("value", []))
            link = page.get("@odata.nextLink")
            if not link:
                return rows
            page = self.request("GET", link, headers=headers).json()

    # -- $batch -----------------------------------------------------------------------------------------------
    def batch(self, operations: list[BatchOperation], continue_on_error: bool = True) -> list[BatchAnswer]:
        """Independent operations in one `$batch` (dataverse.md §3.1): CRLF framing, answers in order."""
        boundary = f"batch_{uuid.uuid4()}"
        body = encode_batch(operations, boundary, self.base_url)
        headers = {"Content-Type": f'multipart/mixed; boundary="{boundary}"'}
        if continue_on_error:
            headers["Prefer"] = "odata.continue-on-error"
        response = self.request("POST", "$batch", content=body, headers=headers, allow=(400, 404, 412))
        return decode_batch(response)

    def batch_groups(self, groups: list[list[BatchOperation]]) -> list[list[BatchAnswer]]:
        """Independent groups in one `$batch` with continue-on-error; a group of two or more operations is a
        changeset, applied all or nothing (dataverse.md §3.1). Per group its answers: one per operation, or only
        the failing operation's when its changeset was rolled back."""
        boundary = f"batch_{uuid.uuid4()}"
        path_base = "/" + self.base_url.split("/", 3)[3]
        lines: list[str] = []
        for group in groups:
            if len(group) == 1:
                lines += [f"--{boundary}", *_operation_lines(group[0], path_base)]
                continue
            changeset = f"changeset_{uuid.uuid4()}"
            lines += [f"--{boundary}", f'Content-Type: multipart/mixed; boundary="{changeset}"', ""]
            for number, operation in enumerate(group, 1):
                lines += [f"--{changeset}", *_operation_lines(operation, path_base, str(number))]
            lines += [f"--{changeset}--", ""]
        lines += [f"--{boundary}--", ""]
        headers = {"Content-Type": f'multipart/mixed; boundary="{boundary}"', "Prefer": "odata.continue-on-error"}
        response = self.request("POST", "$batch", content="\r\n".join(lines).encode(), headers=headers,
                                allow=(400, 404, 412))
        return decode_batch_parts(response)


def _operation_lines(operation: BatchOperation, path_base: str, content_id: str | None = None) -> list[str]:
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    lines += [f"Content-ID: {content_id}"] if content_id is not None else []
    lines += ["", f"{operation.method} {path_base}{operation.url} HTTP/1.1",
              "Content-Type: application/json; type=entry"]
    lines += [f"{name}: {value}" for name, value in operation.headers.items()]
    return [*lines, "", json.dumps(operation.body) if operation.body is not None else ""]


def encode_batch(operations: list[BatchOperation], boundary: str, base_url: str) -> bytes:
    path_base = "/" + base_url.split("/", 3)[3]
    lines: list[str] = []
    for operation in operations:
        lines += [f"--{boundary}", *_operation_lines(operation, path_base)]
    lines.append(f"--{boundary}--")
    lines.append("")
    return "\r\n".join(lines).encode()


def decode_batch(response: httpx.Response) -> list[BatchAnswer]:
    return [answer for part in decode_batch_parts(response) for answer in part]


def decode_batch_parts(response: httpx.Response) -> list[list[BatchAnswer]]:
    """The answers of each top-level part: a request's, or a changeset's."""
    content_type = response.headers.get("Content-Type", "")
    if "boundary=" not in content_type:
        code, message = error_of(response)
        raise DataverseRequestError(f"$batch: {response.status_code} {message}", response.status_code, code)
    boundary = content_type.split("boundary=", 1)[1].split(";")[0].strip('"')
    parts: list[list[BatchAnswer]] = []
    for part in response.text.split(f"--{boundary}"):
        part = part.strip("\r\n")
        if not part or part == "--":
            continue
        parts.append(_decode_part(part))
    return parts


def _decode_part(part: str) -> list[BatchAnswer]:
    head, _, rest = part.partition("\r\n\r\n")
    if "multipart/mixed" in head:  # a changeset answer: its own boundary, nested parts
        boundary = head.split("boundary=", 1)[1].split("\r\n")[0].strip('"')
        return [answer for inner in rest.split(f"--{boundary}") if inner.strip("\r\n") not in ("", "--")
                for answer in _decode_part(inner.strip("\r\n"))]
    status_and_headers, _, body = rest.partition("\r\n\r\n")
    status_line, *header_lines = status_and_headers.split("\r\n")
    status = int(status_line.split(" ")[1])
    headers = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in header_lines) if k}
    body = body.strip()
    try:
        parsed: Any = json.loads(body) if body else None
    except ValueError:
        parsed = body
    return [BatchAnswer(status, headers, parsed)]
