"""Crawl the whole public site as an anonymous visitor, reading what each response shows."""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from pypdf import PdfReader

LINK = re.compile(r'(?:href|src)="([^"#]+)')
LOC = re.compile(r"<loc>([^<]+)</loc>")


def readable(response) -> str:
    """Return everything a response could show: its text, a PDF's text, a zip's members."""
    return readable_bytes(response.data)


def readable_bytes(body: bytes, depth: int = 0) -> str:
    """The text of some bytes; a PDF's text and a zip's members (an export's HWPX and PDFs too), read in."""
    parts = [body.decode("utf-8", errors="replace")]
    if body.startswith(b"%PDF"):
        parts += [page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages]
    if body.startswith(b"PK") and depth < 3:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            parts += [readable_bytes(zf.read(n), depth + 1) for n in zf.namelist()]
    return "\n".join(parts)


def crawl(client, seeds: Iterable[str], limit: int = 3000) -> dict[str, object]:
    """Visit the seeds, then follow same-site links breadth first; return {path: response}.

    Facet links combine without end, so links with more than two query parameters are
    not followed (the seeds may still have them).
    """
    seen: dict[str, object] = {}
    queue = deque(seeds)
    while queue and len(seen) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen or path.startswith("/static/"):
            continue
        response = client.get(path)
        seen[path] = response
        content_type = response.headers.get("Content-Type", "")
        if "html" in content_type or "xml" in content_type:
            text = response.data.decode("utf-8", errors="replace").replace("&amp;", "&")
            for link in LINK.findall(text) + LOC.findall(text):
                if link.count("=") <= 2:
                    queue.append(urljoin("http://localhost" + parts.path, link))
    return seen
