"""Graph's item addressing below `/drives/{drive-id}/`: `root`, `items/{id}`, either followed by a path between
colons (`root:/a/b.pdf:`, `items/{id}:/b.pdf:`) and then an action (`/children`, `/content`,
`/createUploadSession`, `/versions`, `/listItem`, `/listItem/fields`). Names cannot contain ':' or '/', so the split
is unambiguous."""
from __future__ import annotations

from dataclasses import dataclass

from sandboxes.graph.errors import invalid_request
from sandboxes.graph.store import Drive, DriveStore, Item

ACTIONS = ("", "children", "content", "createUploadSession", "versions", "listItem", "listItem/fields")
_CANONICAL = {action.casefold(): action for action in ACTIONS}  # Graph's segments are case-insensitive


@dataclass(frozen=True)
class Address:
    item_id: str | None  # None: the drive's root
    path: tuple[str, ...]  # segments below that item
    action: str


def parse_address(rest: str) -> Address:
    if rest == "root" or rest.startswith(("root/", "root:")):
        item_id, tail = None, rest[len("root"):]
    elif rest.startswith("items/"):
        body = rest[len("items/"):]
        cut = min((i for i in (body.find(":"), body.find("/")) if i >= 0), default=len(body))
        item_id, tail = body[:cut], body[cut:]
        if not item_id:
            raise invalid_request("An item id is required.")
    else:
        raise invalid_request(f"Resource not found for the segment '{rest.split('/', 1)[0]}'.")
    path: tuple[str, ...] = ()
    if tail.startswith(":"):
        inner, _, tail = tail[1:].partition(":")
        if not inner.startswith("/"):
            raise invalid_request("A path must start with '/'.")
        path = tuple(segment for segment in inner.split("/") if segment)
    action = tail[1:] if tail.startswith("/") else tail
    if action.casefold() not in _CANONICAL:
        raise invalid_request(f"Resource not found for the segment '{action}'.")
    return Address(item_id, path, _CANONICAL[action.casefold()])


def base_item(store: DriveStore, drive: Drive, address: Address) -> Item:
    return store.require_item(drive.id, address.item_id or drive.root_id)


def resolve(store: DriveStore, drive: Drive, address: Address) -> Item:
    """The addressed item itself (404 itemNotFound)."""
    return store.walk(base_item(store, drive, address), list(address.path))


def resolve_parent(store: DriveStore, drive: Drive, address: Address) -> tuple[Item, str]:
    """(parent folder, new name) for an address ending in a file name; the parent must exist."""
    if not address.path:
        raise invalid_request("A file name is required.")
    parent = store.walk(base_item(store, drive, address), list(address.path[:-1]))
    if not parent.is_folder:
        raise invalid_request("The parent item is not a folder.")
    return parent, address.path[-1]
