"""The local host's HTTP functions behind a WSGI app, as the Functions host serves them at `/api/...`: for clients
that speak HTTP to an app in process (schemathesis, a browser pointed at a local server)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from localrun.host import LocalHost

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def wsgi_app(host: LocalHost) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {name[5:].replace("_", "-").lower(): value for name, value in environ.items()
                   if name.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        answer = host.invoke_http(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"), body, params, headers)
        status = answer.status_code
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        sent = [(name, value) for name, value in answer.headers.items() if name.lower() != "content-type"]
        start_response(f"{status} {phrase}", [("Content-Type", answer.mimetype or "text/plain"), *sent])
        return [answer.get_body()]
    return app
