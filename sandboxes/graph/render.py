"""The JSON Graph returns for sites, drives, driveItems and their versions, lists and listItems (GRAPH
resources/driveitem, resources/driveitemversion, resources/list, resources/listitem)."""
from __future__ import annotations

import mimetypes
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from sandboxes.graph.columns import FILE_NAME, DocumentList
from sandboxes.graph.store import Drive, DriveStore, Item, Site, Version


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_url(site: Site) -> str:
    return f"https://{site.hostname}{site.path}"


def site_json(site: Site) -> dict[str, Any]:
    return {"id": site.id, "name": site.path.rsplit("/", 1)[1], "displayName": site.display_name,
            "webUrl": site_url(site), "createdDateTime": iso(site.created), "lastModifiedDateTime": iso(site.created),
            "siteCollection": {"hostname": site.hostname}}


def library_url(store: DriveStore, drive: Drive) -> str:
    return f"{site_url(store.sites[drive.site_id])}/{quote(drive.name)}"


def drive_json(store: DriveStore, drive: Drive) -> dict[str, Any]:
    return {"id": drive.id, "name": drive.name, "driveType": "documentLibrary", "description": "",
            "webUrl": library_url(store, drive), "createdDateTime": iso(drive.created),
            "lastModifiedDateTime": iso(drive.created)}


def list_json(store: DriveStore, document_list: DocumentList) -> dict[str, Any]:
    drive = store.drives[document_list.drive_id]
    return {"id": document_list.id, "name": drive.name, "displayName": drive.name, "description": "",
            "webUrl": library_url(store, drive), "createdDateTime": iso(document_list.created),
            "lastModifiedDateTime": iso(document_list.created),
            "list": {"contentTypesEnabled": False, "hidden": False, "template": "documentLibrary"},
            "parentReference": {"siteId": drive.site_id}}


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


def version_json(version: Version) -> dict[str, Any]:
    return {"id": f"{version.number}.0", "lastModifiedDateTime": iso(version.modified), "size": version.size}


def list_item_json(store: DriveStore, item: Item, with_fields: bool) -> dict[str, Any]:
    site_id = store.drives[item.drive_id].site_id
    body: dict[str, Any] = {
        "@odata.etag": _list_item_etag(item), "id": str(item.list_item_id), "eTag": _list_item_etag(item),
        "createdDateTime": iso(item.created), "lastModifiedDateTime": iso(item.modified),
        "webUrl": item_json(store, item)["webUrl"], "parentReference": {"siteId": site_id},
        "contentType": {"id": "0x0120", "name": "Folder"} if item.is_folder else {"id": "0x0101", "name": "Document"}}
    if with_fields:
        body["fields"] = fields_json(item)
    return body


def fields_json(item: Item) -> dict[str, Any]:
    """The item's fieldValueSet: the built-in columns' values, then those set by clients (unset ones left out)."""
    return {"@odata.etag": _list_item_etag(item), "id": str(item.list_item_id), FILE_NAME: item.name,
            "Created": iso(item.created), "Modified": iso(item.modified), "_UIVersionString": f"{item.version}.0",
            **item.fields}


def _list_item_etag(item: Item) -> str:
    return f'"{item.tag.lower()},{item.version}"'


def mime_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
