"""`python -m sandboxes.graph [--port 0]`: serve the sandbox over HTTPS on loopback.

Prints the base URL (Graph host and authority host; the API is at `<base URL>/v1.0`) on the first line of stdout,
the CA file on the second and the tenant id on the third.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sandboxes.common import wait_for_termination
from sandboxes.dataverse.config import ApplicationUser, https_identity_arguments
from sandboxes.graph.app import create_app, graph_state
from sandboxes.graph.config import GraphConfig, SiteSeed
from sandboxes.tls import start_https_server


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandboxes.graph", description=__doc__)
    https_identity_arguments(parser)
    parser.add_argument("--site-hostname", default=SiteSeed().hostname)
    parser.add_argument("--site-path", default=SiteSeed().path)
    parser.add_argument("--library", default="Documents")
    parser.add_argument("--storage-dir", help="where file bytes are kept (default: a temp dir, removed on exit)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    user = ApplicationUser(client_id=args.client_id, client_secret=args.client_secret, tenant_id=args.tenant)
    site = SiteSeed(hostname=args.site_hostname, path=args.site_path, libraries=[args.library])
    app = create_app(GraphConfig(application_users=[user], sites=[site], storage_dir=args.storage_dir))
    base_url, ca_pem, stop = start_https_server(app, "Graph sandbox", args.host, args.port, args.tls_dir)
    print(base_url, flush=True)
    print(ca_pem, flush=True)
    print(args.tenant, flush=True)
    wait_for_termination()
    stop()
    graph_state(app).close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
