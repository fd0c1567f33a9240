"""Local stand-in for the Azure Functions host's Durable Functions extension.

Drives the orchestrators registered in `function_app.py` through the SDK's own orchestrator handle and its JSON
replay protocol (../shared/reference/durable/durable.md §4.2–4.5), keeps every instance's history in Table
storage (Azurite locally), and serves the extension's HTTP API so `DurableOrchestrationClient` works unchanged.
"""
