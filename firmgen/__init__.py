"""Deterministic generator of Clio Manage firm files (see README, "The firm file")."""
from firmgen.generate import RESOURCE_NAMES, iter_records
from firmgen.profiles import PROFILES
from firmgen.writer import write_firm, write_stream

__all__ = ["PROFILES", "RESOURCE_NAMES", "iter_records", "write_firm", "write_stream"]
