"""The archive domain: records, disclosure, the store, ingest and text extraction.

Nothing here knows about HTTP: plain arguments in, plain data out.
"""
