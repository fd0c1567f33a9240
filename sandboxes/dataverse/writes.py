"""Create, update, upsert and delete with Dataverse's rules (dataverse.md §2, §6, §12)."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sandboxes.dataverse import facts
from sandboxes.dataverse.attachments import check_attachment
from sandboxes.dataverse.catalog import Catalog
from sandboxes.dataverse.errors import DataverseError, bad_request, duplicate_record, version_mismatch
from sandboxes.dataverse.keys import KeySpec
from sandboxes.dataverse.payload import Changes, lookup_target_annotation, parse_changes
from sandboxes.dataverse.principal import Principal, user_disabled
from sandboxes.dataverse.references import ReferenceResolver, find_row, missing, row_value
from sandboxes.dataverse.schema import Table
from sandboxes.dataverse.store import Row, RowStore


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def etag(row: Row) -> str:
    return f'W/"{row["versionnumber"]}"'  # §2: @odata.etag = W/"<versionnumber>"


@dataclass(frozen=True)
class Conditions:
    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def update_only(self) -> bool:
        return self.if_match is not None

    @property
    def create_only(self) -> bool:
        return self.if_none_match == "*"  # §1: `If-None-Match: null` is a no-op, not an ETag


@dataclass(frozen=True)
class WriteResult:
    row: Row
    created: bool


class RowWriter:
    def __init__(self, catalog: Catalog, store: RowStore, now: Callable[[], float], upload_limit: int) -> None:
        self.catalog = catalog
        self.store = store
        self.now = now
        self.upload_limit = upload_limit

    # --- validation of a complete row -------------------------------------------------------------------
    def _check_state(self, table: Table, before: Row | None, after: Row, changes: Changes) -> None:
        statuses = table.status_state
        sent = {"statecode", "statuscode"} & set(changes.columns)
        if statuses is None or not sent:
            return
        state, status = int(after.get("statecode") or 0), int(after.get("statuscode") or 0)
        if "statecode" in sent and "statuscode" not in sent:
            status = next(code for code, owner in statuses.items() if owner == state)
            after["statuscode"] = status
        if statuses.get(status) != state:
            # §6: statuscode must belong to statecode (code inferred: InvalidStateCodeStatusCode).
            raise bad_request(f"{status} is not a valid status code for state code {table.logical}State."
                              f"{state} on {table.logical} with Id {after[table.primary_id]}.", "0x80040203")
        previous_state = before.get("statecode") if before else None
        action = facts.ACTION_ONLY_STATES.get((table.logical, state))
        if action is not None and state != previous_state:
            target = {"CloseIncident": "Resolved"}.get(action, "Won" if state == 1 else "Lost")
            raise bad_request(f"This message can not be used to set the state of {table.logical} to {target}. "
                              f"In order to set state of {table.logical} to {target}, use the {action}Request "
                              "message instead.", "0x80040203")

    def _check_closed(self, table: Table, before: Row, changes: Changes) -> None:
        closed = facts.READ_ONLY_STATES.get(table.logical, set())
        if before.get("statecode") in closed and set(changes.columns) - {"statecode", "statuscode"}:
            # §6: closed activities / paid invoices / closed opportunities are read-only (code inferred).
            raise bad_request(f"This {table.logical} is closed or inactive and cannot be edited. Reopen it first.",
                              "0x80043e09")

    def _check_owner(self, row: Row) -> None:
        owner = row.get("_ownerid_value")
        if owner and row.get(lookup_target_annotation("ownerid")) == "systemuser":
            user = self.store.get("systemuser", owner)
            if user is not None and user.get("isdisabled"):
                raise user_disabled(owner)

    def _check_currency(self, table: Table, row: Row) -> None:
        price_list_id, currency = row.get("_pricelevelid_value"), row.get("_transactioncurrencyid_value")
        if table.logical not in facts.PRICE_LIST_CURRENCY_TABLES or not price_list_id or not currency:
            return
        price_list = self.store.get("pricelevel", price_list_id) or {}
        if str(price_list.get("_transactioncurrencyid_value") or "").lower() != str(currency).lower():
            raise bad_request("The currency of the record does not match the currency of the price list.",
                              "0x80048cf6")

    def _check_keys(self, table: Table, row: Row) -> None:
        now = self.now()
        for key in table.keys:
            if key.status(now) != "Active":
                continue
            values = [row_value(table, row, name) for name in key.attributes]
            if any(value is None for value in values):
                continue
            spec = KeySpec(None, tuple(zip(key.attributes, values)))  # type: ignore[arg-type]
            other = find_row(table, spec, self.store)
            if other is not None and other[table.primary_id] != row[table.primary_id]:
                # §8 / §11 (CODES DuplicateRecordEntityKey); status inferred.
                raise DataverseError(412, "0x80060892", f"Entity Key {key.schema_name} violated. A record with the "
                                     f"same value for {', '.join(key.attributes)} already exists. A duplicate "
                                     "record cannot be created. Try again with a different value.")

    # --- the operations ---------------------------------------------------------------------------------
    def create(self, table: Table, body: Any, principal: Principal, resolver: ReferenceResolver,
               preset: dict[str, Any] | None = None) -> Row:
        changes = parse_changes(table, body, "create", resolver.bind)
        for name, value in (preset or {}).items():
            changes.columns.setdefault(name, value)
        return self._insert(table, changes, principal)

    def _insert(self, table: Table, changes: Changes, principal: Principal) -> Row:
        row_id = changes.row_id or str(uuid.uuid4())
        if self.store.get(table.logical, row_id) is not None:
            raise duplicate_record()  # §2: supplied PK already used
        now = iso(self.now())
        row: Row = {table.primary_id: row_id, "createdon": now, "modifiedon": now,
                    "versionnumber": self.store.next_version()}
        if "statecode" in table.columns and table.status_state:
            row["statecode"] = 0
            row["statuscode"] = next(code for code, state in table.status_state.items() if state == 0)
        if "ownerid" in table.columns:
            row["_ownerid_value"] = principal.systemuserid
            row[lookup_target_annotation("ownerid")] = "systemuser"
        for audit, user in (("createdby", principal.systemuserid), ("modifiedby", principal.systemuserid),
                            ("createdonbehalfby", principal.on_behalf_of)):
            if audit in table.columns and user is not None:
                row[f"_{audit}_value"] = user
        overridden = changes.columns.pop("overriddencreatedon", None)
        if overridden is not None:
            if not principal.app_user.can_override_createdon:
                raise DataverseError(403, "0x80040220", f"Principal user (Id={principal.app_user.systemuserid}) is "
                                                        "missing prvOverrideCreatedOnCreatedBy privilege.")
            # §6 (IMPORT): createdon := supplied value, overriddencreatedon := the actual import time.
            row["createdon"] = overridden
            row["overriddencreatedon"] = now
        row.update(changes.columns)
        check_attachment(table, changes.columns, self.upload_limit)
        self._check_state(table, None, row, changes)
        self._check_owner(row)
        self._check_currency(table, row)
        self._check_keys(table, row)
        self.store.put(table.logical, row_id, row)
        return row

    def update(self, table: Table, existing: Row, body: Any, principal: Principal, resolver: ReferenceResolver,
               drop: frozenset[str] = frozenset()) -> Row:
        changes = parse_changes(table, body, "update", resolver.bind)
        return self._update(table, existing, changes, principal, drop)

    def _update(self, table: Table, existing: Row, changes: Changes, principal: Principal,
                drop: frozenset[str]) -> Row:
        if changes.row_id is not None and changes.row_id != existing[table.primary_id]:
            raise bad_request(f"The primary key {table.primary_id} cannot be changed.")
        changes.columns.pop("overriddencreatedon", None)  # §6: create-only, ignored on update
        for name in drop:  # §2: key columns in the body are removed on update via that key
            changes.columns.pop(name, None)
        self._check_closed(table, existing, changes)
        check_attachment(table, changes.columns, self.upload_limit)
        row = {**existing, **changes.columns, "modifiedon": iso(self.now()),
               "versionnumber": self.store.next_version()}
        if "modifiedby" in table.columns:
            row["_modifiedby_value"] = principal.systemuserid
        self._check_state(table, existing, row, changes)
        self._check_owner(row)
        self._check_currency(table, row)
        self._check_keys(table, row)
        self.store.put(table.logical, existing[table.primary_id], row)
        return row

    def upsert(self, table: Table, key: KeySpec, body: Any, principal: Principal, resolver: ReferenceResolver,
               conditions: Conditions) -> WriteResult:
        """PATCH /<set>(<key>) (§2 UPS/COND)."""
        existing = find_row(table, key, self.store)
        if existing is None:
            if conditions.update_only:
                raise missing(table, key)
            preset: dict[str, Any] = {}
            if key.row_id is not None:
                preset[table.primary_id] = key.row_id
            for name, value in key.values:  # §2: URL key values fill in what the body lacks
                lookup = table.columns[name].kind == "Lookup"
                preset[f"_{name}_value" if lookup else name] = value
            changes = parse_changes(table, body, "create", resolver.bind)
            if key.row_id is not None:
                if changes.row_id is not None and changes.row_id != key.row_id:
                    raise bad_request(f"The primary key {table.primary_id} in the body does not match the URL.")
                changes.row_id = key.row_id
                preset.pop(table.primary_id)
            for name, value in preset.items():
                changes.columns.setdefault(name, value)
            return WriteResult(self._insert(table, changes, principal), True)
        if conditions.create_only:
            raise duplicate_record()
        if conditions.if_match not in (None, "*") and conditions.if_match != etag(existing):
            raise version_mismatch()
        changes = parse_changes(table, body, "update", resolver.bind)
        dropped = frozenset(name for name, _ in key.values)
        return WriteResult(self._update(table, existing, changes, principal, dropped), False)

    # --- delete with cascade (§12) ----------------------------------------------------------------------
    def delete(self, table: Table, row: Row) -> None:
        row_id = str(row[table.primary_id])
        for child_table, lookup, behaviour in self._children(table):
            for child in self.store.all(child_table.logical):
                if str(child.get(f"_{lookup}_value") or "").lower() != row_id.lower():
                    continue
                if child.get(lookup_target_annotation(lookup)) not in (None, table.logical):
                    continue
                if behaviour == "Restrict":
                    # §12: Restrict raises if children remain (code and wording inferred).
                    raise bad_request(f"The record cannot be deleted because it is referenced by "
                                      f"{child_table.logical} {child[child_table.primary_id]} through '{lookup}'.",
                                      "0x80040227")
                if behaviour == "Cascade":
                    self.delete(child_table, child)
                else:
                    unlinked = {**child, f"_{lookup}_value": None, lookup_target_annotation(lookup): None}
                    self.store.put(child_table.logical, child[child_table.primary_id], unlinked)
        self.store.put(table.logical, row_id, None)

    def _children(self, parent: Table) -> list[tuple[Table, str, str]]:
        found: list[tuple[Table, str, str]] = []
        for table in self.catalog.tables():
            for nav, sets in table.binds.items():
                lookup = table.lookup_of(nav)
                if lookup is None or parent.entity_set not in sets:
                    continue
                behaviour = (self.catalog.delete_behaviour(table.logical, lookup, parent.logical)
                             or facts.DELETE_BEHAVIOUR.get((table.logical, lookup, parent.logical))
                             or facts.DELETE_BEHAVIOUR.get((table.logical, lookup, "*")) or "RemoveLink")
                entry = (table, lookup, behaviour)
                if entry not in found:
                    found.append(entry)
        return found
