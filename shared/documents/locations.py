"""The Dataverse side of SharePoint documents (dataverse.md §10): a `sharepointsite` for the site, and a chain of
`sharepointdocumentlocation` rows — the library, its area folder ("Matters", "Contacts"), then one per record
folder with `regardingobjectid` set — so each record's Documents tab opens its folder. Rows are upserted by our
alternate key like every other row (the loader, the ledger); a site row the org already has is reused, not copied.

A record folder links to the first table the map placed its record in whose `regardingobjectid_<table>` exists on
sharepointdocumentlocation: that navigation exists only for tables with document management enabled, which the
schema step turns on for opportunity, case, account and contact. Where it is still off (the org refused), the
folder stays in SharePoint and the report says what to enable."""
from __future__ import annotations

import hashlib
from typing import Any

from shared.dataverse.loader import LoadRow, TableTarget, key_literal
from shared.dataverse.schema import ColumnSpec, KeySpec, SchemaRequest
from shared.documents.models import DocumentLine, RecordFolder

KEY_COLUMN, HASH_COLUMN = "new_clioid", "new_clioloadhash"
SITE = TableTarget(entity_set="sharepointsites", logical_name="sharepointsite", primary_id="sharepointsiteid",
                   key_column=KEY_COLUMN, hash_column=HASH_COLUMN)
LOCATION = TableTarget(entity_set="sharepointdocumentlocations", logical_name="sharepointdocumentlocation",
                       primary_id="sharepointdocumentlocationid", key_column=KEY_COLUMN, hash_column=HASH_COLUMN)
SCHEMA = SchemaRequest(
    columns=[spec for table in ("sharepointsite", "sharepointdocumentlocation") for spec in (
        ColumnSpec(table=table, schema_name="new_ClioId", type="string", label="Clio id", max_length=100),
        ColumnSpec(table=table, schema_name="new_ClioLoadHash", type="string", label="Load hash", max_length=64))],
    keys=[KeySpec(table=table, schema_name="new_clioid_key", columns=[KEY_COLUMN])
          for table in ("sharepointsite", "sharepointdocumentlocation")],
    # Every table a matter or contact lands in; case and contact are off in a new org (dataverse.md §10).
    document_management=["opportunity", "incident", "account", "contact"])
SERVICE_SHAREPOINT = 0
LOCATION_GENERAL = 0
_AREA_SETS = {"opportunities": "opportunity", "incidents": "incident", "accounts": "account", "contacts": "contact"}


def _key(kind: str, value: str) -> str:
    """A key that is safe in a URL whatever the value: Dataverse takes alternate key values in the request path,
    where '/', ':', '%' and the like are refused."""
    return f"{kind}-{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _bind(target: TableTarget, key: str) -> str:
    return f"/{target.entity_set}({target.key_column}={key_literal(key)})"


class LocationRows:
    """The rows of the three load steps (site, then library and area locations, then record locations): each step
    binds to rows of the one before by alternate key, so they load in that order."""

    def __init__(self, site_url: str, site_name: str, library_name: str, library_url_name: str,
                 existing_site_id: str | None) -> None:
        self.site_key = _key("sharepoint-site", site_url.removeprefix("https://"))
        self.library_key = _key("sharepoint-library", f"{site_url.removeprefix('https://')}/{library_url_name}")
        self._site_url, self._site_name = site_url, site_name
        self._library_name, self._library_url_name = library_name, library_url_name
        self._site_bind = f"/sharepointsites({existing_site_id})" if existing_site_id else _bind(SITE, self.site_key)
        self.reuses_site = existing_site_id is not None

    def site(self) -> list[LoadRow]:
        if self.reuses_site:
            return []
        return [LoadRow(key=self.site_key, values={"name": self._site_name, "absoluteurl": self._site_url,
                                                   "servicetype": SERVICE_SHAREPOINT})]

    def containers(self, areas: set[str]) -> list[LoadRow]:
        library = LoadRow(key=self.library_key, values={
            "name": self._library_name, "relativeurl": self._library_url_name,
            "parentsiteorlocation_sharepointsite@odata.bind": self._site_bind,
            "locationtype": LOCATION_GENERAL, "servicetype": SERVICE_SHAREPOINT})
        return [library] + [LoadRow(key=self._area_key(area), values={
            "name": f"{self._library_name} / {area}", "relativeurl": area,
            "parentsiteorlocation_sharepointdocumentlocation@odata.bind": _bind(LOCATION, self.library_key),
            "locationtype": LOCATION_GENERAL, "servicetype": SERVICE_SHAREPOINT}) for area in sorted(areas)]

    def records(self, folders: list[RecordFolder], regarding: dict[str, list[str]]
                ) -> tuple[list[LoadRow], list[DocumentLine]]:
        """`regarding`: the entity sets sharepointdocumentlocation can be regarding in this org, by navigation."""
        rows, lines = [], []
        for folder in folders:
            entity_set = next((s for s in folder.entity_sets
                               if s in regarding.get(f"regardingobjectid_{_AREA_SETS.get(s, s)}", [])), None)
            if entity_set is None:
                lines.append(self._unlinked(folder))
                continue
            values: dict[str, Any] = {
                "name": folder.name, "relativeurl": folder.name,
                "parentsiteorlocation_sharepointdocumentlocation@odata.bind": _bind(
                    LOCATION, self._area_key(folder.area)),
                f"regardingobjectid_{_AREA_SETS.get(entity_set, entity_set)}@odata.bind":
                    f"/{entity_set}({KEY_COLUMN}={key_literal(folder.clio_id)})",
                "locationtype": LOCATION_GENERAL, "servicetype": SERVICE_SHAREPOINT}
            rows.append(LoadRow(key=f"sharepoint-folder-{folder.key}", values=values))
        return rows, lines

    def _area_key(self, area: str) -> str:
        return _key("sharepoint-area", f"{self.library_key}/{area}")

    @staticmethod
    def _unlinked(folder: RecordFolder) -> DocumentLine:
        if not folder.entity_sets:
            reason = (f"{folder.resource[:-1]} {folder.clio_id} was not mapped to any Dynamics table; its folder "
                      "is in SharePoint but linked to no record")
        else:
            tables = ", ".join(_AREA_SETS.get(s, s) for s in folder.entity_sets)
            reason = (f"document management is not enabled for {tables} in this org, so no document location can "
                      f"be regarding it; enable it (Settings > Document Management Settings) and run the link "
                      "step again")
        return DocumentLine(severity="warning", code="NOT_LINKED", reason=reason, path=folder.path)
