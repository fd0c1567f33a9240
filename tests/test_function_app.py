"""The Function App's inventory: every trigger and binding, as the worker indexes them."""
from __future__ import annotations

import json

import function_app

ACTIVITIES = {"write_sample_part", "write_sample_manifest", "extract_clio_pages",
              "plan_clio_extraction", "write_extraction_manifest", "load_dataverse_rows",
              "provision_dataverse_schema", "dataverse_key_statuses", "dry_run_migration",
              "plan_document_moves", "move_document_batch", "link_document_locations", "write_documents_report",
              "reconcile_migration", "run_preflight", "record_migration", "propose_migration_map",
              "approve_migration_map", "plan_full_load", "stage_sample", "ensure_clio_webhooks",
              "remove_clio_webhooks", "begin_delta_tick", "record_delta_tick", "stage_delta_rows",
              "apply_webhook_deletes", "apply_sweep_deletes", "write_delta_certificate", "prepare_rollback",
              "remove_rollback_files", "remove_rollback_folders", "plan_rollback_table", "restore_rollback_rows",
              "order_rollback_deletes", "delete_rollback_rows", "remove_rollback_schema", "write_rollback_report"}
ORCHESTRATORS = {"sample_fanout", "sample_fanout_batch", "delta_pickup", "extract_clio", "extract_clio_stream",
                 "provision_schema", "move_clio_documents", "move_document_batches", "migrate", "load_table",
                 "rollback_migration"}
# The portal's migration API: function keys on every route but the OpenAPI document.
PORTAL = {"start_migration": ("POST", "migrations"), "migration_status": ("GET", "migrations/{migration_id}"),
          "migration_report": ("GET", "migrations/{migration_id}/reports/{name}"),
          "migration_mapping": ("GET,PUT", "migrations/{migration_id}/mapping"),
          "migration_decision": ("POST", "migrations/{migration_id}/{gate}/decision"),
          "cancel_migration": ("POST", "migrations/{migration_id}/cancel"),
          "migration_rollback": ("GET,POST", "migrations/{migration_id}/rollback")}


def _functions() -> dict[str, list[dict]]:
    function_app.app.functions_bindings = None
    return {f.get_function_name(): [json.loads(raw) for raw in f.get_raw_bindings()]
            for f in function_app.app.get_functions()}


def test_every_function_and_binding() -> None:
    functions = _functions()
    assert set(functions) == ACTIVITIES | ORCHESTRATORS | set(PORTAL) | {
        "start_orchestration", "orchestration_status", "delta_pickup_timer", "openapi", "receive_clio_webhook"}
    for name in ACTIVITIES:
        assert functions[name] == [{"direction": "IN", "type": "activityTrigger", "name": "payload"}], name
    for name in ORCHESTRATORS:
        assert functions[name] == [{"direction": "IN", "type": "orchestrationTrigger", "name": "context"}], name

    assert functions["start_orchestration"] == [
        {"direction": "IN", "type": "durableClient", "name": "client"},
        {"direction": "IN", "type": "httpTrigger", "name": "req", "methods": ["POST"], "authLevel": "FUNCTION",
         "route": "orchestrations/{name}"},
        {"direction": "OUT", "type": "http", "name": "$return"}]
    assert functions["orchestration_status"] == [
        {"direction": "IN", "type": "durableClient", "name": "client"},
        {"direction": "IN", "type": "httpTrigger", "name": "req", "methods": ["GET"], "authLevel": "FUNCTION",
         "route": "orchestrations/instances/{instance_id}"},
        {"direction": "OUT", "type": "http", "name": "$return"}]
    for name, (methods, route) in PORTAL.items():
        [trigger] = [binding for binding in functions[name] if binding["type"] == "httpTrigger"]
        assert (",".join(trigger["methods"]), trigger["route"], trigger["authLevel"]) == (methods, route, "FUNCTION")
    [document] = [binding for binding in functions["openapi"] if binding["type"] == "httpTrigger"]
    assert (document["route"], document["authLevel"]) == ("openapi.json", "ANONYMOUS")
    # Clio cannot send a function key: the webhook's HMAC signature is what authenticates it
    [webhook] = [binding for binding in functions["receive_clio_webhook"] if binding["type"] == "httpTrigger"]
    assert (webhook["methods"], webhook["route"], webhook["authLevel"]) == (
        ["POST"], "clio/webhooks/{migration_id}", "ANONYMOUS")
    assert functions["delta_pickup_timer"] == [
        {"direction": "IN", "type": "durableClient", "name": "client"},
        {"direction": "IN", "type": "timerTrigger", "name": "timer", "schedule": "%DELTA_PICKUP_SCHEDULE%",
         "runOnStartup": False, "useMonitor": True}]


def test_host_json_and_sample_settings_agree_with_the_code() -> None:
    host = json.load(open("host.json"))
    durable = host["extensions"]["durableTask"]
    assert durable["hubName"] == "%TASKHUB_NAME%"
    assert durable["overridableExistingInstanceStates"] == "NonRunningStates"
    assert host["extensionBundle"]["version"] == "[4.*, 5.0.0)"
    sample = json.load(open("local.settings.sample.json"))["Values"]
    from shared.clio.webhooks import WebhookSettings
    from shared.settings import Settings
    aliases = {field.alias for model in (Settings, WebhookSettings) for field in model.model_fields.values()}
    host_settings = {"FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"}
    assert set(sample) - host_settings <= aliases, "every sample setting is read by the app"
    identity_only = {a for a in aliases if "__" in a}  # Azure-only (managed identity) forms
    assert aliases - identity_only <= set(sample), "every setting the app reads is documented in the sample"
