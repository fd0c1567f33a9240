"""Folder trees per matter, documents from 0 bytes to > 250 MB, and their versions (bytes are not stored)."""
from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta

from firmgen.draw import Draw
from firmgen.firm import Firm, Record
from firmgen.layout import FOLDERS_PER_MATTER
from firmgen.vocabulary import DOCUMENT_FORMATS, DOCUMENT_STEMS, FOLDER_NAMES

MIB = 1024 * 1024
# The first documents of every firm hit the sizes upload/download code must handle exactly:
# empty, one multipart chunk, one byte over, ten 320 KiB upload parts, over 250 MiB.
EDGE_SIZES = (0, 4 * MIB, 4 * MIB + 1, 327680 * 10, 262144000 + 37 * MIB + 11)


def _folder_shape(folder: int) -> tuple[int, int]:
    """(matter, k) of a matter folder index; k 0 is the matter's folder, k >= 1 its subfolders."""
    return (folder - 1) // FOLDERS_PER_MATTER, (folder - 1) % FOLDERS_PER_MATTER


def generate_folders(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for f, draw, record, _ in firm.records("folders"):
        record.update({"type": "Folder", "locked": False, "root": f == 0})
        if f == 0:
            record["name"] = "Documents"
            yield record
            continue
        matter, k = _folder_shape(f)
        if k == 0:
            record["name"] = f"{matter + 1:05d}"
            parent = 0
        else:
            record["name"] = FOLDER_NAMES[k - 1]
            # the last subfolder sits inside the second one: a three-level tree per matter
            parent = layout.matter_folder(matter, 2 if k == len(FOLDER_NAMES) else 0)
        record["parent"] = firm.ref("folders", parent, type="Folder")
        record["matter"] = firm.ref("matters", matter)
        yield record


def _size(document: int, version: int, draw: Draw) -> int:
    if document < len(EDGE_SIZES) and version == 0:
        return EDGE_SIZES[document]
    return int(math.exp(draw.fraction() * math.log(40 * MIB / 1024)) * 1024)


def _version(firm: Firm, d: int, k: int, created: datetime, name: str) -> Record:
    """Version k of document d (k 0 is the latest); older versions were made before the latest."""
    draw = firm.draw("document_versions", d * 8 + k)
    count = firm.layout.version_count(d)
    made = created - timedelta(days=3 * k)
    version_id = firm.layout.nested_id("document_versions", d, k)
    record = firm.nested_stamp(made, draw, version_id)
    extension, content_type = DOCUMENT_FORMATS[d % len(DOCUMENT_FORMATS)]
    record.update({
        "document_id": firm.layout.id_of("documents", d),
        "uuid": f"{draw.hex(8)}-{draw.hex(4)}-4{draw.hex(3)}-a{draw.hex(3)}-{draw.hex(12)}",
        "filename": f"{name}.{extension}",
        "size": _size(d, k, draw),
        "version_number": count - k,
        "content_type": content_type,
        "received_at": firm.clock.stamp(made),
        "fully_uploaded": True,
    })
    return record


def _document_name(d: int, draw: Draw) -> str:
    return f"{draw.pick(DOCUMENT_STEMS)} {d + 1}"


def generate_documents(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for d, draw, record, created in firm.records("documents"):
        matter = layout.matter_of_document(d)
        name = _document_name(d, draw)
        latest = _version(firm, d, 0, created, name)
        record.update({
            "type": "Document",
            "locked": d % 19 == 7,
            "name": latest["filename"],
            "filename": latest["filename"],
            "size": latest["size"],
            "content_type": latest["content_type"],
            "received_at": latest["received_at"],
            "parent": firm.ref("folders", layout.matter_folder(matter, d % FOLDERS_PER_MATTER), type="Folder"),
            "matter": firm.ref("matters", matter),
            "latest_document_version": latest,
        })
        yield record


def generate_versions(firm: Firm) -> Iterator[Record]:
    """All versions, oldest first per document; the latest equals the document's latest_document_version."""
    for d in range(firm.profile.documents):
        draw = firm.draw("documents", d)
        _, created = firm.stamp("documents", d, draw)
        name = _document_name(d, draw)
        for k in reversed(range(firm.layout.version_count(d))):
            yield _version(firm, d, k, created, name)
