"""Reconciliation: what the map says should arrive (the staged rows) against what Dataverse holds."""
