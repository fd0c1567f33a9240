"""What every portal route shares: JSON answers, 4xx refusals with a message, bodies validated by a pydantic
model, the migration id from the route."""
from __future__ import annotations

import json
import re
from typing import Any, TypeVar

import azure.durable_functions as df
import azure.functions as func
from pydantic import BaseModel, ValidationError

from shared.migration.models import MIGRATION_ID

ACTIVE = {df.OrchestrationRuntimeStatus.Pending, df.OrchestrationRuntimeStatus.Running,
          df.OrchestrationRuntimeStatus.ContinuedAsNew}


def json_answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body, default=str), status_code=status, mimetype="application/json",
                             headers=headers)


def error(code: int, message: str, **extra: Any) -> func.HttpResponse:
    return json_answer({"error": message, **extra}, code)


Model = TypeVar("Model", bound=BaseModel)


def body_of(req: func.HttpRequest, model: type[Model]) -> Model | func.HttpResponse:
    try:
        data = json.loads(req.get_body() or b"null")
    except ValueError:
        return error(400, "The request body must be JSON")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        return error(400, f"The request body is not a valid {model.__name__}", problems=problems)


def migration_id_of(req: func.HttpRequest) -> str | func.HttpResponse:
    value = req.route_params.get("migration_id", "")
    return value if re.match(MIGRATION_ID, value) else error(400, f"'{value}' is not a migration id")


def instance_view(migration_id: str, status: Any) -> dict[str, Any]:
    custom = status.custom_status or {}
    return {"migration_id": migration_id, "instance_id": status.instance_id,
            "runtime_status": status.runtime_status.value, "phase": custom.get("phase"), "progress": custom,
            "created": status.created_time, "last_updated": status.last_updated_time, "output": status.output}
