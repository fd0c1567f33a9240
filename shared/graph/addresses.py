"""Graph's item addresses, with names URL-encoded (a name may hold spaces, '#', '%' and other reserved characters)."""
from __future__ import annotations

from urllib.parse import quote

CONFLICT = "@microsoft.graph.conflictBehavior"


def site_id_path(site_id: str) -> str:
    return f"sites/{quote(site_id, safe=',')}"


def list_path(site_id: str, list_id: str) -> str:
    return f"{site_id_path(site_id)}/lists/{quote(list_id, safe='')}"


def drive_path(drive_id: str) -> str:
    return f"drives/{quote(drive_id, safe='')}"


def item_path(drive_id: str, item_id: str, *names: str) -> str:
    """`drives/{d}/items/{id}`, or the path below that item: `drives/{d}/items/{id}:/a/b.pdf:`."""
    base = f"{drive_path(drive_id)}/items/{quote(item_id, safe='')}"
    return f"{base}:/{joined(names)}:" if names else base


def root_path(drive_id: str, *names: str) -> str:
    """`drives/{d}/root`, or the path below the root: `drives/{d}/root:/a/b.pdf:`."""
    return f"{drive_path(drive_id)}/root:/{joined(names)}:" if names else f"{drive_path(drive_id)}/root"


def joined(names: tuple[str, ...] | list[str]) -> str:
    return "/".join(quote(name, safe="") for name in names)
