"""The search index: Whoosh, fed only with what the public may read."""
