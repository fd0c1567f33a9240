"""One migration end to end: its request, where its artefacts live in Blob, and its record in the migrations table."""
