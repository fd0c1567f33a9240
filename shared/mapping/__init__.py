"""Mapping Clio records to Dataverse rows: named transforms (this package grows the map files next)."""
