"""Who a request runs as: the application user, or the systemuser it impersonates via CallerObjectId (§6)."""
from __future__ import annotations

from dataclasses import dataclass

from sandboxes.dataverse.config import ApplicationUser
from sandboxes.dataverse.errors import DataverseError
from sandboxes.dataverse.store import RowStore


@dataclass(frozen=True)
class Principal:
    app_user: ApplicationUser
    systemuserid: str  # the effective user: impersonated caller, else the app user's systemuser
    on_behalf_of: str | None = None  # the app user's systemuser when impersonating

    @property
    def key(self) -> str:
        return self.app_user.client_id


def user_disabled(systemuserid: str) -> DataverseError:
    # §6: a disabled systemuser cannot own records or be impersonated (code and wording inferred).
    return DataverseError(400, "0x80040225", f"The specified user(Id = {systemuserid}) is disabled. Consider "
                                             "enabling this user. Additional Details: User is disabled.")


def resolve_principal(app_user: ApplicationUser, caller_object_id: str | None, caller_id: str | None,
                      store: RowStore) -> Principal:
    """`CallerObjectId` names the Entra object id; legacy `MSCRMCallerID` the systemuserid (§6 IMP)."""
    if caller_object_id is None and caller_id is None:
        return Principal(app_user, app_user.systemuserid)
    if not app_user.can_impersonate:
        # §6 / §11: prvActOnBehalfOfAnotherUser missing.
        raise DataverseError(403, "0x80040220", f"Principal user (Id={app_user.systemuserid}, type=8, roleCount=1) "
                                                "is missing prvActOnBehalfOfAnotherUser privilege.")
    column, wanted = (("azureactivedirectoryobjectid", caller_object_id) if caller_object_id is not None
                      else ("systemuserid", caller_id or ""))
    for user in store.all("systemuser"):
        if str(user.get(column) or "").lower() == wanted.strip().lower():
            if user.get("isdisabled"):
                raise user_disabled(user["systemuserid"])
            return Principal(app_user, user["systemuserid"], app_user.systemuserid)
    raise DataverseError(404, "0x80040217", f"systemuser With Id = {wanted} Does Not Exist")
