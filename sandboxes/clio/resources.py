"""The served resources (README "The firm file" table) and what endpoints.json says about each."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sandboxes.clio.reference import Reference

SCHEMA_OF_RESOURCE: dict[str, str] = {
    "users": "User", "contacts": "Contact", "matters": "Matter", "practice_areas": "PracticeArea",
    "custom_fields": "CustomField", "activities": "Activity", "activity_descriptions": "ActivityDescription",
    "expense_categories": "ExpenseCategory", "bills": "Bill", "line_items": "LineItem", "tasks": "Task",
    "calendar_entries": "CalendarEntry", "notes": "Note", "communications": "Communication",
    "documents": "Document", "document_versions": "DocumentVersion", "folders": "Folder",
    "relationships": "Relationship", "bank_accounts": "BankAccount", "bank_transactions": "BankTransaction",
    "trust_line_items": "TrustLineItem",
}
# Nested refs whose schema name differs from the served record's (Document/Folder `parent` is a folder).
_REF_ALIASES = {"LinkedFolder": "Folder"}
_RESOURCE_OF_SCHEMA = {schema: resource for resource, schema in SCHEMA_OF_RESOURCE.items()}
API_PREFIX = "/api/v4"


def resource_of_ref(ref: str) -> str | None:
    """The served resource a nested association points at (`Contact_base` -> contacts), or None if not served."""
    schema = ref.removesuffix("_base")
    return _RESOURCE_OF_SCHEMA.get(_REF_ALIASES.get(schema, schema))


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    enum: tuple[str, ...] = ()
    default: str | None = None
    range: tuple[int, int] | None = None
    required: bool = False


@dataclass
class ResourceSpec:
    name: str
    schema: str
    index_path: str
    show_path: str | None
    index_op: dict[str, Any] = field(repr=False)

    @cached_property
    def params(self) -> dict[str, Param]:
        params: dict[str, Param] = {}
        in_path = {raw["name"] for raw in self.index_op["parameters"] if raw["in"] == "path"}
        for raw in self.index_op["parameters"]:
            if raw["in"] != "query" or raw["name"] in in_path:  # the spec repeats path ids as query params
                continue
            rng = raw.get("range")
            params[raw["name"]] = Param(raw["name"], raw.get("type", "string"), tuple(raw.get("enum", ())),
                                        raw.get("default"), (int(rng[0]), int(rng[1])) if rng else None,
                                        bool(raw.get("required")))
        return params

    @property
    def list_schema(self) -> str:
        return str(self.index_op["response_schema"])


def build_resource_specs(reference: Reference) -> dict[str, ResourceSpec]:
    specs: dict[str, ResourceSpec] = {}
    for name, schema in SCHEMA_OF_RESOURCE.items():
        if name == "document_versions":
            index_path, show_path = f"{API_PREFIX}/documents/{{id}}/versions.json", None
        else:
            index_path, show_path = f"{API_PREFIX}/{name}.json", f"{API_PREFIX}/{name}/{{id}}.json"
            if ("GET", show_path) not in reference.operations:
                show_path = None
        specs[name] = ResourceSpec(name, schema, index_path, show_path, reference.operation("GET", index_path))
    return specs
