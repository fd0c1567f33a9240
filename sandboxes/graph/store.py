"""Sites, document libraries (drives) and their items. File bytes live in files on disk, never in memory: a new
file's bytes are written to a staging file as they arrive and moved into place when complete.

Every edit of an item, its content or its list item fields, makes a new major version, as SharePoint does with
versioning on (a library's default); a file keeps its earlier versions' bytes in files of their own, up to
`versions_kept` versions in all (SharePoint's default limit is 500)."""
from __future__ import annotations

import base64
import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sandboxes.clio.clock import SandboxClock
from sandboxes.graph.columns import FILE_NAME, DocumentList, FieldValue
from sandboxes.graph.config import SiteSeed
from sandboxes.graph.errors import invalid_request, item_not_found, name_already_exists

Conflict = Literal["fail", "replace", "rename"]
CONFLICT_BEHAVIORS: tuple[Conflict, ...] = ("fail", "replace", "rename")
_INVALID_NAME = re.compile(r'["*:<>?/\\|\x00-\x1f]')  # characters SharePoint refuses in names


@dataclass
class Site:
    id: str
    hostname: str
    path: str
    display_name: str
    created: float
    drive_ids: list[str] = field(default_factory=list)


@dataclass
class Drive:
    id: str
    name: str
    site_id: str
    root_id: str
    created: float
    list_id: str  # the list behind the library


@dataclass(frozen=True)
class Version:
    number: int  # shown as "{number}.0"
    modified: float
    size: int
    path: Path  # its bytes


@dataclass
class Item:
    id: str
    drive_id: str
    name: str
    parent_id: str | None  # None for a drive's root
    is_folder: bool
    created: float
    modified: float
    size: int = 0
    quick_xor_hash: str | None = None
    tag: str = field(default_factory=lambda: str(uuid.uuid4()).upper())  # the GUID in eTag and cTag
    version: int = 1  # the current major version, also in the eTag
    content_version: int = 1
    list_item_id: int | None = None  # None for a drive's root, which is no list item
    fields: dict[str, FieldValue] = field(default_factory=dict)  # the list item's values set by clients
    versions: list[Version] = field(default_factory=list)  # earlier versions of a file, newest first


def new_item_id() -> str:
    return "01" + base64.b32encode(secrets.token_bytes(20)).decode()[:32]


def check_name(name: str) -> None:
    if not name or name != name.strip() or name in (".", "..") or _INVALID_NAME.search(name):
        raise invalid_request(f"The provided name '{name}' is not valid.")


def conflict_behavior(value: str | None, default: Conflict) -> Conflict:
    if value is None:
        return default
    for behavior in CONFLICT_BEHAVIORS:
        if value == behavior:
            return behavior
    raise invalid_request(f"Invalid value for @microsoft.graph.conflictBehavior: '{value}'.")


class DriveStore:
    def __init__(self, directory: Path, clock: SandboxClock, versions_kept: int = 500) -> None:
        self.directory = directory
        self.clock = clock
        self.versions_kept = versions_kept
        self.lock = threading.RLock()
        self.sites: dict[str, Site] = {}
        self.drives: dict[str, Drive] = {}
        self.lists: dict[str, DocumentList] = {}
        self.items: dict[str, Item] = {}
        self._children: dict[str, dict[str, str]] = {}  # parent id -> case-folded name -> child id
        for sub in ("items", "incoming", "sessions", "versions"):
            (directory / sub).mkdir(parents=True, exist_ok=True)

    # --- sites and drives ---------------------------------------------------------------------------------
    def add_site(self, seed: SiteSeed) -> Site:
        now = self.clock.now()
        site = Site(f"{seed.hostname},{uuid.uuid4()},{uuid.uuid4()}", seed.hostname, seed.path, seed.display_name,
                    now)
        self.sites[site.id] = site
        for library in seed.libraries:
            drive_id = "b!" + base64.urlsafe_b64encode(secrets.token_bytes(48)).decode()
            root = Item(new_item_id(), drive_id, "root", None, True, now, now)
            self._add(root)
            document_list = DocumentList(str(uuid.uuid4()), drive_id, now)
            self.lists[document_list.id] = document_list
            self.drives[drive_id] = Drive(drive_id, library, site.id, root.id, now, document_list.id)
            site.drive_ids.append(drive_id)
        return site

    def site_by_path(self, hostname: str, path: str) -> Site:
        for site in self.sites.values():
            if site.hostname.lower() == hostname.lower() and site.path.lower() == path.rstrip("/").lower():
                return site
        raise item_not_found("Requested site could not be found")

    def require_site(self, site_id: str) -> Site:
        site = self.sites.get(site_id)
        if site is None:
            raise item_not_found("Requested site could not be found")
        return site

    def require_list(self, site: Site, reference: str) -> DocumentList:
        """One of the site's lists by id or by title (as Graph allows both)."""
        for drive in (self.drives[drive_id] for drive_id in site.drive_ids):
            if reference.casefold() in (drive.list_id, drive.name.casefold()):
                return self.lists[drive.list_id]
        raise item_not_found("The list could not be found.")

    def list_of(self, drive: Drive) -> DocumentList:
        return self.lists[drive.list_id]

    def require_drive(self, drive_id: str) -> Drive:
        drive = self.drives.get(drive_id)
        if drive is None:
            raise item_not_found("The drive could not be found.")
        return drive

    # --- items --------------------------------------------------------------------------------------------
    def require_item(self, drive_id: str, item_id: str) -> Item:
        item = self.items.get(item_id)
        if item is None or item.drive_id != drive_id:
            raise item_not_found("The resource could not be found.")
        return item

    def child(self, parent: Item, name: str) -> Item | None:
        child_id = self._children.get(parent.id, {}).get(name.casefold())
        return self.items[child_id] if child_id else None

    def children(self, parent: Item) -> list[Item]:
        with self.lock:
            return sorted((self.items[i] for i in self._children.get(parent.id, {}).values()),
                          key=lambda item: item.name.casefold())

    def walk(self, start: Item, segments: list[str]) -> Item:
        item = start
        for segment in segments:
            found = self.child(item, segment) if item.is_folder else None
            if found is None:
                raise item_not_found("The resource could not be found.")
            item = found
        return item

    def ancestry(self, item: Item) -> list[Item]:
        """The item's folders from the root down, the root included, the item excluded."""
        chain: list[Item] = []
        parent_id = item.parent_id
        while parent_id is not None:
            chain.append(self.items[parent_id])
            parent_id = self.items[parent_id].parent_id
        return chain[::-1]

    def folder_size(self, folder: Item) -> int:
        return sum(child.size if not child.is_folder else self.folder_size(child) for child in self.children(folder))

    def content_path(self, item: Item) -> Path:
        return self.directory / "items" / item.id

    def current_version(self, item: Item) -> Version:
        return Version(item.version, item.modified, item.size, self.content_path(item))

    def staging_path(self) -> Path:
        return self.directory / "incoming" / uuid.uuid4().hex

    # --- writes -------------------------------------------------------------------------------------------
    def create_folder(self, parent: Item, name: str, conflict: Conflict) -> Item:
        check_name(name)
        with self.lock:
            name, existing = self._place(parent, name, conflict)
            if existing is not None:
                self.delete(existing)
            now = self.clock.now()
            folder = Item(new_item_id(), parent.drive_id, name, parent.id, True, now, now)
            self._add(folder)
            return folder

    def commit_file(self, parent: Item, name: str, staged: Path, size: int, quick_xor_hash: str,
                    conflict: Conflict) -> tuple[Item, bool]:
        """Moves the staged bytes into place as `name` under `parent`; (item, created)."""
        check_name(name)
        with self.lock:
            if parent.id not in self.items:
                raise item_not_found("The parent folder no longer exists.")
            if not parent.is_folder:
                raise invalid_request("The parent item is not a folder.")
            name, existing = self._place(parent, name, conflict)
            if existing is not None and existing.is_folder:
                raise name_already_exists(name)  # a file does not replace a folder (inferred)
            if existing is not None:
                self.replace_content(existing, staged, size, quick_xor_hash)
                return existing, False
            now = self.clock.now()
            item = Item(new_item_id(), parent.drive_id, name, parent.id, False, now, now, size, quick_xor_hash)
            os.replace(staged, self.content_path(item))
            self._add(item)
            return item, True

    def replace_content(self, item: Item, staged: Path, size: int, quick_xor_hash: str) -> None:
        with self.lock:
            self._new_version(item, os.replace)
            os.replace(staged, self.content_path(item))
            item.size, item.quick_xor_hash = size, quick_xor_hash
            item.content_version += 1

    def update_fields(self, item: Item, values: dict[str, FieldValue]) -> None:
        """Sets list item fields (None clears one) whose values are already checked; FileLeafRef renames."""
        with self.lock:
            values = dict(values)
            if FILE_NAME in values:
                self._rename(item, str(values.pop(FILE_NAME)))
            for name, value in values.items():
                if value is None:
                    item.fields.pop(name, None)
                else:
                    item.fields[name] = value
            self._new_version(item, os.link)

    def _rename(self, item: Item, name: str) -> None:
        check_name(name)
        assert item.parent_id is not None
        existing = self.child(self.items[item.parent_id], name)
        if existing is not None and existing is not item:
            raise name_already_exists(name)
        siblings = self._children[item.parent_id]
        siblings.pop(item.name.casefold())
        siblings[name.casefold()] = item.id
        item.name = name

    def _new_version(self, item: Item, keep: Callable[[Path, Path], None]) -> None:
        """The current version goes into the file's history, its bytes moved away by `keep` (os.replace) when new
        content follows, or linked (os.link: no copy) when they stay current; then a new version begins."""
        if not item.is_folder:
            kept = Version(item.version, item.modified, item.size,
                           self.directory / "versions" / f"{item.id}.{item.version}")
            keep(self.content_path(item), kept.path)
            item.versions.insert(0, kept)
            for dropped in item.versions[self.versions_kept - 1:]:
                dropped.path.unlink(missing_ok=True)
            del item.versions[self.versions_kept - 1:]
        item.version += 1
        item.modified = self.clock.now()

    def delete(self, item: Item) -> None:
        with self.lock:
            for child in self.children(item):
                self.delete(child)
            if item.parent_id is not None:
                self._children[item.parent_id].pop(item.name.casefold(), None)
            self._children.pop(item.id, None)
            self.items.pop(item.id, None)
            self.content_path(item).unlink(missing_ok=True)
            for version in item.versions:
                version.path.unlink(missing_ok=True)

    def _add(self, item: Item) -> None:
        self.items[item.id] = item
        if item.parent_id is not None:
            self._children.setdefault(item.parent_id, {})[item.name.casefold()] = item.id
            item.list_item_id = self.list_of(self.drives[item.drive_id]).next_item_id()

    def _place(self, parent: Item, name: str, conflict: Conflict) -> tuple[str, Item | None]:
        """The name to create under `parent` and the item it replaces, per @microsoft.graph.conflictBehavior."""
        existing = self.child(parent, name)
        if existing is None:
            return name, None
        if conflict == "fail":
            raise name_already_exists(name)
        if conflict == "replace":
            return name, existing
        stem, dot, extension = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
        number = 1
        while self.child(parent, f"{stem} {number}{dot}{extension}") is not None:
            number += 1
        return f"{stem} {number}{dot}{extension}", None
