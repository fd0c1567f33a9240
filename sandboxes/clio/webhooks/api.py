"""The /webhooks routes (OAS Webhooks): index, create (201, then the handshake), show, update (a new url means a
new handshake), destroy (204), and `PUT /webhooks/{id}/activate` with the secret in `X-Hook-Secret`, which the
spec's prose documents but its paths do not (it answers 200 with the webhook here: inferred)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from sandboxes.clio.errors import ClioError, not_found
from sandboxes.clio.store import Record
from sandboxes.clio.webhooks.registry import RESOURCE, SCHEMA, WebhookRegistry

if TYPE_CHECKING:
    from sandboxes.clio.api import Call


def _webhook(registry: WebhookRegistry, webhook_id: str) -> Record:
    webhook = registry.get(webhook_id)
    if webhook is None:
        raise not_found(RESOURCE, webhook_id)
    return webhook


async def webhook_call(call: Call, method: str, segments: list[str]) -> Response:
    service = call.state.webhooks
    registry = service.registry
    match method, segments:
        case "GET", [_]:
            return call.index(registry.spec, registry.all())
        case "POST", [_]:
            body = await call.body()
            fields = call.fields_for(SCHEMA)
            created = registry.create(body, call.access.grant.user_id)
            service.dispatcher.handshake(created)
            return call.written(SCHEMA, created, fields, 201)
        case "GET", [_, webhook_id]:
            return call.single(SCHEMA, _webhook(registry, webhook_id))
        case "PATCH", [_, webhook_id]:
            webhook = _webhook(registry, webhook_id)
            body = await call.body()
            call.check_if_match(webhook)
            fields = call.fields_for(SCHEMA)
            updated, moved = registry.update(webhook, body)
            if moved:
                service.dispatcher.handshake(updated)
            return call.written(SCHEMA, updated, fields)
        case "DELETE", [_, webhook_id]:
            registry.delete(_webhook(registry, webhook_id))
            return Response(status_code=204)
        case "PUT", [_, webhook_id, "activate"]:
            webhook = _webhook(registry, webhook_id)
            fields = call.fields_for(SCHEMA)
            activated = registry.activate(webhook, call.request.headers.get("x-hook-secret"))
            return call.written(SCHEMA, activated, fields)
    raise ClioError(404, "NotFound", f"{method} /api/v4/{'/'.join(segments)} does not exist")
