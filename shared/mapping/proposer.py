"""The proposed map for one firm: the standard rows of the versioned map, plus a rule for every Clio custom field —
matched to an existing target column when one fits (with a confidence and the evidence), a new custom column
otherwise. A person reviews and approves the proposal (approval.py) before any record moves.

`Proposer` is the seam for other proposers (an Azure OpenAI-backed one can take the same inputs); the default is
deterministic and offline."""
from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from shared.dataverse.schema import ColumnSpec, LookupSpec, SchemaRequest, attribute_type
from shared.mapping.model import FieldRule, Lookup, MapFile
from shared.mapping.target_schema import SchemaSnapshot

# Clio field_type -> (our column type, transform, transform args); contact/matter become lookups (clio.md §7).
_COLUMN_OF: dict[str, tuple[str, str | None, dict[str, Any]]] = {
    "checkbox": ("boolean", "boolean", {}), "currency": ("money", "money", {}),
    "date": ("dateonly", "date_only", {}), "time": ("string", "text", {"max_length": 20}),
    "email": ("string", "email", {}), "numeric": ("decimal", "number", {"places": 2}),
    "picklist": ("picklist", "choice", {}), "text_area": ("memo", "rich_text", {"output": "plain",
                                                                             "max_length": 1_048_576}),
    "text_line": ("string", "text", {"max_length": 255}), "url": ("string", "text", {"max_length": 200}),
    "contact": ("lookup", None, {}), "matter": ("lookup", None, {})}
# Every table map a parent's records land in gets the custom field (a matter may become a case; a contact an account).
_TABLES_OF_PARENT = {"Matter": [("opportunity", "opportunities", "matter_to_opportunity"),
                                ("incident", "incidents", "matter_to_case")],
                     "Contact": [("contact", "contacts", "person_to_contact"),
                                 ("account", "accounts", "company_to_account")]}
_PRACTICE_AREA_ROWS = {"matter_to_opportunity": "opportunity", "matter_to_case": "incident"}
# A contact-type field may name a company (an account) and a matter-type field a matter the split rule made a case:
# the lookup gets a second column for the other table and follows the referenced record (placed_by/routes).
_LOOKUP_TARGET = {"contact": ("contact", "contacts", "contacts", ("account", "accounts", "Account")),
                  "matter": ("opportunity", "opportunities", "matters", ("incident", "incidents", "Case"))}
MATCH_THRESHOLD = 0.82
OPTION_BASE = 100_000_000


class FieldDecision(BaseModel):
    clio_field_id: int
    clio_field: str
    field_type: str
    target_table: str
    target: str
    action: Literal["match", "new column", "new lookup"]
    confidence: float = Field(ge=0, le=1)
    evidence: list[str]


class Proposal(BaseModel):
    map: MapFile
    columns: SchemaRequest  # what provisioning must create
    decisions: list[FieldDecision]


class Proposer(Protocol):
    def propose(self, base: MapFile, custom_fields: Sequence[dict[str, Any]],
                samples: dict[int, list[Any]], target: SchemaSnapshot,
                practice_areas: Sequence[dict[str, Any]] = ()) -> Proposal: ...


def slug(name: str, prefix: str = "new") -> str:
    words = re.sub(r"[^0-9A-Za-z]+", " ", name).title().replace(" ", "")
    return f"{prefix}_{words or 'Field'}"[:50]


def _similarity(clio_name: str, column: str) -> float:
    plain = re.sub(r"[^a-z0-9]", "", clio_name.lower())
    candidate = re.sub(r"^[a-z0-9]+_", "", column.lower())
    return SequenceMatcher(None, plain, re.sub(r"[^a-z0-9]", "", candidate)).ratio()


class DeterministicProposer:
    def __init__(self, prefix: str = "new") -> None:
        self.prefix = prefix

    def propose(self, base: MapFile, custom_fields: Sequence[dict[str, Any]],
                samples: dict[int, list[Any]], target: SchemaSnapshot,
                practice_areas: Sequence[dict[str, Any]] = ()) -> Proposal:
        proposed = base.model_copy(deep=True)
        rows = {table.name: table for table in proposed.tables}
        columns: list[ColumnSpec] = []
        lookups: list[LookupSpec] = []
        decisions: list[FieldDecision] = []
        taken: set[tuple[str, str]] = set()
        for field in sorted(custom_fields, key=lambda f: f["id"]):
            for logical, entity_set, row_name in _TABLES_OF_PARENT[field["parent_type"]]:
                decision, rule, column = self._one(field, logical, entity_set, samples.get(field["id"], []), target,
                                                   taken)
                decisions.append(decision)
                rows[row_name].fields.append(rule)
                if isinstance(column, list):
                    lookups.extend(column)
                elif column is not None:
                    columns.append(column)
        if practice_areas:
            columns.extend(self._practice_areas(practice_areas, rows))
        own = proposed.target_schema  # the approved map then carries every column and lookup it writes
        proposed.target_schema = SchemaRequest(tables=own.tables, columns=[*own.columns, *columns],
                                               lookups=[*own.lookups, *lookups], keys=own.keys)
        return Proposal(map=proposed, columns=SchemaRequest(columns=columns, lookups=lookups), decisions=decisions)

    def _practice_areas(self, practice_areas: Sequence[dict[str, Any]], rows: dict[str, Any]) -> list[ColumnSpec]:
        """The firm's practice areas as the options of a practice-area choice on opportunities and cases, ordered
        by Clio id so a re-proposal gives every area the same value."""
        ordered = sorted(practice_areas, key=lambda area: area["id"])
        options = {str(area["id"]): OPTION_BASE + n for n, area in enumerate(ordered)}
        labels = [(OPTION_BASE + n, str(area["name"])[:100]) for n, area in enumerate(ordered)]
        schema_name = f"{self.prefix}_PracticeArea"
        for row_name in _PRACTICE_AREA_ROWS:
            rows[row_name].fields.append(FieldRule(target=schema_name.lower(), source="practice_area.id",
                                                   transform="choice", args={"options": options}))
        return [ColumnSpec(table=table, schema_name=schema_name, type="picklist", label="Practice area",
                           options=labels) for table in _PRACTICE_AREA_ROWS.values()]

    def _one(self, field: dict[str, Any], logical: str, entity_set: str, sample: list[Any],
             target: SchemaSnapshot, taken: set[tuple[str, str]]
             ) -> tuple[FieldDecision, FieldRule, ColumnSpec | list[LookupSpec] | None]:
        kind, transform, args = _COLUMN_OF[field["field_type"]]
        value_path = f"custom_field_values[custom_field.id={field['id']}]"
        filled = sum(1 for value in sample if value not in (None, ""))
        evidence = [f"Clio {field['field_type']} field on {field['parent_type']}",
                    f"{filled} of {len(sample)} sampled records have a value"]
        if field.get("deleted"):
            evidence.append("deleted in Clio: its values are kept (soft_deleted) and migrated for the record")
        common = {"clio_field_id": field["id"], "clio_field": field["name"], "field_type": field["field_type"],
                  "target_table": logical}
        if kind == "lookup":
            referenced, referenced_set, placed_by, (other, other_set, suffix) = _LOOKUP_TARGET[field["field_type"]]
            name = slug(field["name"], self.prefix)
            spec = LookupSpec(table=logical, schema_name=name, target=referenced, label=field["name"][:50])
            second = LookupSpec(table=logical, schema_name=f"{name[:50 - len(suffix)]}{suffix}", target=other,
                                label=f"{field['name'][:40]} ({suffix.lower()})")
            rule = FieldRule(target=spec.navigation, source=f"{value_path}.{field['field_type']}.id",
                             lookup=Lookup(entity_set=referenced_set, placed_by=placed_by,
                                           routes={other_set: second.navigation}))
            evidence.append(f"a lookup to {referenced_set}, or to {other_set} where the record landed there "
                            "(relationships to create)")
            return FieldDecision(**common, target=spec.navigation, action="new lookup", confidence=0.9,
                                 evidence=evidence), rule, [spec, second]
        table = target.tables.get(entity_set)
        wanted = attribute_type(kind)
        best, score = None, 0.0
        for name, existing in (table.columns.items() if table else []):
            similarity = _similarity(field["name"], name)
            if existing.kind == wanted and (logical, name) not in taken and similarity > score:
                best, score = name, similarity
        options = {str(o["id"]): OPTION_BASE + n for n, o in enumerate(field.get("picklist_options") or [])}
        rule_args = {**args, "options": options} if kind == "picklist" else args
        if best is not None and score >= MATCH_THRESHOLD:
            taken.add((logical, best))
            evidence.append(f"existing {wanted} column '{best}' ({score:.0%} name similarity)")
            rule = FieldRule(target=best, source=f"{value_path}.value", transform=transform, args=rule_args)
            return FieldDecision(**common, target=best, action="match", confidence=round(score, 2),
                                 evidence=evidence), rule, None
        schema_name = slug(field["name"], self.prefix)
        if best is not None:
            evidence.append(f"closest existing column '{best}' only {score:.0%} alike")
        labels = [(OPTION_BASE + n, o["option"]) for n, o in enumerate(field.get("picklist_options") or [])]
        column = ColumnSpec(table=logical, schema_name=schema_name, type=kind,  # type: ignore[arg-type]
                            label=field["name"][:50], max_length=args.get("max_length") if kind == "string" else None,
                            options=labels or None)
        rule = FieldRule(target=column.logical_name, source=f"{value_path}.value", transform=transform,
                         args=rule_args)
        return FieldDecision(**common, target=column.logical_name, action="new column", confidence=1.0,
                             evidence=evidence), rule, column
