"""Custom fields of all 12 types for matters and contacts (plus deleted ones), and their values on records."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from firmgen.draw import Draw
from firmgen.firm import Firm, Record
from firmgen.layout import ID_BASES
from firmgen.vocabulary import CUSTOM_FIELD_NAMES, CUSTOM_FIELD_PARENTS, FIELD_TYPES, PICKLIST_OPTIONS

# type of the field that was deleted, per parent type; its values remain with soft_deleted: true
DELETED_FIELD_TYPES = {"Matter": "picklist", "Contact": "text_line"}
DELETED_OPTION = 3
# value ids ("<field_type>-<n>") of contacts start after every possible matter value id
CONTACT_VALUE_OFFSET = 1_000_000_000


@dataclass(frozen=True)
class FieldSpec:
    index: int
    parent_type: str
    field_type: str
    deleted: bool
    name: str
    display_order: int


def field_specs() -> tuple[FieldSpec, ...]:
    specs: list[FieldSpec] = []
    for parent in CUSTOM_FIELD_PARENTS:
        for order, field_type in enumerate(FIELD_TYPES):
            specs.append(FieldSpec(len(specs), parent, field_type, False, CUSTOM_FIELD_NAMES[field_type], order))
    for parent in CUSTOM_FIELD_PARENTS:
        field_type = DELETED_FIELD_TYPES[parent]
        name = f"{CUSTOM_FIELD_NAMES[field_type]} (old)"
        specs.append(FieldSpec(len(specs), parent, field_type, True, name, len(FIELD_TYPES)))
    return tuple(specs)


FIELDS = field_specs()
FIELDS_BY_PARENT = {parent: tuple(f for f in FIELDS if f.parent_type == parent) for parent in CUSTOM_FIELD_PARENTS}


def option_id(field: int, k: int) -> int:
    return ID_BASES["picklist_options"] + field * len(PICKLIST_OPTIONS) + k + 1


def _options(firm: Firm, spec: FieldSpec, created: datetime, draw: Draw) -> list[Record]:
    options = []
    for k, option in enumerate(PICKLIST_OPTIONS):
        record = firm.nested_stamp(created, draw, option_id(spec.index, k))
        record["option"] = option
        if k == DELETED_OPTION:
            record["deleted_at"] = record["updated_at"]
        options.append(record)
    return options


def generate(firm: Firm) -> Iterator[Record]:
    for spec, (_, draw, record, created) in zip(FIELDS, firm.records("custom_fields")):
        record.update({
            "name": spec.name,
            "parent_type": spec.parent_type,
            "field_type": spec.field_type,
            "displayed": not spec.deleted,
            "deleted": spec.deleted,
            "required": spec.field_type == "text_line" and spec.parent_type == "Matter",
            "display_order": spec.display_order,
            "picklist_options": _options(firm, spec, created, draw) if spec.field_type == "picklist" else [],
        })
        yield record


def _value(firm: Firm, spec: FieldSpec, draw: Draw, owner: int) -> tuple[str, Record]:
    """The value string (the spec types `value` as string) and the nested selection it names, if any."""
    layout = firm.layout
    match spec.field_type:
        case "checkbox":
            return ("true" if draw.chance(0.5) else "false"), {}
        case "contact":
            contact = draw.below(firm.profile.contacts)
            return str(layout.id_of("contacts", contact)), {"contact": firm.ref("contacts", contact)}
        case "matter":
            matter = draw.below(firm.profile.matters)
            return str(layout.id_of("matters", matter)), {"matter": firm.ref("matters", matter)}
        case "picklist":
            k = draw.below(len(PICKLIST_OPTIONS))
            option = {"id": option_id(spec.index, k), "option": PICKLIST_OPTIONS[k]}
            return str(option["id"]), {"picklist_option": option}
        case "currency":
            return f"{draw.between(500, 2_500_000) / 100:.2f}", {}
        case "numeric":
            return str(draw.between(1, 99999)), {}
        case "date":
            return f"20{draw.between(15, 26)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d}", {}
        case "time":
            return f"{draw.between(8, 18):02d}:{draw.pick(('00', '15', '30', '45'))}:00", {}
        case "email":
            return f"billing{owner}@{firm.domain}", {}
        case "url":
            return f"https://portal.courts.example.gov/cases/{draw.between(10000, 99999)}", {}
        case "text_area":
            return firm.pools.paragraphs_text(draw, 2), {}
        case _:
            return firm.pools.sentence(draw)[:60], {}


def values_for(firm: Firm, parent_type: str, owner: int, created: datetime, draw: Draw) -> list[Record]:
    """custom_field_values of one matter or contact; roughly two thirds of the fields are filled."""
    fields = FIELDS_BY_PARENT[parent_type]
    offset = 0 if parent_type == "Matter" else CONTACT_VALUE_OFFSET
    values: list[Record] = []
    for position, spec in enumerate(fields):
        if (owner + position) % 3 == 0:
            continue
        number = offset + owner * len(fields) + position + 1
        record = firm.nested_stamp(created, draw, 0)
        record["id"] = f"{spec.field_type}-{number}"
        value, selection = _value(firm, spec, draw, owner)
        record.update({
            "field_name": spec.name,
            "field_type": spec.field_type,
            "field_required": spec.field_type == "text_line" and parent_type == "Matter",
            "field_displayed": not spec.deleted,
            "field_display_order": spec.display_order,
            "value": value,
            "soft_deleted": spec.deleted,
            "custom_field": firm.ref("custom_fields", spec.index),
            **selection,
        })
        values.append(record)
    return values
