"""Dataverse Web API v9.2: client, models and errors (../shared/reference/dataverse/dataverse.md)."""
