"""The engineers' command line: the portal's verbs through `python -m localrun migration`, each a separate
process against the same task hub, the migration driven between them from gate to gate."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from localrun.stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> tuple[int, Any]:
    done = subprocess.run([sys.executable, "-m", "localrun", "migration", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, timeout=600)
    text = done.stdout.decode()
    try:
        return done.returncode, json.loads(text)
    except ValueError:
        return done.returncode, text + done.stderr.decode()[-2000:]


def test_a_migration_from_the_command_line(stack: LocalStack) -> None:
    body = {"migration_id": "cli1", "sample_size": 50, "fallback_owner_email": stack.dynamics_users[0]}
    code, started = cli("start", json.dumps(body))
    assert code == 0 and started["instance_id"] == "migration-cli1", started
    code, driven = cli("drive", "cli1")
    assert code == 0 and driven["customStatus"]["phase"] == "awaiting mapping approval", driven
    code, proposed = cli("mapping", "cli1")
    assert code == 0 and proposed["version"] == "1.2.0"
    assert cli("decide", "cli1", "mapping", "--approve", "--by", "lead@firm.example")[0] == 0
    code, driven = cli("drive", "cli1")
    assert driven["customStatus"]["phase"] == "awaiting sample approval", driven
    code, diff = cli("report", "cli1", "sample-diff")
    assert code == 0 and diff["mode"] == "sample"
    assert cli("decide", "cli1", "sample", "--approve", "--by", "lead@firm.example")[0] == 0
    code, driven = cli("drive", "cli1")
    assert code == 0 and driven["runtimeStatus"] == "Completed" and driven["output"]["phase"] == "cutover", driven
    code, status = cli("status", "cli1")
    assert code == 0 and status["phase"] == "cutover"
    assert cli("cancel", "cli1")[0] == 1  # nothing left to cancel: the API's 409
