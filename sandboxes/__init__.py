"""Local stand-ins for the external services the migration talks to."""
