"""A strict local Microsoft Graph v1.0 sandbox (ASGI): the SharePoint slice the document mover uses — sites,
document libraries, folders, simple upload, resumable upload sessions, delete, file versions, the library's list
with its columns and each item's list item fields — with an Entra-compatible token endpoint on the same host,
resource-unit throttling and fault injection; file bytes (earlier versions' too) are kept on disk.

    app = create_app(GraphConfig(application_users=[ApplicationUser(client_id=..., client_secret=...)]))
    state = graph_state(app)              # store (sites, drives, items), sessions, budget, clock, requests
    with serve_graph(app) as (base_url, ca_pem):
        ...                               # see serve_graph for authenticating

or from a shell: `python -m sandboxes.graph`.
"""
from sandboxes.clio.config import FaultRule
from sandboxes.dataverse.config import ApplicationUser
from sandboxes.graph.app import create_app, graph_state
from sandboxes.graph.config import GRAPH_RESOURCE, FragmentFault, GraphConfig, SiteSeed
from sandboxes.graph.serve import serve_graph
from sandboxes.graph.state import GraphState

__all__ = ["create_app", "graph_state", "GraphConfig", "SiteSeed", "FragmentFault", "FaultRule", "ApplicationUser",
           "GraphState", "GRAPH_RESOURCE", "serve_graph"]
