"""Many-to-one relationships: custom lookups created by `POST RelationshipDefinitions` (§8), the standard ones
derived from each table's bindable navigation properties, and their `OneToManyRelationshipMetadata`."""
from __future__ import annotations

from typing import Any

from sandboxes.dataverse import facts
from sandboxes.dataverse.catalog import Catalog
from sandboxes.dataverse.customization import LookupInfo, check_prefix, new_attribute_name
from sandboxes.dataverse.errors import bad_request
from sandboxes.dataverse.schema import Column, Relationship, Table

_ONE_TO_MANY = "Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata"
_LOOKUP = "Microsoft.Dynamics.CRM.LookupAttributeMetadata"
_CASCADE_ACTIONS = ("Assign", "Delete", "Merge", "Reparent", "Share", "Unshare")
_CASCADE_TYPES = frozenset({"Cascade", "Active", "NoCascade", "UserOwned", "RemoveLink", "Restrict"})
# The platform's defaults for a new non-parental relationship (also the official SDK's defaults).
DEFAULT_CASCADE = {"Assign": "NoCascade", "Delete": "RemoveLink", "Merge": "NoCascade", "Reparent": "NoCascade",
                   "Share": "NoCascade", "Unshare": "NoCascade"}
# A generic "already exists" code: §8 documents 0x80047013 (DuplicateAttributeSchemaName) and nothing specific
# for relationships, so duplicates of a relationship SchemaName get the same code (inferred).
DUPLICATE = "0x80047013"


def _invalid(message: str) -> Exception:
    return bad_request(message, "0x80040203")  # the sandbox's code for a malformed metadata body (as for columns)


def _cascade(body: Any) -> dict[str, str]:
    if body is None:
        return dict(DEFAULT_CASCADE)
    if not isinstance(body, dict):
        raise _invalid("CascadeConfiguration must be an object.")
    cascade = {**DEFAULT_CASCADE, **{name: body[name] for name in _CASCADE_ACTIONS if name in body}}
    for name, value in cascade.items():
        if value not in _CASCADE_TYPES or (name == "Delete" and value not in ("Cascade", "RemoveLink", "Restrict")):
            raise _invalid(f"CascadeConfiguration.{name} cannot be '{value}'.")
    return cascade


def _lookup_body(body: dict[str, Any]) -> dict[str, Any]:
    lookup = body.get("Lookup")
    if not isinstance(lookup, dict) or str(lookup.get("@odata.type", "")).lstrip("#") != _LOOKUP:
        raise _invalid(f"A one-to-many relationship needs 'Lookup' of type {_LOOKUP}.")
    if lookup.get("AttributeType", "Lookup") != "Lookup":
        raise _invalid(f"AttributeType {lookup.get('AttributeType')} does not match {_LOOKUP}.")
    return lookup


def build_relationship(catalog: Catalog, body: Any, prefixes: set[str]) -> tuple[Relationship, Column]:
    """Validate a posted `OneToManyRelationshipMetadata` (with its `Lookup`) against the catalog."""
    if not isinstance(body, dict) or str(body.get("@odata.type", "")).lstrip("#") != _ONE_TO_MANY:
        raise _invalid(f"A relationship definition needs '@odata.type': '{_ONE_TO_MANY}' (the sandbox does not "
                       "create many-to-many relationships).")
    # §8: the publisher prefix applies to relationships too (Dataverse refuses an unprefixed one, see
    # josephmcmac/JM-Dataverse-Toolbelt#3 "no prefix in relationship schema name").
    schema_name = check_prefix(body.get("SchemaName"), prefixes, "relationship")
    if any(known.schema_name.lower() == schema_name.lower() for known in all_relationships(catalog)):
        raise bad_request(f"A relationship with the SchemaName {schema_name} already exists.", DUPLICATE)
    referenced = catalog.require_logical(str(body.get("ReferencedEntity", "")))
    referencing = catalog.require_logical(str(body.get("ReferencingEntity", "")))
    if body.get("ReferencedAttribute", referenced.primary_id) != referenced.primary_id:
        raise _invalid(f"ReferencedAttribute must be {referenced.primary_id}, the primary key of {referenced.logical}.")
    lookup = _lookup_body(body)
    lookup_name = new_attribute_name(referencing, lookup.get("SchemaName"), prefixes)
    if body.get("ReferencingAttribute", lookup_name.lower()) != lookup_name.lower():
        raise _invalid(f"ReferencingAttribute must be the new lookup's logical name {lookup_name.lower()}.")
    navigation = body.get("ReferencingEntityNavigationPropertyName") or lookup_name
    if not isinstance(navigation, str) or navigation in referencing.binds:
        raise bad_request(f"The navigation property {navigation} already exists on {referencing.logical}.", DUPLICATE)
    relationship = Relationship(schema_name, referenced.logical, referenced.primary_id, referencing.logical,
                                lookup_name.lower(), navigation, _cascade(body.get("CascadeConfiguration")),
                                custom=True, referenced_navigation=str(body.get(
                                    "ReferencedEntityNavigationPropertyName") or schema_name),
                                definition=dict(body))
    column = Column(lookup_name.lower(), "Lookup", schema_name=lookup_name, custom=True, definition=dict(lookup))
    return relationship, column


def add_relationship(catalog: Catalog, body: Any, prefixes: set[str]) -> Relationship:
    relationship, column = build_relationship(catalog, body, prefixes)
    referencing = catalog.require_logical(relationship.referencing)
    referencing.columns[column.logical] = column
    referencing.binds[relationship.navigation] = (catalog.require_logical(relationship.referenced).entity_set,)
    referencing.lookups[relationship.navigation] = column.logical
    catalog.relationships[relationship.schema_name.lower()] = relationship
    return relationship


def _standard(catalog: Catalog, table: Table) -> list[Relationship]:
    """The bindable lookups of a standard table as relationships to the tables the sandbox holds. Their schema
    names are made up (the anchor JSON has none); an owner lookup points at the abstract `owner` as it does in
    Dataverse, its real targets being the attribute's `Targets`."""
    found: dict[str, Relationship] = {}
    custom = {(known.referencing, known.navigation) for known in catalog.relationships.values()}
    columns = lookups(catalog, table)
    for nav, sets in sorted(table.binds.items()):
        lookup = table.lookup_of(nav)
        if lookup is None or (table.logical, nav) in custom:
            continue
        if columns[lookup].attribute_type == "Owner":
            name = f"owner_{table.entity_set}"
            found[name] = Relationship(name, "owner", "ownerid", table.logical, lookup, nav, dict(DEFAULT_CASCADE))
            continue
        for target in (catalog.by_set(entity_set) for entity_set in sets):
            if target is None:
                continue
            name = f"{target.logical}_{table.logical}_{nav}"
            delete = (facts.DELETE_BEHAVIOUR.get((table.logical, lookup, target.logical))
                      or facts.DELETE_BEHAVIOUR.get((table.logical, lookup, "*")) or "RemoveLink")
            found[name] = Relationship(name, target.logical, target.primary_id, table.logical, lookup, nav,
                                       {**DEFAULT_CASCADE, "Delete": delete})
    return list(found.values())


def many_to_one(catalog: Catalog, table: Table) -> list[Relationship]:
    custom = [known for known in catalog.relationships.values() if known.referencing == table.logical]
    return sorted(_standard(catalog, table) + custom, key=lambda known: known.schema_name.lower())


def all_relationships(catalog: Catalog) -> list[Relationship]:
    return [relationship for table in catalog.tables() for relationship in many_to_one(catalog, table)]


def one_to_many(catalog: Catalog, table: Table) -> list[Relationship]:
    return [relationship for relationship in all_relationships(catalog) if relationship.referenced == table.logical]


def lookups(catalog: Catalog, table: Table) -> dict[str, LookupInfo]:
    """Each lookup column's AttributeType (Owner for ownerid, Customer for account-or-contact, else Lookup), its
    Targets among the tables the sandbox holds, and its navigation properties."""
    found: dict[str, LookupInfo] = {}
    for lookup, navs in table.navigations().items():
        sets = {entity_set for nav in navs for entity_set in table.binds[nav]}
        targets = sorted(known.logical for known in (catalog.by_set(entity_set) for entity_set in sets) if known)
        kind = "Owner" if lookup == "ownerid" else "Customer" if targets == ["account", "contact"] else "Lookup"
        found[lookup] = LookupInfo(kind, targets, navs)
    return found


def relationship_metadata(relationship: Relationship) -> dict[str, Any]:
    return {"@odata.type": f"#{_ONE_TO_MANY}", "MetadataId": relationship.metadata_id,
            "SchemaName": relationship.schema_name, "RelationshipType": "OneToManyRelationship",
            "IsCustomRelationship": relationship.custom, "IsManaged": False, "IsHierarchical": False,
            "SecurityTypes": "Append", "ReferencedEntity": relationship.referenced,
            "ReferencedAttribute": relationship.referenced_attribute, "ReferencingEntity": relationship.referencing,
            "ReferencingAttribute": relationship.lookup,
            "ReferencedEntityNavigationPropertyName": relationship.referenced_navigation or relationship.schema_name,
            "ReferencingEntityNavigationPropertyName": relationship.navigation,
            "CascadeConfiguration": dict(relationship.cascade)}
