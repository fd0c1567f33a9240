"""`<set>/Microsoft.Dynamics.CRM.{Create,Update,Upsert}Multiple` (dataverse.md §3.2, §13.4): atomic."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandboxes.dataverse.errors import DataverseError, bad_request, does_not_exist
from sandboxes.dataverse.keys import KeySpec
from sandboxes.dataverse.operation import Operation, Reply
from sandboxes.dataverse.schema import Table
from sandboxes.dataverse.writes import Conditions

if TYPE_CHECKING:
    from sandboxes.dataverse.state import DataverseState

MESSAGES = ("CreateMultiple", "UpdateMultiple", "UpsertMultiple")


def _targets(operation: Operation, table: Table) -> list[dict[str, Any]]:
    body = operation.json()
    targets = body.get("Targets") if isinstance(body, dict) else None
    if not isinstance(targets, list) or not targets:
        raise bad_request("The 'Targets' parameter is required and must be a non-empty array of entities.")
    for index, target in enumerate(targets):
        if not isinstance(target, dict):
            raise bad_request(f"Targets[{index}] is not an entity.")
        kind = target.get("@odata.type")
        if kind is None:
            # §3.2: @odata.type required on every target.
            raise bad_request(f"Targets[{index}]: the '@odata.type' annotation is required for "
                              "Microsoft.Dynamics.CRM.CreateMultiple/UpdateMultiple/UpsertMultiple targets.")
        if kind.lstrip("#") != table.odata_type:
            raise bad_request(f"Targets[{index}]: '@odata.type' {kind} does not match the entity set "
                              f"'{table.entity_set}' ({table.odata_type}); all targets must be of that type.")
    return targets


def _failing(index: int, table: Table, error: DataverseError) -> DataverseError:
    """The error of one target, naming it (§3.2: the whole request fails)."""
    return DataverseError(error.status, error.code, f"Targets[{index}] ({table.logical}): {error.message}",
                          error.headers)


def _without(target: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in target.items() if name not in names}


def handle(state: DataverseState, operation: Operation, table: Table, message: str) -> Reply:
    if operation.method != "POST":
        raise DataverseError(404, "", "No HTTP resource was found that matches the request URI.")
    if not table.supports_multiple:
        # §3.2 / §13.4: e.g. task, email, annotation.
        raise bad_request(f"The '{message}' message is not supported for entity '{table.logical}'.", "0x80040800")
    targets = _targets(operation, table)
    resolver = state.resolver(operation)
    principal = operation.principal
    ids: list[str] = []
    with state.store.transaction():
        for index, target in enumerate(targets):
            try:
                if message == "CreateMultiple":
                    row = state.writer.create(table, _without(target, "@odata.type"), principal, resolver)
                    ids.append(str(row[table.primary_id]))
                elif message == "UpdateMultiple":
                    row_id = target.get(table.primary_id)
                    if not isinstance(row_id, str):
                        raise bad_request(f"UpdateMultiple targets must include the primary key {table.primary_id}.")
                    existing = state.store.get(table.logical, row_id)
                    if existing is None:
                        raise does_not_exist(table.logical, row_id)
                    state.writer.update(table, existing, _without(target, "@odata.type"), principal, resolver)
                else:
                    key = _upsert_key(table, target, resolver)
                    state.writer.upsert(table, key, _without(target, "@odata.type", "@odata.id"), principal,
                                        resolver, Conditions())
            except DataverseError as error:
                raise _failing(index, table, error) from error
    if message == "CreateMultiple":
        return Reply(200, {}, {"@odata.context": f"{operation.service_root}/$metadata#Microsoft.Dynamics.CRM."
                                                 "CreateMultipleResponse", "Ids": ids})
    return Reply(204)


def _upsert_key(table: Table, target: dict[str, Any], resolver: Any) -> KeySpec:
    """§3.2: PK column or `@odata.id` `<set>(<altkey>=…)`."""
    if "@odata.id" in target:
        referenced, key = resolver.parse(str(target["@odata.id"]))
        if referenced.logical != table.logical:
            raise bad_request(f"@odata.id {target['@odata.id']} does not address {table.entity_set}.")
        return key
    row_id = target.get(table.primary_id)
    if not isinstance(row_id, str):
        raise bad_request(f"UpsertMultiple targets need {table.primary_id} or an '@odata.id' alternate key.")
    return KeySpec(row_id.lower())
