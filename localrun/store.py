"""Task hub state in Table storage, shaped like the Azure Storage provider's: an Instances table (one row per
instance), a History table (one row per event, partitioned by instance) and an inbox standing in for the control
queue. Values too large for a table property (64 KiB) go to the `<hub>-largemessages` container, as on Azure."""
from __future__ import annotations

import gzip
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableServiceClient, UpdateMode
from azure.storage.blob import BlobServiceClient

TERMINAL = {"Completed", "Failed", "Terminated"}
_MAX_INLINE_BYTES = 60_000  # table string properties are UTF-16 and capped at 64 KiB
_BLOB_PREFIX = "blob:"
_HUB_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{2,44}$")
_BAD_INSTANCE_CHARS = re.compile(r"[/\\#?\x00-\x1f\x7f-\x9f]")


def validate_instance_id(instance_id: str) -> None:
    if not instance_id or len(instance_id) > 256 or _BAD_INSTANCE_CHARS.search(instance_id):
        raise ValueError(f"Invalid instance id {instance_id!r}: 1-256 characters, none of / \\ # ? or control "
                         "characters")


@dataclass
class InstanceRecord:
    instance_id: str
    name: str
    runtime_status: str = "Pending"
    input: str | None = None
    output: str | None = None
    custom_status: str | None = None
    execution_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    parent_instance_id: str | None = None
    parent_task_id: int | None = None
    created_time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    last_updated_time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def is_terminal(self) -> bool:
        return self.runtime_status in TERMINAL


@dataclass
class InboxMessage:
    row_key: str
    kind: str  # "start" | "event" | "terminate"
    instance_id: str
    name: str | None
    payload: str | None


class TaskHubStore:
    def __init__(self, connection_string: str, hub: str) -> None:
        if not _HUB_NAME.match(hub):
            raise ValueError(f"Task hub name {hub!r} must be 3-45 letters or digits, starting with a letter")
        self.hub = hub
        self._tables = TableServiceClient.from_connection_string(connection_string)
        self._blobs = BlobServiceClient.from_connection_string(connection_string)
        self.instances = self._tables.get_table_client(f"{hub}Instances")
        self.history = self._tables.get_table_client(f"{hub}History")
        self.inbox = self._tables.get_table_client(f"{hub}Inbox")
        self.large = self._blobs.get_container_client(f"{hub.lower()}-largemessages")

    def ensure(self) -> "TaskHubStore":
        for table in (self.instances, self.history, self.inbox):
            try:
                table.create_table()
            except ResourceExistsError:
                pass
        try:
            self.large.create_container()
        except ResourceExistsError:
            pass
        return self

    # -- large values ---------------------------------------------------------------------------------------
    def _inline(self, key: str, value: str | None) -> str | None:
        if value is None or len(value.encode("utf-16-le")) <= _MAX_INLINE_BYTES:
            return value
        self.large.upload_blob(key, gzip.compress(value.encode()), overwrite=True)
        return _BLOB_PREFIX + key

    def _resolve(self, value: str | None) -> str | None:
        if value is None or not value.startswith(_BLOB_PREFIX):
            return value
        return gzip.decompress(self.large.download_blob(value[len(_BLOB_PREFIX):]).readall()).decode()

    # -- instances ------------------------------------------------------------------------------------------
    def save_instance(self, record: InstanceRecord) -> None:
        record.last_updated_time = datetime.now(timezone.utc)
        base = f"{record.instance_id}/{record.execution_id}"
        entity = {
            "PartitionKey": record.instance_id, "RowKey": "", "Name": record.name,
            "RuntimeStatus": record.runtime_status, "ExecutionId": record.execution_id,
            "Input": self._inline(f"{base}/input.json.gz", record.input),
            "Output": self._inline(f"{base}/output.json.gz", record.output),
            "CustomStatus": self._inline(f"{base}/customstatus.json.gz", record.custom_status),
            "ParentInstanceId": record.parent_instance_id, "ParentTaskId": record.parent_task_id,
            "CreatedTime": record.created_time, "LastUpdatedTime": record.last_updated_time,
        }
        self.instances.upsert_entity({k: v for k, v in entity.items() if v is not None}, mode=UpdateMode.REPLACE)

    def _record(self, entity: dict[str, Any]) -> InstanceRecord:
        return InstanceRecord(
            instance_id=entity["PartitionKey"], name=entity["Name"], runtime_status=entity["RuntimeStatus"],
            input=self._resolve(entity.get("Input")), output=self._resolve(entity.get("Output")),
            custom_status=self._resolve(entity.get("CustomStatus")), execution_id=entity["ExecutionId"],
            parent_instance_id=entity.get("ParentInstanceId"), parent_task_id=entity.get("ParentTaskId"),
            created_time=entity["CreatedTime"], last_updated_time=entity["LastUpdatedTime"])

    def get_instance(self, instance_id: str) -> InstanceRecord | None:
        try:
            return self._record(self.instances.get_entity(instance_id, ""))
        except ResourceNotFoundError:
            return None

    def list_instances(self, statuses: Iterable[str] | None = None) -> list[InstanceRecord]:
        wanted = set(statuses) if statuses else None
        records = [self._record(e) for e in self.instances.list_entities()]
        return [r for r in records if wanted is None or r.runtime_status in wanted]

    def delete_instance(self, instance_id: str) -> bool:
        record = self.get_instance(instance_id)
        if record is None:
            return False
        rows = list(self.history.query_entities("PartitionKey eq @pk", parameters={"pk": instance_id},
                                                select=["PartitionKey", "RowKey"]))
        for start in range(0, len(rows), 100):
            self.history.submit_transaction([("delete", row) for row in rows[start:start + 100]])
        for blob in self.large.list_blobs(name_starts_with=f"{instance_id}/"):
            self.large.delete_blob(blob.name)
        self.instances.delete_entity(instance_id, "")
        return True

    # -- history --------------------------------------------------------------------------------------------
    def append_history(self, instance_id: str, execution_id: str, first_seq: int, events: list[str]) -> None:
        """Append one episode's pre-encoded events as a single row (a blob when over the property limit): one
        write per episode instead of one per event keeps a 10,000-task fan-out cheap on Azurite."""
        if not events:
            return
        key = f"{execution_id}:{first_seq:010d}"
        packed = self._inline(f"{instance_id}/{execution_id}/history-{first_seq:010d}.json.gz",
                              "[" + ",".join(events) + "]")
        self.history.upsert_entity({"PartitionKey": instance_id, "RowKey": key, "Count": len(events),
                                    "Events": packed}, mode=UpdateMode.REPLACE)

    def load_history(self, instance_id: str, execution_id: str) -> list[str]:
        rows = self.history.query_entities(
            "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
            parameters={"pk": instance_id, "lo": f"{execution_id}:", "hi": f"{execution_id};"})
        events: list[str] = []
        for row in sorted(rows, key=lambda row: row["RowKey"]):
            events.extend(json.dumps(e) for e in json.loads(self._resolve(row["Events"]) or "[]"))
        return events

    # -- inbox (the control queue's role) -------------------------------------------------------------------
    def enqueue(self, kind: str, instance_id: str, name: str | None = None, payload: str | None = None) -> None:
        key = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        entity = {"PartitionKey": "inbox", "RowKey": key, "Kind": kind, "InstanceId": instance_id,
                  "Name": name, "Payload": self._inline(f"inbox/{key}.json.gz", payload)}
        self.inbox.create_entity({k: v for k, v in entity.items() if v is not None})

    def read_inbox(self) -> list[InboxMessage]:
        rows = sorted(self.inbox.query_entities("PartitionKey eq 'inbox'"), key=lambda row: row["RowKey"])
        return [InboxMessage(row["RowKey"], row["Kind"], row["InstanceId"], row.get("Name"),
                             self._resolve(row.get("Payload"))) for row in rows]

    def delete_inbox(self, messages: Iterable[InboxMessage]) -> None:
        for message in messages:
            try:
                self.inbox.delete_entity("inbox", message.row_key)
            except ResourceNotFoundError:
                pass

