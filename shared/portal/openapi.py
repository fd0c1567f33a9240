"""The OpenAPI 3 document of the portal API, built from the same pydantic models that validate the bodies."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from shared.mapping.model import MapFile
from shared.migration.models import MIGRATION_ID, REPORTS, Decision, MigrationRequest
from shared.rollback.models import RollbackOptions


class Error(BaseModel):
    error: str
    problems: list[dict[str, str]] | None = None


class Started(BaseModel):
    migration_id: str
    instance_id: str
    status: str = Field(description="Where to read the migration's status")


class MigrationView(BaseModel):
    migration_id: str
    instance_id: str
    runtime_status: str
    phase: str | None = None
    progress: dict[str, Any] = Field(default_factory=dict)
    created: str | None = None
    last_updated: str | None = None
    output: Any = None


class Accepted(BaseModel):
    migration_id: str
    model_config = {"extra": "allow"}


class RollbackStarted(Started):
    dry_run: bool


_MODELS: list[type[BaseModel]] = [MigrationRequest, Decision, MapFile, Error, Started, MigrationView, Accepted,
                                  RollbackOptions, RollbackStarted]


def _schemas() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for model in _MODELS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        found.update(schema.pop("$defs", {}))
        found[model.__name__] = schema
    return found


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "The request is not valid (the message says why)", 404: "Not found",
            409: "Not allowed in the migration's current state"}
    return {str(code): _answer(text[code], "Error") for code in codes}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


_ID = {"name": "migration_id", "in": "path", "required": True, "schema": {"type": "string", "pattern": MIGRATION_ID}}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Clio to Dynamics 365 Sales migrations", "version": "1.0.0",
                 "description": "The internal portal's API. Every call needs a function key (x-functions-key "
                                "header or code query parameter)."},
        "servers": [{"url": "/api"}],
        "security": [{"functionKeyHeader": []}, {"functionKeyQuery": []}],
        "paths": {
            "/migrations": {"post": {
                "operationId": "startMigration", "summary": "Start a migration (once per migration id)",
                "requestBody": _body("MigrationRequest"),
                "responses": {"202": _answer("Started", "Started"), **_errors(400, 409)}}},
            "/migrations/{migration_id}": {"get": {
                "operationId": "getMigration", "summary": "Phase, progress per table, errors",
                "parameters": [_ID], "responses": {"200": _answer("The migration", "MigrationView"),
                                                   **_errors(400, 404)}}},
            "/migrations/{migration_id}/reports/{name}": {"get": {
                "operationId": "getReport", "summary": "A report as JSON (or ?format=html)",
                "parameters": [_ID, {"name": "name", "in": "path", "required": True,
                                     "schema": {"type": "string", "enum": sorted(REPORTS)}},
                               {"name": "format", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": ["json", "html"]}}],
                "responses": {"200": {"description": "The report", "content": {
                    "application/json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}},
                    **_errors(400, 404)}}},
            "/migrations/{migration_id}/mapping": {
                "get": {"operationId": "getMapping", "summary": "The proposed map", "parameters": [_ID],
                        "responses": {"200": _answer("The proposed map", "MapFile"), **_errors(400, 404)}},
                "put": {"operationId": "editMapping", "summary": "Replace the proposal with an edited map",
                        "parameters": [_ID], "requestBody": _body("MapFile"),
                        "responses": {"202": _answer("Stored for the next mapping round", "Accepted"),
                                      **_errors(400, 404, 409)}}},
            "/migrations/{migration_id}/{gate}/decision": {"post": {
                "operationId": "decide", "summary": "Approve or reject the mapping or the sample",
                "parameters": [_ID, {"name": "gate", "in": "path", "required": True,
                                     "schema": {"type": "string", "enum": ["mapping", "sample"]}}],
                "requestBody": _body("Decision"),
                "responses": {"202": _answer("Passed to the migration", "Accepted"), **_errors(400, 404, 409)}}},
            "/migrations/{migration_id}/cancel": {"post": {
                "operationId": "cancelMigration", "summary": "Stop the migration and its sub-orchestrations",
                "parameters": [_ID, {"name": "reason", "in": "query", "required": False,
                                     "schema": {"type": "string", "maxLength": 500}}],
                "responses": {"202": _answer("Cancelled", "Accepted"), **_errors(400, 404, 409)}}},
            "/migrations/{migration_id}/rollback": {
                "post": {"operationId": "rollBack", "summary": "Undo the migration's writes (or preview it: dry_run)",
                         "parameters": [_ID], "requestBody": _body("RollbackOptions"),
                         "responses": {"202": _answer("Started", "RollbackStarted"), **_errors(400, 404, 409)}},
                "get": {"operationId": "getRollback", "summary": "The rollback's phase and per-table counts",
                        "parameters": [_ID],
                        "responses": {"200": _answer("The rollback", "MigrationView"), **_errors(400, 404)}}},
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "functionKeyHeader": {"type": "apiKey", "in": "header", "name": "x-functions-key"},
                "functionKeyQuery": {"type": "apiKey", "in": "query", "name": "code"}}},
    }
