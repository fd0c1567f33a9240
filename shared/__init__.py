"""The Function App's own common code: settings, storage, and (later) one module per external system."""
