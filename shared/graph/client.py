"""The Microsoft Graph client for SharePoint document libraries (dataverse.md §10): bearer tokens from Entra ID,
typed errors with Graph's code, 429 (and 503) `Retry-After` that pauses every sender of the worker, retries for
transport errors and 5xx; sites, drives, items, folders, deletes and file versions; the list behind a library, its
text columns and each file's list item fields. Uploads are in `upload.py`."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from shared.graph.addresses import CONFLICT, drive_path, item_path, list_path, root_path, site_id_path
from shared.graph.auth import GraphTokens, credential
from shared.graph.errors import (RETRYABLE, GraphAuthError, GraphConflict, GraphError, GraphNotFound,
                                 GraphRequestError, GraphServerError, GraphThrottled, GraphTransportError)
from shared.graph.models import (ColumnDefinition, ConflictBehavior, DocumentList, Drive, DriveItem,
                                 DriveItemVersion, FieldValue, Library, Page, Site, UploadResult)
from shared.graph.upload import UploadSource, upload
from shared.error_body import error_of
from shared.retrying import retrying
from shared.throttle_gate import ThrottleGate
from shared.settings import Settings

_MAX_THROTTLED_IN_A_ROW = 30
_Model = TypeVar("_Model", bound=BaseModel)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), if there is one."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time()) if value else None
    except (TypeError, ValueError):
        return None


class _Released:
    """Request content that lets go of its bytes once sent. httpx keeps each request in a reference cycle with
    its response, so plain bytes would stay alive, a fragment per request, until the garbage collector ran."""

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data

    def __iter__(self) -> Iterator[bytes]:
        data, self._data = self._data, None
        if data:
            yield data


class GraphClient:
    def __init__(self, settings: Settings, http: httpx.Client | None = None, tokens: GraphTokens | None = None,
                 max_attempts: int = 5) -> None:
        self.settings = settings
        self.base_url = f"{settings.graph_base_url}/"
        verify: Any = settings.graph_ca_bundle or True
        self._http = http or httpx.Client(timeout=httpx.Timeout(settings.graph_request_timeout_seconds),
                                          verify=verify)
        self.tokens = tokens or GraphTokens(credential(settings))
        self.gate = ThrottleGate()
        self.requests = 0
        self.max_attempts = max_attempts
        self.simple_upload_max_bytes = settings.graph_simple_upload_max_bytes
        self.fragment_bytes = settings.graph_upload_fragment_bytes

    def close(self) -> None:
        self._http.close()
        self.tokens.close()

    # -- requests ---------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, json_body: Any = None, content: bytes | None = None,
                headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
                allow: tuple[int, ...] = ()) -> httpx.Response:
        """One call, retried on transport errors and 5xx; statuses in `allow` are returned rather than raised."""
        return retrying(lambda: self.send(method, path, json_body=json_body, content=content, headers=headers,
                                          params=params, allow=allow), RETRYABLE, self.max_attempts)

    def send(self, method: str, path: str, *, authorized: bool = True, json_body: Any = None,
             content: bytes | None = None, headers: Mapping[str, str] | None = None,
             params: Mapping[str, str] | None = None, allow: tuple[int, ...] = ()) -> httpx.Response:
        """One call without retries for transport errors and 5xx (the caller decides); a 401 refreshes the token
        once; 429, and 503 with Retry-After, wait out Retry-After and go again. `authorized=False` for upload
        URLs, which are pre-authenticated and may refuse a bearer token."""
        url = path if path.startswith(("https://", "http://")) else self.base_url + path
        refreshed, throttled = False, 0
        while True:
            self.gate.wait()
            sent = {"Accept": "application/json", **(headers or {})}
            if content is not None:
                sent["Content-Length"] = str(len(content))
            token = self.tokens.token() if authorized else None
            if token is not None:
                sent["Authorization"] = f"Bearer {token}"
            try:
                self.requests += 1
                response = self._http.request(method, url, json=json_body, headers=sent, params=params,
                                              content=None if content is None else _Released(content))
            except httpx.TransportError as exc:
                raise GraphTransportError(f"{method} {self._shown(url)}: {type(exc).__name__}: {exc}") from exc
            status = response.status_code
            if status in allow:
                return response
            if status == 401 and token is not None and not refreshed:
                refreshed = True
                self.tokens.reject(token)
                continue
            wait = retry_after(response)
            if status == 429 or (status == 503 and wait is not None):
                throttled += 1
                if throttled >= _MAX_THROTTLED_IN_A_ROW:
                    raise GraphThrottled(f"{method} {self._shown(url)}: still throttled", status, error_of(response)[0])
                self.gate.pause(wait if wait is not None else min(60.0, 2.0 ** throttled))
                continue
            if status >= 400:
                raise self._failure(method, url, response)
            return response

    def _failure(self, method: str, url: str, response: httpx.Response) -> GraphError:
        code, message = error_of(response)
        status = response.status_code
        kind: type[GraphError] = (GraphServerError if status >= 500 else GraphAuthError if status in (401, 403)
                                  else GraphNotFound if status == 404 else GraphConflict if status == 409
                                  else GraphRequestError)
        return kind(" ".join(part for part in (f"{method} {self._shown(url)}: {status}", code, message) if part),
                    status, code)

    def _shown(self, url: str) -> str:
        # An upload URL is a credential: it never goes into an error message or a log.
        return url[len(self.base_url):] if url.startswith(self.base_url) else "<upload session URL>"

    # -- sites, drives, items ---------------------------------------------------------------------------------
    def site(self, hostname: str, site_path: str) -> Site:
        """`GET /sites/{hostname}:/sites/{name}` (site_path like `/sites/Legal`)."""
        return Site.model_validate(self.request("GET", f"sites/{hostname}:{quote(site_path)}").json())

    def drive(self, site_id: str, library: str) -> Drive:
        """The site's document library named `library` (drive names are unique per site, case-insensitively)."""
        for entry in self._values(f"{site_id_path(site_id)}/drives"):
            drive = Drive.model_validate(entry)
            if drive.name.casefold() == library.casefold():
                return drive
        raise GraphNotFound(f"No document library named '{library}' in site {site_id}", 404, "itemNotFound")

    def library(self) -> Library:
        """The library the settings name (SHAREPOINT_SITE_HOSTNAME, SHAREPOINT_SITE_PATH, SHAREPOINT_LIBRARY): the
        drive, with its site in `.site`."""
        settings = self.settings
        site = self.site(settings.sharepoint_site_hostname, settings.sharepoint_site_path)
        drive = self.drive(site.id, settings.sharepoint_library)
        return Library.model_validate({**drive.model_dump(), "site": site})

    def root(self, drive_id: str) -> DriveItem:
        return DriveItem.model_validate(self.request("GET", root_path(drive_id)).json())

    def item(self, drive_id: str, item_id: str) -> DriveItem:
        return DriveItem.model_validate(self.request("GET", item_path(drive_id, item_id)).json())

    def item_at(self, drive_id: str, path: str, parent_id: str | None = None) -> DriveItem | None:
        """The item at `a/b/c.pdf` below `parent_id` (the root if None), or None when nothing is there."""
        names = [name for name in path.split("/") if name]
        if not names:
            return self.root(drive_id) if parent_id is None else self.item(drive_id, parent_id)
        address = root_path(drive_id, *names) if parent_id is None else item_path(drive_id, parent_id, *names)
        response = self.request("GET", address, allow=(404,))
        return None if response.status_code == 404 else DriveItem.model_validate(response.json())

    def children(self, drive_id: str, item_id: str, page_size: int | None = None) -> Iterator[DriveItem]:
        """Every child of a folder."""
        params = {"$top": str(page_size)} if page_size else None
        for entry in self._values(f"{item_path(drive_id, item_id)}/children", params):
            yield DriveItem.model_validate(entry)

    def versions(self, drive_id: str, item_id: str) -> list[DriveItemVersion]:
        """A file's versions, newest (the current one) first."""
        return [DriveItemVersion.model_validate(entry)
                for entry in self._values(f"{item_path(drive_id, item_id)}/versions")]

    def _values(self, path: str, params: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """The entries of a collection, page after page (following `@odata.nextLink`)."""
        page = Page.model_validate(self.request("GET", path, params=params).json())
        while True:
            yield from page.value
            if not page.next_link:
                return
            page = Page.model_validate(self.request("GET", page.next_link).json())

    # -- the library's list, its columns, list item fields ----------------------------------------------------
    def document_list(self, drive_id: str) -> DocumentList:
        """The list behind a document library (its id addresses the library's columns)."""
        return DocumentList.model_validate(self.request("GET", f"{drive_path(drive_id)}/list").json())

    def columns(self, site_id: str, list_id: str) -> list[ColumnDefinition]:
        return [ColumnDefinition.model_validate(entry)
                for entry in self._values(f"{list_path(site_id, list_id)}/columns")]

    def ensure_text_columns(self, site_id: str, list_id: str,
                            names: Mapping[str, int]) -> dict[str, ColumnDefinition]:
        """Single-line text columns `name -> max length` on the list, each created if missing (idempotent; one made
        by another worker meanwhile is taken as found). A column of that name but another type, another case or
        a smaller max length cannot hold the values: GraphConflict."""
        found = {column.name.casefold(): column for column in self.columns(site_id, list_id)}
        columns: dict[str, ColumnDefinition] = {}
        for name, max_length in names.items():
            column = found.get(name.casefold()) or self._create_text_column(site_id, list_id, name, max_length)
            columns[name] = _require_text_column(column, name, max_length)
        return columns

    def _create_text_column(self, site_id: str, list_id: str, name: str, max_length: int) -> ColumnDefinition:
        def made_meanwhile() -> ColumnDefinition | None:
            return next((c for c in self.columns(site_id, list_id) if c.name.casefold() == name.casefold()), None)

        body = {"name": name, "displayName": name, "text": {"maxLength": max_length}}
        return self._create(f"{list_path(site_id, list_id)}/columns", body, ColumnDefinition, made_meanwhile,
                            f"column '{name}'")

    def set_fields(self, drive_id: str, item_id: str, fields: Mapping[str, FieldValue]) -> dict[str, Any]:
        """Sets the item's list item fields (column name -> value; None clears one), all or none; returns every
        field the item now has. SharePoint makes a new version of the file for it."""
        response = self.request("PATCH", f"{item_path(drive_id, item_id)}/listItem/fields", json_body=dict(fields))
        return dict(response.json())

    def fields(self, drive_id: str, item_id: str) -> dict[str, Any]:
        """The item's list item fields: the built-in ones (FileLeafRef, Created, ...) and those set."""
        return dict(self.request("GET", f"{item_path(drive_id, item_id)}/listItem/fields").json())

    # -- writes -----------------------------------------------------------------------------------------------
    def ensure_folder(self, drive_id: str, path: str,
                      before_create: Callable[[str], None] | None = None) -> DriveItem:
        """The folder at `a/b/c`, creating each missing level; existing folders are reused (idempotent).
        `before_create(level path)` is called before each level is created (e.g. to record it for a rollback)."""
        names = [name for name in path.split("/") if name]
        found = self.item_at(drive_id, "/".join(names))
        if found is None:
            found = self.root(drive_id)
            for depth, name in enumerate(names, 1):
                existing = self.item_at(drive_id, name, found.id)
                if existing is None and before_create is not None:
                    before_create("/".join(names[:depth]))
                found = existing or self._create_folder(drive_id, found.id, name)
                self._require_folder(found, path)
        return self._require_folder(found, path)

    def _create_folder(self, drive_id: str, parent_id: str, name: str) -> DriveItem:
        body = {"name": name, "folder": {}, CONFLICT: "fail"}
        return self._create(f"{item_path(drive_id, parent_id)}/children", body, DriveItem,
                            lambda: self.item_at(drive_id, name, parent_id), f"folder '{name}'")

    def _create(self, path: str, body: dict[str, Any], model: type[_Model],
                made_meanwhile: Callable[[], _Model | None], what: str) -> _Model:
        """POSTs `body`; on 409 the one another worker made since we looked, if `made_meanwhile` finds it."""
        response = self.request("POST", path, json_body=body, allow=(409,))
        if response.status_code != 409:
            return model.model_validate(response.json())
        existing = made_meanwhile()
        if existing is None:
            code, message = error_of(response)
            raise GraphConflict(f"Creating {what}: {message}", 409, code)
        return existing

    @staticmethod
    def _require_folder(item: DriveItem, path: str) -> DriveItem:
        if not item.is_folder:
            raise GraphConflict(f"'{item.name}' in '{path}' is a file, not a folder", 409, "nameAlreadyExists")
        return item

    def upload(self, drive_id: str, folder_id: str, name: str, source: UploadSource, size: int,
               conflict: ConflictBehavior = "replace") -> UploadResult:
        """Uploads `size` bytes from `source` as `name` in the folder and verifies the stored size and quickXorHash.

        `source`: a binary file (seekable, or only read once), a callable that opens the source at a byte offset,
        or an iterable of byte chunks. Up to GRAPH_SIMPLE_UPLOAD_MAX_BYTES it is one PUT; above, an upload session
        in GRAPH_UPLOAD_FRAGMENT_BYTES fragments, resumed from the session's nextExpectedRanges after a failure
        and begun again in a new session if the old one is lost (which needs a seekable file or a callable).
        With `replace` (the default) uploading again to the same name updates the same item.
        """
        return upload(self, drive_id, folder_id, name, source, size, conflict)

    def delete(self, drive_id: str, item_id: str) -> bool:
        """Deletes an item (a folder with everything in it); False if it was already gone."""
        return self.request("DELETE", item_path(drive_id, item_id), allow=(404,)).status_code != 404

    def delete_unchanged(self, drive_id: str, item_id: str, tag: str) -> Literal["deleted", "gone", "changed"]:
        """Deletes the item only while its eTag (or cTag) is still `tag`: "changed" when someone wrote it since it
        was read (412, nothing deleted), "gone" when it was already deleted (GRAPH driveitem-delete, if-match)."""
        status = self.request("DELETE", item_path(drive_id, item_id), headers={"If-Match": tag},
                              allow=(404, 412)).status_code
        return "gone" if status == 404 else "changed" if status == 412 else "deleted"


def _require_text_column(column: ColumnDefinition, name: str, max_length: int) -> ColumnDefinition:
    text = column.text
    if column.name != name:
        problem = f"is named '{column.name}'"  # field names are matched exactly
    elif text is None:
        problem = "is not a text column"
    elif not text.allow_multiple_lines and (text.max_length or 0) < max_length:
        problem = f"holds at most {text.max_length} characters, not {max_length}"
    else:
        return column
    raise GraphConflict(f"The library's column '{name}' {problem}", 409, "nameAlreadyExists")
