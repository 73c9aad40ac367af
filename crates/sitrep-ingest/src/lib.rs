//! Ingest: bytes in, clean articles out.
