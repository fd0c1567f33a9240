"""Transform throughput: the compiled map applied to generated Clio records on one core (records/s).

    .venv/bin/python bench/transform_throughput.py [--size small] [--rounds 5]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from firmgen import iter_records  # noqa: E402
from shared.mapping.engine import CompiledMap  # noqa: E402
from shared.mapping.dry_run import dry_run  # noqa: E402
from shared.mapping.maps import load_map  # noqa: E402
from shared.mapping.target_schema import SchemaSnapshot  # noqa: E402

DEFINITIONS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "dataverse" / \
    "d365_sales_entities_from_xrmdefinitelytyped.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="small")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    compiled = CompiledMap(load_map())
    mapped_resources = {table.table.source for table in compiled.tables}
    records = [(resource, record) for resource, record in iter_records(1, args.size) if resource in mapped_resources]
    tables = {resource: compiled.for_resource(resource) for resource in mapped_resources}
    rows = problems = 0
    started = time.process_time()
    for _ in range(args.rounds):
        for resource, record in records:
            for table in tables[resource]:
                row = table.map(record)
                if row is not None:
                    rows += 1
                    problems += len(row.problems)
    cpu = time.process_time() - started
    count = len(records) * args.rounds
    print(f"map {compiled.version}: {len(records)} source records ({', '.join(sorted(mapped_resources))}) "
          f"x {args.rounds} rounds")
    print(f"map only: {count / cpu:,.0f} records/s on one core ({rows / cpu:,.0f} rows/s; {rows} rows, "
          f"{problems} report lines, {cpu:.2f} s CPU)")
    snapshot = SchemaSnapshot.for_map(json.loads(DEFINITIONS.read_text())["entities"], load_map())
    compiled.place(records)
    started = time.process_time()
    for _ in range(args.rounds):
        result = dry_run(records, compiled, snapshot, sink=lambda row: None)
    cpu = time.process_time() - started
    rows = sum(result.loadable_rows.values())
    print(f"map + target-schema validation (the dry run): {count / cpu:,.0f} records/s on one core "
          f"({rows * args.rounds / cpu:,.0f} rows/s; {cpu:.2f} s CPU). Target: 20,000 records/s/core.")


if __name__ == "__main__":
    main()
