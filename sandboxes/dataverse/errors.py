"""Dataverse's error shape (dataverse.md §11): `{"error":{"code":"0x…","message":"…"}}`."""
from __future__ import annotations

from typing import Any


class DataverseError(Exception):
    """Raised anywhere below a route; the dispatcher turns it into Dataverse's error response."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def bad_request(message: str, code: str = "0x0") -> DataverseError:
    return DataverseError(400, code, message)


def invalid_property(name: str, logical: str) -> DataverseError:
    # §2 / §11 (ERRWEB)
    return bad_request(f"Invalid property '{name}' was found in entity 'Microsoft.Dynamics.CRM.{logical}'.")


def payload_error(entity_set: str, detail: str) -> DataverseError:
    # §5 / §11: bad nav name in @odata.bind (ERRWEB wording)
    return bad_request(f"Error identified in Payload provided by the user for Entity :'{entity_set}' ----> "
                       f"InnerException : Microsoft.OData.ODataException: {detail}", "0x80048d19")


def segment_not_found(segment: str) -> DataverseError:
    # §11 (ERRWEB)
    return DataverseError(404, "0x8006088a", f"Resource not found for the segment '{segment}'.")


def does_not_exist(logical: str, row_id: str) -> DataverseError:
    # §2 / §11 (ERRCLI)
    return DataverseError(404, "0x80040217", f"{logical} With Id = {row_id} Does Not Exist")


def key_not_found(logical: str) -> DataverseError:
    # §2 / §11 (CODES RecordNotFoundByEntityKey)
    return DataverseError(404, "0x80060891",
                          f"A record with the specified key values does not exist in {logical} entity")


def duplicate_record() -> DataverseError:
    # §2 (COND) / §11
    return DataverseError(412, "0x80040237", "A record with matching key values already exists.")


def version_mismatch() -> DataverseError:
    # §2 (COND) / §11
    return DataverseError(412, "",
                          "The version of the existing record doesn't match the RowVersion property provided.")


def unauthorized(authority: str) -> DataverseError:
    # An absent/invalid/expired bearer: 401 with the authority to get one from (shape inferred; RFC 6750).
    return DataverseError(401, "", "The access token is missing, invalid or expired.",
                          {"WWW-Authenticate": f'Bearer error="invalid_token", authorization_uri={authority}'})
