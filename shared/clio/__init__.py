"""Clio Manage API v4: client, models and errors (../shared/reference/clio/clio.md)."""
