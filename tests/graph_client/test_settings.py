"""The Graph settings: the sample file names each with its default, and the fragment size obeys Graph's rules."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "local.settings.sample.json"


def test_the_sample_names_every_graph_setting_with_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    values = json.loads(SAMPLE.read_text())["Values"]
    names = {field.alias for field in Settings.model_fields.values()
             if field.alias and field.alias.startswith(("GRAPH_", "SHAREPOINT_"))}
    assert names <= set(values), sorted(names - set(values))
    for name in names:
        monkeypatch.delenv(name, raising=False)
    defaults = Settings().model_dump(by_alias=True)
    from_sample = Settings(**{name: values[name] for name in names if values[name] != ""}).model_dump(by_alias=True)
    assert {name: from_sample[name] for name in names} == {name: defaults[name] for name in names}


@pytest.mark.parametrize("fragment", ["327679", "0", str(60 * 1024 * 1024), str(192 * 327_680)])
def test_a_fragment_size_graph_would_refuse_is_refused(monkeypatch: pytest.MonkeyPatch, fragment: str) -> None:
    monkeypatch.setenv("GRAPH_UPLOAD_FRAGMENT_BYTES", fragment)
    with pytest.raises(ValidationError, match="GRAPH_UPLOAD_FRAGMENT_BYTES"):
        Settings()
