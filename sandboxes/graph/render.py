"""The JSON Graph returns for sites, drives and driveItems (GRAPH resources/driveitem)."""
from __future__ import annotations

import mimetypes
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from sandboxes.graph.store import Drive, DriveStore, Item, Site


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_url(site: Site) -> str:
    return f"https://{site.hostname}{site.path}"


def site_json(site: Site) -> dict[str, Any]:
    return {"id": site.id, "name": site.path.rsplit("/", 1)[1], "displayName": site.display_name,
            "webUrl": site_url(site), "createdDateTime": iso(site.created), "lastModifiedDateTime": iso(site.created),
            "siteCollection": {"hostname": site.hostname}}


def drive_json(store: DriveStore, drive: Drive) -> dict[str, Any]:
    site = store.sites[drive.site_id]
    return {"id": drive.id, "name": drive.name, "driveType": "documentLibrary", "description": "",
            "webUrl": f"{site_url(site)}/{quote(drive.name)}", "createdDateTime": iso(drive.created),
            "lastModifiedDateTime": iso(drive.created)}


def item_json(store: DriveStore, item: Item) -> dict[str, Any]:
    drive = store.drives[item.drive_id]
    site = store.sites[drive.site_id]
    ancestry = store.ancestry(item)
    names = [folder.name for folder in ancestry[1:]]
    body: dict[str, Any] = {
        "id": item.id, "name": item.name, "eTag": f'"{{{item.tag}}},{item.version}"',
        "cTag": f'"c:{{{item.tag}}},{item.content_version}"', "createdDateTime": iso(item.created),
        "lastModifiedDateTime": iso(item.modified),
        "webUrl": "/".join([site_url(site), quote(drive.name), *(quote(n) for n in names),
                            *([quote(item.name)] if ancestry else [])]),
        "size": store.folder_size(item) if item.is_folder else item.size,
        "parentReference": {"driveType": "documentLibrary", "driveId": drive.id, "siteId": site.id},
    }
    if ancestry:
        body["parentReference"].update({"id": ancestry[-1].id, "name": ancestry[-1].name if len(ancestry) > 1
                                        else drive.name,
                                        "path": f"/drives/{drive.id}/root:" + "".join(f"/{n}" for n in names)})
    else:
        body["root"] = {}
    if item.is_folder:
        body["folder"] = {"childCount": len(store.children(item))}
    else:
        body["file"] = {"mimeType": mime_type(item.name), "hashes": {"quickXorHash": item.quick_xor_hash}}
    return body


def mime_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
