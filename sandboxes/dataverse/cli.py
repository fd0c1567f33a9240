"""`python -m sandboxes.dataverse [--snapshot PATH] [--port 0]`: serve the sandbox over HTTPS on loopback.

Prints the base URL (environment URL and authority host) on the first line of stdout, the CA file on the second,
and the tenant id on the third. `--export PATH` writes the final state as a snapshot on exit.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sandboxes.common import wait_for_termination
from sandboxes.dataverse.app import create_app, dataverse_state
from sandboxes.dataverse.config import ApplicationUser, DataverseConfig, https_identity_arguments
from sandboxes.dataverse.serve import start_dataverse


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandboxes.dataverse", description=__doc__)
    parser.add_argument("--snapshot", help="seed snapshot ({'<entityset>': [rows], '_metadata': {...}})")
    parser.add_argument("--export", help="write the state to this snapshot file on exit")
    https_identity_arguments(parser)
    parser.add_argument("--dop-hint", type=int, default=4)
    parser.add_argument("--key-activation-delay", type=float, default=0.0, help="seconds Pending -> Active")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    user = ApplicationUser(client_id=args.client_id, client_secret=args.client_secret, tenant_id=args.tenant)
    config = DataverseConfig(application_users=[user], dop_hint=args.dop_hint,
                             key_activation_delay_seconds=args.key_activation_delay)
    app = create_app(config, args.snapshot)
    base_url, ca_pem, stop = start_dataverse(app, args.host, args.port, args.tls_dir)
    print(base_url, flush=True)
    print(ca_pem, flush=True)
    print(args.tenant, flush=True)
    wait_for_termination()
    stop()
    if args.export:
        dataverse_state(app).export_to(args.export)
    return 0


if __name__ == "__main__":
    sys.exit(main())
