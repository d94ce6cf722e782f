"""Uploads stream to disk under DATA_DIR/uploads, never whole in memory; a kept upload is a second name."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Request, current_app
from werkzeug.datastructures import FileStorage


def uploads_dir() -> Path:
    folder = Path(current_app.config["DATA_DIR"]) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class StreamedUploads(Request):
    """Werkzeug writes each uploaded file, as it reads it, into this request's own file in uploads/.

    The file has a name until the request ends (then it goes), so a job can keep its bytes by
    linking a second name to it (`keep`), without copying; MAX_CONTENT_LENGTH (ARCHIVE_MAX_UPLOAD_MB)
    is checked by Werkzeug before and while it reads (413).
    """

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return tempfile.NamedTemporaryFile(dir=uploads_dir(), prefix="incoming-", suffix=".part")  # noqa: SIM115


def keep(storage: FileStorage) -> Path:
    """Keep an uploaded file past its request: uploads/incoming-….zip, the same bytes under a second name."""
    kept = uploads_dir() / f"incoming-{os.urandom(8).hex()}.zip"
    name = getattr(storage.stream, "name", None)
    if isinstance(name, str) and Path(name).resolve().parent == uploads_dir().resolve():
        storage.stream.flush()
        os.link(name, kept)
    else:  # not one of ours (a stream Werkzeug did not make): copied, in chunks
        storage.save(kept)
    return kept
