"""Schema provisioning activities: create what the map needs in Dataverse, then report key index states."""
from __future__ import annotations

import azure.durable_functions as df

from shared.blobs import container
from shared.dataverse.schema import SchemaProvisioner, SchemaRequest
from shared.dataverse.shared_client import shared_dataverse_client
from shared.ledger import WriteLedger
from shared.settings import get_settings

bp = df.Blueprint()


def _provisioner() -> SchemaProvisioner:
    settings = get_settings()
    return SchemaProvisioner(shared_dataverse_client(settings), settings.dataverse_solution,
                             settings.dataverse_publisher_prefix, settings.dataverse_custom_table_limit)


@bp.activity_trigger(input_name="payload")
def provision_dataverse_schema(payload: dict) -> dict:
    """`payload`: a SchemaRequest, or {"schema_blob": path} naming one in the raw container (a map's schema is too
    large to travel through the orchestration's queue); with "migration_id", every component missing beforehand is
    first recorded in that migration's "schema" ledger, for a rollback that removes the schema."""
    given = dict(payload)
    migration_id = given.pop("migration_id", None)
    if "schema_blob" in given:
        blob = container(get_settings().raw_container).download_blob(given["schema_blob"]).readall()
        request = SchemaRequest.model_validate_json(blob)
    else:
        request = SchemaRequest.model_validate(given)
    if migration_id is None:
        return _provisioner().provision(request).model_dump()
    ledger = WriteLedger(get_settings(), migration_id, "schema")
    return _provisioner().provision_recorded(request, ledger).model_dump()


@bp.activity_trigger(input_name="payload")
def dataverse_key_statuses(payload: dict) -> dict:
    provisioner = _provisioner()
    statuses: dict[str, str] = {}
    for table in sorted(set(payload["tables"])):
        statuses.update({f"{table}.{key}": status for key, status in provisioner.key_statuses(table).items()})
    return statuses
