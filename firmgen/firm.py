"""The generation context shared by every resource generator."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from firmgen.clock import Clock
from firmgen.draw import Draw, salt_of
from firmgen.layout import Layout
from firmgen.oddities import ODDITIES
from firmgen.people import Pools
from firmgen.profiles import PROFILES

Record = dict[str, Any]


class Firm:
    def __init__(self, seed: int, size: str) -> None:
        self.seed = seed
        self.profile = PROFILES[size]
        self.layout = Layout(self.profile)
        self.counts = self.layout.counts()
        self.clock = Clock(seed)
        self.pools = Pools(seed, self.profile.name_pool)
        self.account_name = f"{self.pools.by_locale['en_US'].last_names[1]} & Partners LLP"
        self.domain = "".join(ch for ch in self.pools.by_locale["en_US"].last_names[seed % 3].lower() if ch.isalpha())
        self.domain += "-law.com"
        self._oddities = {(o.resource, o.locate(self.layout)): o for o in ODDITIES}
        self._salts: dict[str, int] = {}

    def draw(self, resource: str, index: int) -> Draw:
        salt = self._salts.get(resource)
        if salt is None:
            salt = self._salts[resource] = salt_of(resource)
        return Draw(self.seed, salt, index)

    def odd(self, resource: str, index: int, kind: str) -> bool:
        oddity = self._oddities.get((resource, index))
        return oddity is not None and oddity.kind == kind

    def oddities(self) -> list[Record]:
        return [
            {"resource": o.resource, "id": self.ref_id(o.resource, index), "kind": o.kind, "what": o.what}
            for (_, index), o in self._oddities.items()
        ]

    def ref_id(self, resource: str, index: int) -> int | str:
        number = self.layout.id_of(resource, index)
        return str(number) if resource == "calendar_entries" else number

    def ref(self, resource: str, index: int, **extra: str) -> Record:
        return {"id": self.ref_id(resource, index), **extra}

    def stamp(self, resource: str, index: int, draw: Draw, record_id: int | str | None = None) -> tuple[Record, datetime]:
        """id, etag, created_at and updated_at of a record, plus its creation moment for deriving dates."""
        created = self.clock.created(index, self.counts.get(resource, 1), draw)
        updated = self.clock.updated(created, draw)
        record: Record = {
            "id": self.ref_id(resource, index) if record_id is None else record_id,
            "etag": f'"{draw.hex(32)}"',
            "created_at": self.clock.stamp(created),
            "updated_at": self.clock.stamp(updated),
        }
        return record, created

    def nested_stamp(self, parent_created: datetime, draw: Draw, record_id: int) -> Record:
        """Stamp of a nested object (email address, phone number...) created with its parent."""
        updated = self.clock.updated(parent_created, draw)
        return {
            "id": record_id,
            "etag": f'"{draw.hex(32)}"',
            "created_at": self.clock.stamp(parent_created),
            "updated_at": self.clock.stamp(updated),
        }

    def records(self, resource: str) -> Iterator[tuple[int, Draw, Record, datetime]]:
        """(index, draw, stamped record, creation moment) for every record of a resource, in id order."""
        for index in range(self.counts[resource]):
            draw = self.draw(resource, index)
            record, created = self.stamp(resource, index, draw)
            yield index, draw, record, created
