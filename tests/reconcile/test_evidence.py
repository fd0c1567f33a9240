"""What explains a difference: the dry run's report lines and the loader's last outcome per key."""
from __future__ import annotations

from shared.dataverse.loader import RowOutcome
from shared.mapping.maps import load_map
from shared.reconcile.evidence import DryRunReport, Evidence
from shared.reconcile.report import Difference


def _line(resource: str, source_id: str, table: str, field: str, severity: str, code: str) -> dict[str, str]:
    return {"resource": resource, "source_id": source_id, "table": table, "field": field, "severity": severity,
            "code": code, "message": f"{code} happened"}


REPORT = DryRunReport.model_validate({"map_version": "1.2.0", "resources": {"contacts": {"source": 9}}, "lines": [
    _line("contacts", "7", "person_to_contact", "lastname", "error", "REQUIRED_MISSING"),
    _line("contacts", "5", "company_to_account", "name", "warning", "TRUNCATED"),
    _line("contacts", "8", "-", "*", "error", "NOT_MAPPED"),
    _line("matters", "3", "matter_to_opportunity", "ownerid", "warning", "OWNER_FALLBACK"),
    _line("matters", "4", "matter_to_opportunity", "ownerid", "warning", "OWNER_FALLBACK")]})
OUTCOMES = {"accounts": {"9": RowOutcome(key="9", action="failed", code="0x80044331", message="too long"),
                         "5": RowOutcome(key="5", action="created", dataverse_id="x")},
            "tasks": {"time-entry-4": RowOutcome(key="time-entry-4", action="failed", code=None, message="gone")}}


def test_differences_are_explained_by_the_report_line_or_outcome_that_concerns_them() -> None:
    the_map = load_map()
    tables = {table.name: table for table in the_map.tables}
    evidence = Evidence(REPORT, OUTCOMES, the_map.tables)

    def explain(table: str, **difference: str) -> str | None:
        return evidence.explain(tables[table], Difference.model_validate(difference))

    assert explain("person_to_contact", kind="extra", key="7") == "dry run error REQUIRED_MISSING: REQUIRED_MISSING " \
                                                                    "happened"
    assert explain("company_to_account", kind="extra", key="8") == "dry run error NOT_MAPPED: NOT_MAPPED happened"
    assert explain("company_to_account", kind="extra", key="5") is None  # loaded fine: an extra needs a reason
    assert explain("company_to_account", kind="mismatch", key="5", field="name") == \
        "dry run warning TRUNCATED: TRUNCATED happened"
    assert explain("company_to_account", kind="mismatch", key="5", field="telephone1") is None
    assert explain("company_to_account", kind="missing", key="9") == "loader failed 0x80044331: too long"
    assert explain("time_entry_to_timeline_task", kind="missing", key="time-entry-4") == "loader failed: gone"
    assert explain("time_entry_to_timeline_task", kind="missing", key="time-entry-5") is None
    assert explain("person_to_contact", kind="orphan", key="1", field="parentcustomerid_account@odata.bind",
                   expected="/accounts(new_clioid='9')") == "target accounts(9): loader failed 0x80044331: too long"
    assert explain("person_to_contact", kind="orphan", key="1", field="parentcustomerid_account@odata.bind",
                   expected="/accounts(new_clioid='8')") == "target accounts(8): dry run error NOT_MAPPED: " \
                                                            "NOT_MAPPED happened"
    assert explain("person_to_contact", kind="orphan", key="1", field="parentcustomerid_account@odata.bind",
                   expected="/accounts(new_clioid='5')") is None
    assert evidence.count(tables["matter_to_opportunity"], "OWNER_FALLBACK") == 2
    assert evidence.errors_on(tables["person_to_contact"]) == {"7"}
    assert evidence.reported_ids("contacts") == {"7", "8"}
