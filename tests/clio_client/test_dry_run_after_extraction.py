"""Extract a generated firm from the Clio sandbox, then dry-run the map over the extracted pages: every source
record of every resource is accounted for, and nothing is written to Dataverse."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from activities.mapping_dry_run import dry_run_migration
from localrun.clio_sandbox import RunningClio
from localrun.host import LocalHost
from shared.blobs import container
from shared.mapping.maps import load_map
from shared.settings import get_settings
from tests.mapping.schema import map_snapshot


def test_the_dry_run_accounts_for_every_extracted_record(app_host: LocalHost, clio: RunningClio,
                                                         tiny_firm: tuple[Path, dict[str, Any]]) -> None:
    code, _ = app_host.api.start("extract_clio", "extract-dry", json.dumps({"migration_id": "dry"}))
    assert code == 202
    assert app_host.run_until_complete("extract-dry", timeout=240)["runtimeStatus"] == "Completed"
    snapshot = map_snapshot()
    firm = tiny_firm[1]
    users = [u for u in firm["users"] if u.get("enabled")][:3]
    system_users = [{"systemuserid": f"0000000{n}-0000-0000-0000-000000000000", "internalemailaddress": u["email"]}
                    for n, u in enumerate(users)]
    raw = container(get_settings().raw_container)
    raw.upload_blob("dry/mapping/proposed.json", load_map().model_dump_json().encode())
    raw.upload_blob("dry/target.json", json.dumps({"schema": snapshot.model_dump(mode="json"),
                                                   "system_users": system_users}).encode())
    result = dry_run_migration({"migration_id": "dry", "map_blob": "dry/mapping/proposed.json",
                                "snapshot_blob": "dry/target.json", "fallback_owner_email": users[0]["email"]})
    served = {key: len(records) for key, records in firm.items()
              if not key.startswith("_") and key != "document_versions"}  # versions are not a list endpoint
    assert result["records"] == served
    assert result["accounted"] is True
    assert result["unmatched_users"] == len(firm["users"]) - 3
    report = json.loads(raw.download_blob(result["report"]).readall())
    kept_out = sum(t["errors"] + t["not_mapped"] for t in report["resources"].values())
    assert kept_out == len({(l["resource"], l["source_id"]) for l in report["lines"] if l["severity"] == "error"})
    assert Counter(l["code"] for l in report["lines"])["NOT_MAPPED"] == 0
    assert report["resources"]["bank_transactions"]["loadable"] == served["bank_transactions"]
    parties = [json.loads(line) for blob in raw.list_blobs(name_starts_with="dry/dry-run/")
               if "/relationship_to_matter_party/" in blob.name
               for line in raw.download_blob(blob.name).readall().decode().splitlines()]
    binds = Counter(next(k for k in p["values"] if k.startswith(("new_ContactId", "new_AccountId"))) for p in parties)
    assert set(binds) == {"new_ContactId@odata.bind", "new_AccountId@odata.bind"}  # each party where it landed
    assert raw.get_blob_client(result["html"]).get_blob_properties().content_settings.content_type.startswith(
        "text/html")
