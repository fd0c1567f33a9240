"""Pagination (clio.md §4 [PAGE]).

- `limit` within the endpoint's range from endpoints.json (1..200; users 1..2000), default its maximum. Out of
  range -> 400: the spec lists no 422 for index operations, only 400 (inferred).
- Cursor ("unlimited") paging when the order is `id(asc)` and there is no `offset`: `meta.paging.next` carries an
  opaque, signed `page_token` bound to the resource and the rest of the query; tampered or foreign -> 400.
- Offset ("limited") paging otherwise, with any order from the endpoint's enum (400 if outside it); at most 10,000
  records: offset + limit > 10,000 -> 422 ArgumentError (clio.md §4, boundary inferred), and no `next` link
  that would lead there.
- `previous` / `next` are full URLs keeping the query, and omitted when there is no such page.
"""
from __future__ import annotations

import base64
import bisect
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import URL, QueryParams

from sandboxes.clio.errors import ClioError, bad_request
from sandboxes.clio.params import parse_int
from sandboxes.clio.resources import ResourceSpec
from sandboxes.clio.store import Record, id_sort_key, record_key

OFFSET_RECORD_CAP = 10_000
CURSOR_ORDER = "id(asc)"
PAGING_KEYS = ("page_token", "offset")

Predicate = Callable[[Record], bool]
SortValue = Callable[[str, Record, str], Any]  # (schema, record, field)


@dataclass
class Page:
    records: list[Record]
    previous: str | None
    next: str | None

    def meta(self) -> dict[str, Any]:
        links = {"previous": self.previous, "next": self.next}
        return {"paging": {key: url for key, url in links.items() if url}}


def _int_param(query: QueryParams, name: str, default: int) -> int:
    raw = query.get(name)
    return default if raw is None else parse_int(name, raw)


class PageTokens:
    """Opaque cursor tokens: base64 JSON plus an HMAC over it, bound to resource and query."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()[:32]

    def issue(self, scope: str, direction: str, key: Any) -> str:
        payload = json.dumps({"s": scope, "d": direction, "k": key}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + self._sign(payload)

    def read(self, token: str, scope: str) -> tuple[str, Any]:
        invalid = bad_request("page_token is invalid for this request", "InvalidPageToken")
        encoded, _, signature = token.partition(".")
        try:
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            decoded = json.loads(payload)
        except ValueError:
            raise invalid from None
        if not hmac.compare_digest(self._sign(payload), signature) or decoded.get("s") != scope:
            raise invalid
        return decoded["d"], decoded["k"]


class Paginator:
    def __init__(self, tokens: PageTokens, sort_value: SortValue) -> None:
        self.tokens = tokens
        self.sort_value = sort_value

    def paginate(self, spec: ResourceSpec, by_id: list[Record], matches: Predicate, url: URL,
                 scope_extra: str = "") -> Page:
        """A page of the records in `by_id` (id order) that `matches`; cursor pages only look at what they show."""
        query = QueryParams(url.query)
        limit_param = spec.params.get("limit")
        low, high = limit_param.range if limit_param and limit_param.range else (1, 200)
        limit = _int_param(query, "limit", high)
        if not low <= limit <= high:
            raise bad_request(f"limit must be between {low} and {high}", "InvalidParameter")
        order = self._order(spec, query)
        if "offset" in query or order != CURSOR_ORDER:
            return self._offset_page(spec.schema, [r for r in by_id if matches(r)], url, query, order, limit)
        scope = self._scope(spec, query, scope_extra)
        return self._cursor_page(by_id, matches, url, query, limit, scope)

    @staticmethod
    def _order(spec: ResourceSpec, query: QueryParams) -> str:
        param = spec.params.get("order")
        if param is None:  # endpoints without an order parameter list by id (an `order` given is ignored)
            return CURSOR_ORDER
        order = query.get("order", param.default or CURSOR_ORDER)
        if param.enum and order not in param.enum:
            raise bad_request(f"order must be one of {', '.join(param.enum)}, got {order!r}", "InvalidParameter")
        return order

    @staticmethod
    def _scope(spec: ResourceSpec, query: QueryParams, extra: str) -> str:
        frozen = sorted((k, v) for k, v in query.multi_items() if k not in PAGING_KEYS)
        digest = hashlib.sha256(json.dumps(frozen).encode()).hexdigest()[:24]
        return f"{spec.name}{extra}:{digest}"

    @staticmethod
    def _link(url: URL, query: QueryParams, **replace: Any) -> str:
        items = [(k, v) for k, v in query.multi_items() if k not in PAGING_KEYS]
        items += [(k, str(v)) for k, v in replace.items()]
        return str(url.replace(query=str(QueryParams(items))))

    def _cursor_page(self, by_id: list[Record], matches: Predicate, url: URL, query: QueryParams, limit: int,
                     scope: str) -> Page:
        token = query.get("page_token")
        direction, key = self.tokens.read(token, scope) if token else ("after", None)
        if direction == "after":
            start = 0 if key is None else bisect.bisect_right(by_id, id_sort_key(key), key=record_key)
            page = _matching(by_id, range(start, len(by_id)), matches, limit + 1)
            more_after, page = len(page) > limit, page[:limit]
            more_before = bool(_matching(by_id, range(start - 1, -1, -1), matches, 1))
        else:
            end = bisect.bisect_left(by_id, id_sort_key(key), key=record_key)
            page = _matching(by_id, range(end - 1, -1, -1), matches, limit + 1)[::-1]
            more_before, page = len(page) > limit, page[-limit:]
            more_after = bool(_matching(by_id, range(end, len(by_id)), matches, 1))
        next_link = previous_link = None
        if page and more_after:
            next_link = self._link(url, query, page_token=self.tokens.issue(scope, "after", page[-1]["id"]))
        if page and more_before:
            previous_link = self._link(url, query, page_token=self.tokens.issue(scope, "before", page[0]["id"]))
        return Page(page, previous_link, next_link)

    def _offset_page(self, schema: str, records: list[Record], url: URL, query: QueryParams, order: str,
                     limit: int) -> Page:
        if query.get("page_token"):
            raise bad_request("page_token cannot be combined with offset or a custom order", "InvalidPageToken")
        offset = _int_param(query, "offset", 0)
        if offset < 0:
            raise bad_request("offset must not be negative", "InvalidParameter")
        if offset + limit > OFFSET_RECORD_CAP:
            raise ClioError(422, "ArgumentError",
                            f"offset pagination is limited to {OFFSET_RECORD_CAP} records; use order=id(asc) "
                            "without offset to page further")
        field, _, direction = order.partition("(")
        ordered = list(records)  # already in id order, which breaks ties
        descending = direction.startswith("desc")
        ordered.sort(key=lambda r: _null_first(self.sort_value(schema, r, field)), reverse=descending)
        page = ordered[offset:offset + limit]
        next_offset = offset + limit
        next_link = previous_link = None
        if next_offset < len(ordered) and next_offset + limit <= OFFSET_RECORD_CAP:
            next_link = self._link(url, query, offset=next_offset)
        if offset > 0:
            previous_link = self._link(url, query, offset=max(0, offset - limit))
        return Page(page, previous_link, next_link)


def _matching(by_id: list[Record], positions: range, matches: Predicate, wanted: int) -> list[Record]:
    found: list[Record] = []
    for position in positions:
        if matches(by_id[position]):
            found.append(by_id[position])
            if len(found) == wanted:
                break
    return found


def _null_first(value: Any) -> tuple[int, Any]:
    """Nulls (and values with no order, like nested objects) sort first."""
    return (1, value) if isinstance(value, (str, int, float)) else (0, "")
