"""`$select`, `$filter` and `$expand` (with nested options) over metadata items, typed as the Web API types them:
a property of a derived type (`MaxLength`, `Targets`, `OptionSet`) is only there on a cast to that type."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandboxes.dataverse.errors import bad_request

_ATTRIBUTE_BASE = frozenset({
    "MetadataId", "LogicalName", "SchemaName", "EntityLogicalName", "AttributeType", "AttributeTypeName",
    "AttributeOf", "ColumnNumber", "Description", "DisplayName", "ExternalName", "HasChanged", "InheritsFrom",
    "IntroducedVersion", "IsAuditEnabled", "IsCustomAttribute", "IsCustomizable", "IsFilterable", "IsLogical",
    "IsManaged", "IsPrimaryId", "IsPrimaryName", "IsRenameable", "IsRequiredForForm", "IsRetrievable",
    "IsSearchable", "IsSecured", "IsValidForAdvancedFind", "IsValidForCreate", "IsValidForForm", "IsValidForGrid",
    "IsValidForRead", "IsValidForUpdate", "LinkedAttributeId", "RequiredLevel", "SourceType", "AutoNumberFormat"})
_NUMBERS = {"MinValue", "MaxValue"}
_ENUM = {"DefaultFormValue", "OptionSet", "GlobalOptionSet"}
# Properties each derived AttributeMetadata type adds to the base type (Web API metadata EntityTypes).
_DERIVED: dict[str, set[str]] = {
    "StringAttributeMetadata": {"MaxLength", "Format", "FormatName", "DatabaseLength", "ImeMode", "YomiOf",
                                "IsLocalizable", "FormulaDefinition"},
    "MemoAttributeMetadata": {"MaxLength", "Format", "FormatName", "ImeMode", "IsLocalizable"},
    "IntegerAttributeMetadata": {*_NUMBERS, "Format", "FormulaDefinition"},
    "BigIntAttributeMetadata": _NUMBERS, "DoubleAttributeMetadata": {*_NUMBERS, "Precision", "ImeMode"},
    "DecimalAttributeMetadata": {*_NUMBERS, "Precision", "ImeMode", "FormulaDefinition"},
    "MoneyAttributeMetadata": {*_NUMBERS, "Precision", "PrecisionSource", "IsBaseCurrency", "CalculationOf",
                               "ImeMode", "FormulaDefinition"},
    "DateTimeAttributeMetadata": {"Format", "DateTimeBehavior", "CanChangeDateTimeBehavior", "ImeMode",
                                  "MinSupportedValue", "MaxSupportedValue", "FormulaDefinition"},
    "BooleanAttributeMetadata": {"DefaultValue", "OptionSet", "GlobalOptionSet", "FormulaDefinition"},
    "PicklistAttributeMetadata": {*_ENUM, "FormulaDefinition", "ParentPicklistLogicalName",
                                  "ChildPicklistLogicalNames"},
    "StateAttributeMetadata": _ENUM, "StatusAttributeMetadata": _ENUM,
    "LookupAttributeMetadata": {"Targets", "Format"}, "UniqueIdentifierAttributeMetadata": set(),
}


def attribute_properties(type_name: str) -> frozenset[str]:
    return _ATTRIBUTE_BASE | _DERIVED.get(type_name, set())


@dataclass
class Options:
    select: list[str] | None = None
    filter: str | None = None
    expand: dict[str, Options] = field(default_factory=dict)


def _split(text: str, separator: str) -> list[str]:
    """Split at `separator` outside parentheses and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for position, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == separator:
            parts.append(text[start:position])
            start = position + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _expand(text: str) -> dict[str, Options]:
    expanded: dict[str, Options] = {}
    for item in _split(text, ","):
        match = re.fullmatch(r"(\w+)(?:\((.*)\))?", item, re.DOTALL)
        if match is None:
            raise bad_request(f"Invalid $expand item '{item}'.")
        nested = dict(part.split("=", 1) for part in _split(match.group(2) or "", ";") if "=" in part)
        expanded[match.group(1)] = parse_options(nested)
    return expanded


def parse_options(query: Mapping[str, str]) -> Options:
    select = query.get("$select")
    return Options([name.strip() for name in select.split(",") if name.strip()] if select else None,
                   query.get("$filter"), _expand(query.get("$expand", "")))


def metadata_filter(items: list[Node], text: str | None) -> list[Node]:
    """The `Name eq 'value'` (joined by `and`/`or`) filters clients send against metadata."""
    if not text:
        return items
    clauses = re.findall(r"(\w+)\s+eq\s+'((?:[^']|'')*)'", text)
    if not clauses:
        raise bad_request(f"Unsupported metadata $filter '{text}'.")
    joiner = any if " or " in text else all
    return [node for node in items
            if joiner(str(node.item.get(name)) == value.replace("''", "'") for name, value in clauses)]


@dataclass
class Node:
    """One metadata item; its navigation properties are computed only when expanded."""
    item: dict[str, Any]
    type_name: str = ""
    properties: frozenset[str] | None = None  # None: $select is not checked for this type
    navigations: dict[str, Callable[[], Node | list[Node] | None]] = field(default_factory=dict)


def _missing(name: str, type_name: str) -> Exception:
    # §11 (ERRWEB): the OData layer's wording for an unknown property.
    return bad_request(f"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{type_name}'.")


def shape(node: Node, options: Options) -> dict[str, Any]:
    if options.select is not None and node.properties is not None:
        for name in options.select:
            if name not in node.properties:
                raise _missing(name, node.type_name)
    item = node.item if options.select is None else {
        name: value for name, value in node.item.items()
        if name in options.select or name == "MetadataId" or name.startswith("@")}
    shaped = dict(item)
    for name, inner in options.expand.items():
        if name not in node.navigations:
            raise _missing(name, node.type_name)
        value = node.navigations[name]()
        if isinstance(value, list):
            shaped[name] = [shape(child, inner) for child in metadata_filter(value, inner.filter)]
        else:
            shaped[name] = None if value is None else shape(value, inner)
    return shaped
