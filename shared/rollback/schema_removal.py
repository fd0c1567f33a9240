"""Removing the schema the migration created (only on request, after every row): what the provisioner recorded as
missing before it ran (`SchemaProvisioner.provision_recorded`, partition `<migration>|schema`), nothing else.

Keys first (a key holds its columns), then lookups (DELETE of the relationship takes its column), columns, tables
(a table that another of ours points at waits for that one), the solution and its publisher. A column, lookup or
table still holding data of rows that stay is kept; so is document management, which our sources never describe
turning off. Metadata deletes follow the Web API's metadata messages (DeleteAttribute, DeleteEntityKey,
DeleteRelationship, DeleteEntity: DELETE on the definition's URL)."""
from __future__ import annotations

from collections.abc import Callable

from shared.dataverse.client import DataverseClient
from shared.dataverse.errors import DataverseRequestError
from shared.ledger import LedgerRow
from shared.rollback.models import OutcomeLine
from shared.rollback.shape import Shapes

TABLE = "schema"
_ORDER = ("key", "lookup", "column", "document-management", "table", "solution", "publisher")
_DEPENDED_ON = "0x8004F01F"


def _definition(table: str) -> str:
    return f"EntityDefinitions(LogicalName='{table}')"


class SchemaRemover:
    def __init__(self, client: DataverseClient, dry_run: bool) -> None:
        self.client = client
        self.dry_run = dry_run
        self.shapes = Shapes(client)

    def remove(self, rows: list[LedgerRow]) -> list[OutcomeLine]:
        recorded = sorted(rows, key=lambda row: (_ORDER.index(row.key.split(":", 1)[0]), row.key))
        ours = {row.key.split(":", 1)[1] for row in recorded if row.key.startswith("table:")}
        outcomes: list[OutcomeLine] = []
        tables: list[LedgerRow] = []
        for row in recorded:
            kind, name = row.key.split(":", 1)
            if kind == "table":
                tables.append(row)
            elif kind in ("key", "lookup", "column") and name.split(".", 1)[0] in ours:
                continue  # goes with its table
            else:
                outcomes.append(self._one(kind, name, row.target))
        outcomes += self._tables(tables, rows)
        return outcomes

    def _one(self, kind: str, name: str, detail: str | None) -> OutcomeLine:
        key = f"{kind}:{name}"
        if kind == "document-management":
            return OutcomeLine(table=TABLE, key=key, outcome="kept",
                               message="document management stays on: turning it off is not part of a rollback")
        table, _, member = name.partition(".")
        if kind == "key":
            path = f"{_definition(table)}/Keys(LogicalName='{member}')"
            return self._delete(key, path, lambda: self._exists(path), lambda: False)
        if kind in ("lookup", "column"):
            column = f"_{member}_value" if kind == "lookup" else member
            path = f"{_definition(table)}/Attributes(LogicalName='{member}')"
            target = f"RelationshipDefinitions(SchemaName='{detail}')" if kind == "lookup" and detail else path
            return self._delete(key, target, lambda: self._exists(path), lambda: self._holds(table, column))
        entity_set, column = ("solutions", "uniquename") if kind == "solution" else ("publishers",
                                                                                     "customizationprefix")
        found = self.client.query(entity_set, {"$select": f"{entity_set[:-1]}id", "$filter": f"{column} eq '{name}'"})
        row_id = str(found[0][f"{entity_set[:-1]}id"]) if found else ""
        return self._delete(key, f"{entity_set}({row_id})", lambda: bool(found),
                            lambda: kind == "publisher" and self._publishes(row_id))

    def _tables(self, tables: list[LedgerRow], rows: list[LedgerRow]) -> list[OutcomeLine]:
        """Tables in rounds: one that another of ours still points at is refused (0x8004F01F) and tried again
        after the others, until a round removes nothing more."""
        members = {table.key: [row.key for row in rows if row.key.split(":", 1)[0] in ("key", "lookup", "column")
                               and row.key.split(":", 1)[1].split(".", 1)[0] == table.key.split(":", 1)[1]]
                   for table in tables}
        pending, done = list(tables), []
        while pending:
            answers = [(row, self._table(row.key.split(":", 1)[1])) for row in pending]
            waiting = [row for row, line in answers if line.code == _DEPENDED_ON]
            done += [(row, line) for row, line in answers if line.code != _DEPENDED_ON]
            if len(waiting) == len(pending):
                done += [(row, line) for row, line in answers if line.code == _DEPENDED_ON]
                break
            pending = waiting
        return [line.model_copy(update={"key": key}) for row, line in done for key in [row.key, *members[row.key]]]

    def _table(self, table: str) -> OutcomeLine:
        path = _definition(table)
        return self._delete(f"table:{table}", path, lambda: self._exists(path), lambda: self._holds(table, None))

    def _delete(self, key: str, path: str, exists: Callable[[], bool], in_use: Callable[[], bool]) -> OutcomeLine:
        line = OutcomeLine(table=TABLE, key=key, outcome="already-done")
        if not exists():
            return line
        if self.dry_run:
            return line.model_copy(update={"outcome": "would-delete"})
        if in_use():
            return line.model_copy(update={"outcome": "kept", "message": "still holds data of rows that stay"})
        try:
            self.client.request("DELETE", path)
        except DataverseRequestError as refused:
            return line.model_copy(update={"outcome": "failed", "code": refused.code, "message": str(refused)})
        return line.model_copy(update={"outcome": "deleted"})

    def _exists(self, path: str) -> bool:
        return self.client.request("GET", path, params={"$select": "MetadataId"}, allow=(404,)).status_code != 404

    def _holds(self, table: str, column: str | None) -> bool:
        """Whether any row of `table` (with a value in `column`) is there."""
        place = self.shapes.place(table)
        if place is None:
            return False
        entity_set, primary_id = place
        params = {"$select": primary_id, "$top": "1", **({"$filter": f"{column} ne null"} if column else {})}
        return bool(self.client.get_json(entity_set, params).get("value"))

    def _publishes(self, publisher_id: str) -> bool:
        return bool(self.client.query("solutions", {"$select": "solutionid",
                                                    "$filter": f"_publisherid_value eq {publisher_id}"}))
