"""The app, the local runner, the sandboxes and the generator type-check (type hints everywhere is a project rule)."""
from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_passes() -> None:
    report, errors, status = api.run(["--config-file", str(ROOT / "mypy.ini"), "--cache-dir", str(ROOT / ".mypy_cache"),
                                      str(ROOT / "function_app.py"), str(ROOT / "localrun"), str(ROOT / "shared"),
                                      str(ROOT / "activities"), str(ROOT / "orchestrators"),
                                      str(ROOT / "sandboxes"), str(ROOT / "firmgen")])
    assert status == 0, report + errors
