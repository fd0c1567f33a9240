"""The map's own schema provisioned on the Dataverse sandbox by the real provisioner, then read back from the org's
metadata: the offline snapshot the dry run uses agrees with the live one on every table the map writes, and the
rows of a generated firm pass the live checks."""
from __future__ import annotations

from firmgen import iter_records
from shared.dataverse.client import DataverseClient
from shared.dataverse.schema import SchemaProvisioner
from shared.mapping.dry_run import dry_run
from shared.mapping.engine import CompiledMap
from shared.mapping.live_schema import read_snapshot
from shared.mapping.maps import load_map
from tests.dataverse_client.conftest import client, dataverse  # noqa: F401  (fixtures)
from tests.mapping.schema import map_snapshot


def test_the_map_schema_provisions_cleanly_and_its_rows_pass_the_live_checks(client: DataverseClient) -> None:
    the_map = load_map()
    report = SchemaProvisioner(client, "ClioMigration", "new", 15).provision(the_map.target_schema)
    assert report.conflicts == []
    assert {f"{lookup.table}.{lookup.logical_name}" for lookup in the_map.target_schema.lookups} <= \
        set(report.created)
    again = SchemaProvisioner(client, "ClioMigration", "new", 15).provision(the_map.target_schema)
    assert again.conflicts == [] and not [name for name in again.created if " " not in name]  # idempotent

    written = {table.target.logical_name for table in the_map.tables}
    live = read_snapshot(client, written)
    offline = map_snapshot()
    for table in the_map.tables:
        entity_set = table.target.entity_set
        for rule in table.fields:
            navigations = [rule.target, *(rule.lookup.routes.values() if rule.lookup else [])]
            for name in (navigations if rule.lookup or rule.owner else [rule.target]):
                in_live = name in live.tables[entity_set].navigations or name in live.tables[entity_set].columns
                in_offline = name in offline.tables[entity_set].navigations or \
                    name in offline.tables[entity_set].columns
                assert in_live and in_offline, f"{table.name}.{name}: live {in_live}, offline {in_offline}"

    firm = list(iter_records(3, "tiny"))
    compiled = CompiledMap(the_map, {"case_practice_areas": [next(r["id"] for k, r in firm if k == "practice_areas")]})
    compiled.place(firm)
    result = dry_run(firm, compiled, live)
    errors = [line for line in result.lines if line.severity == "error"]
    assert errors == [] and all(tally.accounted for tally in result.tallies.values())
    assert result.loadable_rows["matter_to_case"] > 0 and result.loadable_rows["relationship_to_matter_party"] > 0
