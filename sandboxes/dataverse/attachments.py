"""Note attachments: `documentbody` is Base64 and capped by the org's maxuploadfilesize (dataverse.md §9)."""
from __future__ import annotations

import base64
import binascii
from typing import Any

from sandboxes.dataverse.errors import bad_request
from sandboxes.dataverse.schema import Table


def check_attachment(table: Table, columns: dict[str, Any], limit: int) -> None:
    body = columns.get("documentbody")
    if table.logical != "annotation" or body is None:
        return
    if len(body) > limit:
        # §9 (ATT): the limit applies to the Base64-encoded size.
        raise bad_request("Attachment file size is too big.", "0x80044a02")
    try:
        base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as error:
        raise bad_request("The documentbody of an annotation must be Base64 encoded.", "0x80040203") from error
