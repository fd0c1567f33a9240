"""Document management on a table (dataverse.md §10): `IsDocumentManagementEnabled`, changed by a `PUT` of the
table's full definition (TBL "Update table definitions"; the SDK sample "Enable document management for entities"
does it with UpdateEntity on contact).

A table has it on exactly when sharepointdocumentlocation has its `regardingobjectid_<table>` navigation: from the
anchor JSON (account, opportunity, product, … in the org it was read from) or added here with a
`<table>_SharePointDocumentLocations` relationship (the platform's naming: contact_SharePointDocumentLocations).
"""
from __future__ import annotations

from typing import Any

from sandboxes.dataverse import facts
from sandboxes.dataverse.catalog import Catalog
from sandboxes.dataverse.errors import bad_request
from sandboxes.dataverse.relationships import DEFAULT_CASCADE
from sandboxes.dataverse.schema import Relationship, Table

LOCATION = "sharepointdocumentlocation"
FLAG = "IsDocumentManagementEnabled"
_IDENTITY = ("MetadataId", "LogicalName", "SchemaName")


def _navigation(table: Table) -> str:
    return f"regardingobjectid_{table.logical}"


def is_enabled(catalog: Catalog, table: Table) -> bool:
    location = catalog.by_logical(LOCATION)
    return location is not None and _navigation(table) in location.binds


def enabled_later(catalog: Catalog) -> set[str]:
    """Tables enabled through the metadata API (not in the anchor): what a snapshot must carry."""
    return {known.referenced for known in catalog.relationships.values()
            if known.referencing == LOCATION and not known.custom}


def enable(catalog: Catalog, table: Table) -> Relationship:
    """`regardingobjectid_<table>` becomes a bindable navigation of sharepointdocumentlocation; deleting the row
    deletes its locations (§12, as for the anchor's regarding targets)."""
    location = catalog.require_logical(LOCATION)
    name = f"{table.logical}_SharePointDocumentLocations"
    relationship = Relationship(name, table.logical, table.primary_id, LOCATION, "regardingobjectid",
                                _navigation(table), {**DEFAULT_CASCADE, "Delete": "Cascade"},
                                referenced_navigation=name)
    location.binds[relationship.navigation] = (table.entity_set,)
    catalog.relationships[name.lower()] = relationship
    return relationship


def _invalid(message: str) -> Exception:
    return bad_request(message, "0x80040203")  # the sandbox's code for a malformed metadata body


def _check_full_definition(table: Table, body: Any, served: dict[str, Any]) -> None:
    """TBL: a PUT replaces the definition with the one sent ("include all the existing properties that you don't
    intend to change"; "You can't update individual properties"), so Dataverse would reset what is left out. The
    sandbox refuses such a body instead (stricter), and refuses changes it does not model rather than drop them."""
    if not isinstance(body, dict):
        raise _invalid("The table definition must be a JSON object.")
    odata_type = str(body.get("@odata.type", "Microsoft.Dynamics.CRM.EntityMetadata")).lstrip("#")
    if odata_type != "Microsoft.Dynamics.CRM.EntityMetadata":
        raise _invalid(f"A table definition is a Microsoft.Dynamics.CRM.EntityMetadata, not '{odata_type}'.")
    for name in _IDENTITY:
        sent, known = body.get(name), served[name]
        if name in body and str(sent).lower() != str(known).lower():
            raise _invalid(f"The definition sent is for another table: {name} is '{sent}', the URL addresses "
                           f"'{known}' ({table.logical}).")
    missing = sorted(name for name in served if not name.startswith("@") and name not in body)
    if missing:
        raise _invalid("PUT replaces the whole table definition: retrieve it, change it and send all of it back "
                       f"(missing: {', '.join(missing)}). PATCH and partial definitions are not supported.")
    changed = sorted(name for name, value in served.items()
                     if not name.startswith("@") and name != FLAG and body[name] != value)
    if changed:
        raise _invalid(f"The sandbox changes only {FLAG} through PUT; these differ from the table's definition: "
                       f"{', '.join(changed)}.")
    if not isinstance(body[FLAG], bool):
        raise _invalid(f"{FLAG} must be true or false.")


def update_definition(catalog: Catalog, table: Table, body: Any, served: dict[str, Any]) -> None:
    """Apply a PUT of `table`'s full definition (`served` is what GET returns for it)."""
    _check_full_definition(table, body, served)
    wanted, current = body[FLAG], is_enabled(catalog, table)
    if wanted == current:
        return
    if not wanted:
        # Undocumented in the sources we have; the migration never turns it off.
        raise _invalid(f"The sandbox does not turn document management off ({table.logical}).")
    if table.logical in facts.NOT_CUSTOMIZABLE:
        raise bad_request("The specified entity is not customizable", "0x80047008")  # CODES EntityIsNotCustomizable
    if catalog.by_logical(LOCATION) is None:  # CODES DocumentManagementIsDisabled
        raise bad_request("Document Management is not enabled for this Organization.", "0x8004F312")
    if table.primary_name is None:  # CODES DocumentManagementNotEnabledNoPrimaryField
        raise bad_request(f"Document management could not be enabled because a primary field is not defined for "
                          f"this entity with name {table.logical} and id {table.metadata_id}.", "0x8004F313")
    enable(catalog, table)
