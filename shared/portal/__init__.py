"""The internal portal's HTTP API for migrations (function-level keys), and its OpenAPI document."""
