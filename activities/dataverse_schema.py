"""Schema provisioning activities: create what the map needs in Dataverse, then report key index states."""
from __future__ import annotations

import azure.durable_functions as df

from shared.blobs import container
from shared.dataverse.schema import SchemaProvisioner, SchemaRequest
from shared.dataverse.shared_client import shared_dataverse_client
from shared.settings import get_settings

bp = df.Blueprint()


def _provisioner() -> SchemaProvisioner:
    settings = get_settings()
    return SchemaProvisioner(shared_dataverse_client(settings), settings.dataverse_solution,
                             settings.dataverse_publisher_prefix, settings.dataverse_custom_table_limit)


@bp.activity_trigger(input_name="payload")
def provision_dataverse_schema(payload: dict) -> dict:
    """`payload`: a SchemaRequest, or {"schema_blob": path} naming one in the raw container (a map's schema is too
    large to travel through the orchestration's queue)."""
    if "schema_blob" in payload:
        blob = container(get_settings().raw_container).download_blob(payload["schema_blob"]).readall()
        request = SchemaRequest.model_validate_json(blob)
    else:
        request = SchemaRequest.model_validate(payload)
    return _provisioner().provision(request).model_dump()


@bp.activity_trigger(input_name="payload")
def dataverse_key_statuses(payload: dict) -> dict:
    provisioner = _provisioner()
    statuses: dict[str, str] = {}
    for table in sorted(set(payload["tables"])):
        statuses.update({f"{table}.{key}": status for key, status in provisioner.key_statuses(table).items()})
    return statuses
