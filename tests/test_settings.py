from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from localrun.host import load_local_settings
from shared.settings import Settings


def test_settings_use_the_app_setting_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIO_API_BASE_URL", "http://127.0.0.1:9000/api/v4/")
    monkeypatch.setenv("ENTRA_AUTHORITY_HOST", "https://127.0.0.1:9443")
    monkeypatch.setenv("DATAVERSE_CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("MIGRATION_STORAGE__accountName", "stmigration")
    settings = Settings()
    assert settings.clio_api_base_url == "http://127.0.0.1:9000/api/v4"
    assert settings.entra_authority_host == "https://127.0.0.1:9443"
    assert settings.migration_storage_account_name == "stmigration"
    assert settings.dataverse_client_secret.get_secret_value() == "s3cret-value"
    assert "s3cret-value" not in repr(settings) and "s3cret-value" not in str(settings.model_dump())


def test_invalid_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTA_WINDOW_HOURS", "0")
    with pytest.raises(ValueError, match="DELTA_WINDOW_HOURS"):
        Settings()


def test_local_settings_fill_what_the_environment_lacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps({"IsEncrypted": False, "Values": {"GRAPH_BASE_URL": "http://127.0.0.1:7000/v1.0",
                                                                 "TASKHUB_NAME": "fromfile"}}))
    monkeypatch.setenv("TASKHUB_NAME", "fromenv")
    monkeypatch.setenv("GRAPH_BASE_URL", "registered so the fixture restores it")
    monkeypatch.delenv("GRAPH_BASE_URL")
    load_local_settings(path)
    assert os.environ["GRAPH_BASE_URL"] == "http://127.0.0.1:7000/v1.0"
    assert os.environ["TASKHUB_NAME"] == "fromenv"
