"""A strict local Dataverse Web API v9.2 sandbox (ASGI) with an Entra-compatible token endpoint on the same host.

    app = create_app(DataverseConfig(application_users=[ApplicationUser(client_id=..., client_secret=...)]),
                     snapshot="target.json")
    state = dataverse_state(app)          # rows, tables, keys, clock, faults, export()
    with serve_dataverse(app) as (base_url, ca_pem):
        ...                               # see serve_dataverse for authenticating

or from a shell: `python -m sandboxes.dataverse --snapshot target.json`.
"""
from sandboxes.clio.config import FaultRule
from sandboxes.dataverse.app import create_app, dataverse_state
from sandboxes.dataverse.config import (ApplicationUser, DataverseConfig, LatencyModel, ServiceProtection,
                                        SystemUserSeed)
from sandboxes.dataverse.serve import serve_dataverse, start_dataverse
from sandboxes.dataverse.state import DataverseState

__all__ = ["create_app", "dataverse_state", "DataverseConfig", "ApplicationUser", "SystemUserSeed",
           "ServiceProtection", "LatencyModel", "FaultRule", "DataverseState", "serve_dataverse", "start_dataverse"]
