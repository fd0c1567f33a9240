"""Pre-flight: what must hold before a migration spends any budget — each service reachable with our credentials,
the Dataverse schema within the plan's custom-table allowance, the SharePoint library there, Clio users matched to
Dynamics users — and the budgets the run will live within (Clio's rate limit, Dataverse's parallelism hint).
Every check reports; a failed one blocks the migration, a warning does not."""
from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from shared.clio.client import shared_client
from shared.clio.models import resource_catalogue
from shared.dataverse.schema import SchemaProvisioner
from shared.dataverse.shared_client import shared_dataverse_client
from shared.graph.shared_client import shared_graph_client
from shared.mapping.maps import load_map
from shared.mapping.users import resolve_users
from shared.migration.models import MigrationRequest
from shared.settings import Settings


class Check(BaseModel):
    name: str
    status: Literal["ok", "warning", "failed"]
    detail: str


class PreflightReport(BaseModel):
    migration_id: str
    checks: list[Check]
    clio_requests_per_minute: int | None = None
    dataverse_parallelism: int | None = None


def run_checks(settings: Settings, request: MigrationRequest) -> PreflightReport:
    report = PreflightReport(migration_id=request.migration_id, checks=[])

    def check(name: str, probe: Callable[[], tuple[str, str]]) -> None:
        try:
            status, detail = probe()
        except Exception as exc:  # any failure is the check's answer, with its reason
            status, detail = "failed", f"{type(exc).__name__}: {exc}"
        report.checks.append(Check.model_validate({"name": name, "status": status, "detail": detail}))

    def clio() -> tuple[str, str]:
        client = shared_client(settings)
        answer = client.get(client.url("/users/who_am_i.json"), {"fields": "id,name,email"})
        limit = answer.headers.get("X-RateLimit-Limit")
        report.clio_requests_per_minute = int(limit) if limit and limit.isdigit() else None
        user = answer.json()["data"]
        return "ok", f"connected as {user.get('name')} <{user.get('email')}>; rate limit {limit or 'not reported'}"

    def objects() -> tuple[str, str]:
        known = {spec.key for spec in resource_catalogue().resources}
        unknown = sorted(set(request.objects or []) - known)
        if unknown:
            return "failed", f"unknown Clio objects {unknown}; known: {sorted(known)}"
        return "ok", f"{len(request.objects or known)} Clio object types selected"

    def dataverse() -> tuple[str, str]:
        client = shared_dataverse_client(settings)
        who = client.get_json("WhoAmI")
        client.get_json("EntityDefinitions(LogicalName='account')", {"$select": "LogicalName"})
        report.dataverse_parallelism = client.dop_hint
        return "ok", f"application user {who['UserId']}; metadata readable; x-ms-dop-hint {client.dop_hint}"

    def table_limit() -> tuple[str, str]:
        provisioner = SchemaProvisioner(shared_dataverse_client(settings), settings.dataverse_solution,
                                        settings.dataverse_publisher_prefix, settings.dataverse_custom_table_limit)
        provisioner.preflight(load_map().target_schema)
        return "ok", f"the map's custom tables fit the allowance of {settings.dataverse_custom_table_limit}"

    def sharepoint() -> tuple[str, str]:
        graph = shared_graph_client(settings)
        library = graph.library()
        graph.document_list(library.id)
        return "ok", f"library '{library.name}' on {library.site.web_url or library.site.id}"

    def users() -> tuple[str, str]:
        clio_client = shared_client(settings)
        spec = resource_catalogue().get("users")
        clio_users = [user for page in clio_client.iter_pages(spec) for user in page.page.data]
        system_users = shared_dataverse_client(settings).query("systemusers", {
            "$select": "systemuserid,internalemailaddress,isdisabled,islicensed"})
        resolution = resolve_users(clio_users, system_users, request.fallback_owner_email)
        unmatched = len(clio_users) - len(resolution.owners)
        if request.fallback_owner_email and resolution.fallback_owner is None:
            return "failed", f"the fallback owner {request.fallback_owner_email} is not an enabled Dynamics user"
        detail = f"{len(resolution.owners)} of {len(clio_users)} Clio users have an enabled Dynamics user"
        if unmatched and resolution.fallback_owner is None:
            return "warning", detail + "; the others' records will be reported (no fallback owner given)"
        return ("warning" if unmatched else "ok"), detail + (
            f"; the others' records go to {request.fallback_owner_email}" if unmatched else "")

    for name, probe in (("clio", clio), ("objects", objects), ("dataverse", dataverse),
                        ("custom table allowance", table_limit), ("sharepoint", sharepoint), ("users", users)):
        check(name, probe)
    return report
