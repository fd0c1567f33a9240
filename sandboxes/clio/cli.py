"""`python -m sandboxes.clio --firm firm.json`: serve a firm on loopback.

Prints the base URL on the first line of stdout and, with --mint-refresh-token, a refresh token for the
configured client on the second (so a demo can start without the browser step).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sandboxes.clio.app import create_app, sandbox_state
from sandboxes.clio.config import OAuthClient, SandboxConfig
from sandboxes.clio.serve import start_in_thread
from sandboxes.common import wait_for_termination


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandboxes.clio", description=__doc__)
    parser.add_argument("--firm", required=True, help="firm file (README 'The firm file')")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--rate-limit", type=int, default=50, help="requests per token per 60 s window")
    parser.add_argument("--access-token-lifetime", type=int, default=2_592_000, help="seconds")
    parser.add_argument("--client-id", default="sandbox-client")
    parser.add_argument("--client-secret", default="sandbox-secret")
    parser.add_argument("--redirect-uri", default="http://127.0.0.1/callback")
    parser.add_argument("--mint-refresh-token", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    client = OAuthClient(client_id=args.client_id, client_secret=args.client_secret, redirect_uri=args.redirect_uri)
    config = SandboxConfig(clients=[client], rate_limit=args.rate_limit,
                           access_token_lifetime_seconds=args.access_token_lifetime)
    app = create_app(args.firm, config)
    base_url, stop = start_in_thread(app, args.host, args.port)
    print(base_url, flush=True)
    if args.mint_refresh_token:
        print(sandbox_state(app).mint_refresh_token(client.client_id), flush=True)
    wait_for_termination()
    stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
