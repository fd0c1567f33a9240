"""Everything one sandbox instance holds, and the handle tests use to inspect or change it."""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from starlette.requests import Request

from sandboxes.clio.clock import SandboxClock
from sandboxes.clio.faults import FaultInjector
from sandboxes.dataverse.catalog import Catalog
from sandboxes.dataverse.config import DataverseConfig
from sandboxes.dataverse.customization import build_column, build_key, build_table
from sandboxes.dataverse.document_management import enable, is_enabled
from sandboxes.dataverse.operation import Operation
from sandboxes.dataverse.protection import ServiceProtectionLimiter
from sandboxes.dataverse.references import ReferenceResolver, row_value
from sandboxes.dataverse.relationships import add_relationship
from sandboxes.dataverse.schema import AlternateKey, Table, load_tables
from sandboxes.dataverse.snapshot import export_snapshot, load_snapshot, seed_rows
from sandboxes.dataverse.store import RowStore
from sandboxes.dataverse.tokens import TokenIssuer
from sandboxes.dataverse.writes import RowWriter

DEFAULT_PUBLISHER_ID = "d21aab71-79e7-11dd-8874-00188b01e34f"  # the platform's fixed default publisher id


class DataverseState:
    def __init__(self, config: DataverseConfig, snapshot: dict[str, Any] | str | Path | None = None) -> None:
        self.config = config
        self.clock = SandboxClock()
        self.catalog = Catalog(load_tables(config.entity_definitions_path, config.string_max_lengths))
        self.store = RowStore()
        self.writer = RowWriter(self.catalog, self.store, self.clock.now, config.max_upload_file_size)
        self.tokens = TokenIssuer(config.application_users, self.clock, config.access_token_lifetime_seconds,
                                  config.signing_secret)
        self.faults = FaultInjector(config.faults, config.fault_seed, self.tokens)
        self.limiter = ServiceProtectionLimiter(config.service_protection, self.clock)
        self.organization_id = str(uuid.uuid4())
        self.business_unit_id = str(uuid.uuid4())
        self.solution_components: list[tuple[str, str, str]] = []  # (solution, component kind, name)
        self.publications: list[str] = []
        self.definition_updates: list[tuple[str, str | None]] = []  # (table, MSCRM.MergeLabels header) per PUT
        self.closures: list[dict[str, Any]] = []
        self._seed_defaults()
        loaded = load_snapshot(snapshot)
        self._apply_metadata(loaded.get("_metadata", {}))
        seed_rows(loaded, self.catalog, self.store)

    def _seed_defaults(self) -> None:
        # §8: the default publisher (prefix `new`) and the application users' and configured systemusers.
        self.store.put("publisher", DEFAULT_PUBLISHER_ID, {
            "publisherid": DEFAULT_PUBLISHER_ID, "uniquename": "DefaultPublisher", "friendlyname": "Default Publisher",
            "customizationprefix": "new", "customizationoptionvalueprefix": 10000, "versionnumber": 1})
        for app in self.config.application_users:
            self.store.put("systemuser", app.systemuserid, {
                "systemuserid": app.systemuserid, "fullname": app.fullname, "isdisabled": False,
                "islicensed": False, "applicationid": app.client_id,
                "azureactivedirectoryobjectid": app.azureactivedirectoryobjectid, "versionnumber": 1})
        for user in self.config.system_users:
            self.store.put("systemuser", user.systemuserid, {**user.model_dump(exclude_none=True), "versionnumber": 1})

    def _apply_metadata(self, metadata: dict[str, Any]) -> None:
        """Tables first, then their columns and lookups (which may point at any table), then keys (which may
        use any column)."""
        prefixes = {"new", *(name.split("_", 1)[0] for name in metadata if "_" in name)}

        def with_prefix_of(name: str) -> set[str]:
            return prefixes | {name.split("_", 1)[0].lower()}

        for logical, entry in sorted(metadata.items()):
            if "table" in entry and self.catalog.by_logical(logical) is None:
                definition = {**entry["table"], "Attributes": [
                    column for column in entry["columns"].values() if column.get("IsPrimaryName")]}
                self.catalog.add(build_table(definition, prefixes, set()))
        for logical, entry in sorted(metadata.items()):
            table = self.catalog.require_logical(logical)
            for name, definition in entry.get("columns", {}).items():
                if name not in table.columns:
                    column = build_column(table, definition, with_prefix_of(name))
                    table.columns[column.logical] = column
            for body in entry.get("relationships", []):
                add_relationship(self.catalog, body, with_prefix_of(body["SchemaName"]) |
                                 with_prefix_of(body["Lookup"]["SchemaName"]))
            if entry.get("document_management") and not is_enabled(self.catalog, table):
                enable(self.catalog, table)
        now = self.clock.now()
        for logical, entry in sorted(metadata.items()):
            table = self.catalog.require_logical(logical)
            for key in entry.get("keys", []):
                table.keys.append(build_key(table, key, with_prefix_of(key["SchemaName"]), now - 1, 0,
                                            self.config.max_keys_per_table))

    # --- used by the handlers -----------------------------------------------------------------------------
    def resolver(self, operation: Operation) -> ReferenceResolver:
        return ReferenceResolver(self.catalog, self.store, self.clock.now, operation.content_ids)

    def check_key_data(self, table: Table, key: AlternateKey) -> None:
        """A key over columns whose existing values collide fails its index job (§8, inferred)."""
        seen: set[tuple[object, ...]] = set()
        for row in self.store.all(table.logical):
            values = tuple(row_value(table, row, name) for name in key.attributes)
            if None in values:
                continue
            if values in seen:
                key.failed = True
                return
            seen.add(values)

    # --- for tests --------------------------------------------------------------------------------------
    def table(self, logical: str) -> Table:
        return self.catalog.require_logical(logical)

    def rows(self, entity_set: str) -> list[dict[str, Any]]:
        table = self.catalog.require_set(entity_set)
        return sorted(self.store.all(table.logical), key=lambda row: str(row[table.primary_id]))

    def export(self) -> dict[str, Any]:
        return export_snapshot(self.catalog, self.store)

    def export_to(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.export(), indent=1, sort_keys=True))


def state_of(request: Request) -> DataverseState:
    state: DataverseState = request.app.state.dataverse
    return state
