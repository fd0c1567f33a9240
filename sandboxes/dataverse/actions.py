"""Unbound functions/actions: WhoAmI, WinOpportunity, LoseOpportunity, CloseIncident (dataverse.md §6, §13.1)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandboxes.dataverse.errors import DataverseError, bad_request
from sandboxes.dataverse.operation import Operation, Reply
from sandboxes.dataverse.writes import iso

if TYPE_CHECKING:
    from sandboxes.dataverse.state import DataverseState

# action -> (closed table, closure entity parameter, closure's bind nav, target state)
_CLOSE_ACTIONS = {
    "WinOpportunity": ("opportunity", "OpportunityClose", "opportunityid@odata.bind", 1),
    "LoseOpportunity": ("opportunity", "OpportunityClose", "opportunityid@odata.bind", 2),
    "CloseIncident": ("incident", "IncidentResolution", "incidentid@odata.bind", 1),
}
ACTIONS = frozenset(_CLOSE_ACTIONS)


def who_am_i(state: DataverseState, operation: Operation) -> Reply:
    if operation.method != "GET":
        raise DataverseError(404, "", "No HTTP resource was found that matches the request URI.")
    return Reply(200, {}, {"@odata.context": f"{operation.service_root}/$metadata#Microsoft.Dynamics.CRM."
                                             "WhoAmIResponse", "BusinessUnitId": state.business_unit_id,
                           "UserId": operation.principal.systemuserid, "OrganizationId": state.organization_id})


def close(state: DataverseState, operation: Operation, action: str) -> Reply:
    if operation.method != "POST":
        raise DataverseError(404, "", "No HTTP resource was found that matches the request URI.")
    logical, parameter, bind, target_state = _CLOSE_ACTIONS[action]
    body = operation.json()
    closure = body.get(parameter) if isinstance(body, dict) else None
    status = body.get("Status") if isinstance(body, dict) else None
    if not isinstance(closure, dict) or not isinstance(closure.get(bind), str):
        raise bad_request(f"{action} requires {parameter} with '{bind}'.")
    unknown = set(body) - {parameter, "Status"}
    if unknown:
        raise bad_request(f"{action} has no parameter(s) {', '.join(sorted(unknown))}.")
    table = state.catalog.require_logical(logical)
    statuses = table.status_state or {}
    if not isinstance(status, int) or statuses.get(status) != target_state:
        raise bad_request(f"{status} is not a valid status code for {action} (state {target_state}).", "0x80040203")
    resolver = state.resolver(operation)
    with state.store.transaction():
        _, row_id = resolver.bind(closure[bind], (table.entity_set,))
        row = state.store.get(logical, row_id)
        assert row is not None
        if row.get("statecode") != 0:
            raise bad_request(f"The {logical} is already closed; reopen it before {action}.", "0x80040203")
        closed: dict[str, Any] = {**row, "statecode": target_state, "statuscode": status,
                                  "modifiedon": iso(state.clock.now()), "versionnumber": state.store.next_version()}
        state.store.put(logical, row_id, closed)
        state.closures.append({"action": action, "target": row_id,
                               **{key: value for key, value in closure.items() if key != bind}})
    return Reply(204)
