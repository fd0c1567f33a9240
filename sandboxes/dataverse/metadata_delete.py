"""Deleting metadata (DeleteEntity, DeleteAttribute, DeleteEntityKey, DeleteRelationship): `DELETE` on the URL of a
table, a column, a key or a relationship definition → 204 (Web API "entity attribute metadata messages": "DELETE to
the URL of the column"; "table relationship definitions messages": DELETE on RelationshipDefinitions).

Rules, from the maker docs: only custom tables and columns can be deleted; "you can't delete a custom table while it
has one or more dependent components"; deleting a lookup column deletes its 1:N relationship (and the other way
round); a table's or column's data goes with it. What counts as a dependency here: a key over a column, a custom
lookup on another table pointing at the table (inferred from RetrieveDependenciesForDelete; the sandbox has no
forms or views). The dependency error is 0x8004F01F with the platform's wording (seen in
microsoft/coe-starter-kit#8561); its HTTP status is inferred."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sandboxes.dataverse.errors import DataverseError, bad_request
from sandboxes.dataverse.payload import lookup_target_annotation
from sandboxes.dataverse.schema import AlternateKey, Column, Relationship, Table

if TYPE_CHECKING:
    from sandboxes.dataverse.state import DataverseState

_NOT_CUSTOM = "0x80040203"  # the sandbox's code for a refused metadata request (the platform's is unrecorded)


def _referenced(kind: str, metadata_id: str, by: int) -> DataverseError:
    return bad_request(f"The {kind}({metadata_id}) component cannot be deleted because it is referenced by {by} "
                       "other components. For a list of referenced components, use the "
                       "RetrieveDependenciesForDeleteRequest.", "0x8004F01F")


def _forget_components(state: DataverseState, names: set[tuple[str, str]]) -> None:
    state.solution_components[:] = [entry for entry in state.solution_components if entry[1:] not in names]


def _drop_values(state: DataverseState, table: Table, names: set[str]) -> None:
    """The column's values leave every row with it (rows are replaced, never mutated: the store's contract)."""
    for row in state.store.all(table.logical):
        if names & set(row):
            state.store.put(table.logical, row[table.primary_id],
                            {name: value for name, value in row.items() if name not in names})


def delete_key(state: DataverseState, table: Table, key: AlternateKey) -> None:
    table.keys.remove(key)
    _forget_components(state, {("EntityKey", f"{table.logical}.{key.logical}")})


def _keys_over(table: Table, column: str) -> list[AlternateKey]:
    return [key for key in table.keys if column in key.attributes]


def delete_relationship(state: DataverseState, relationship: Relationship) -> None:
    if not relationship.custom:
        raise bad_request(f"The relationship {relationship.schema_name} is not a custom relationship and cannot be "
                          "deleted.", _NOT_CUSTOM)
    table = state.catalog.require_logical(relationship.referencing)
    keys = _keys_over(table, relationship.lookup)
    if keys:
        raise _referenced("Attribute", table.columns[relationship.lookup].metadata_id, len(keys))
    state.catalog.relationships.pop(relationship.schema_name.lower(), None)
    table.binds.pop(relationship.navigation, None)
    table.lookups.pop(relationship.navigation, None)
    table.columns.pop(relationship.lookup, None)
    _drop_values(state, table, {f"_{relationship.lookup}_value", lookup_target_annotation(relationship.lookup)})
    _forget_components(state, {("Relationship", relationship.schema_name),
                                ("Attribute", f"{table.logical}.{relationship.lookup}")})


def delete_column(state: DataverseState, table: Table, column: Column) -> None:
    if not column.custom:
        raise bad_request(f"The attribute {column.logical} of {table.logical} is not a custom attribute and cannot be "
                          "deleted.", _NOT_CUSTOM)
    if column.logical == table.primary_name:
        raise _referenced("Attribute", column.metadata_id, 1)  # the table itself depends on its primary name
    if column.kind == "Lookup":
        for relationship in list(state.catalog.relationships.values()):
            if (relationship.referencing, relationship.lookup) == (table.logical, column.logical):
                delete_relationship(state, relationship)
                return
    keys = _keys_over(table, column.logical)
    if keys:
        raise _referenced("Attribute", column.metadata_id, len(keys))
    table.columns.pop(column.logical)
    _drop_values(state, table, {column.logical})
    _forget_components(state, {("Attribute", f"{table.logical}.{column.logical}")})


def delete_table(state: DataverseState, table: Table) -> None:
    if not table.custom:
        raise bad_request(f"The entity {table.logical} is not a custom entity and cannot be deleted.", _NOT_CUSTOM)
    relationships = list(state.catalog.relationships.values())
    dependents = [known for known in relationships if known.custom and known.referenced == table.logical
                  and known.referencing != table.logical]
    if dependents:
        raise _referenced("Entity", table.metadata_id, len(dependents))
    for row in state.store.all(table.logical):  # its rows go as a delete of each would: cascades apply
        if state.store.get(table.logical, str(row[table.primary_id])) is not None:
            state.writer.delete(table, row)
    for known in relationships:  # its own lookups, and the document-management link to it
        if table.logical in (known.referencing, known.referenced):
            state.catalog.relationships.pop(known.schema_name.lower(), None)
    for other in state.catalog.tables():  # regarding/objectid navigations of activities, notes, locations
        for nav, sets in list(other.binds.items()):
            if table.entity_set in sets:
                remaining = tuple(entity_set for entity_set in sets if entity_set != table.entity_set)
                if remaining:
                    other.binds[nav] = remaining
                else:
                    other.binds.pop(nav)
                    other.lookups.pop(nav, None)
    state.catalog.remove(table.logical)
    _forget_components(state, {("Entity", table.logical)})
