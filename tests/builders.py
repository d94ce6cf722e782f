"""Build release batches in tmp_path for tests: records and real files, made on the spot."""

from __future__ import annotations

import copy
from pathlib import Path

from tools.docmaker import write_hwpx, write_pdf, write_record

BASE = {
    "id": "T-0001",
    "title": "테스트 기록",
    "kind": "결재문서",
    "agency": "테스트시",
    "department": "기록관리과",
    "produced": "2024-01-15",
    "licences": ["KOGL-1"],
    "attachments": [{"file": "본문.txt", "disclosure": "public"}],
}


def record(**changes) -> dict:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def batch(root: Path, *records: tuple[dict, dict]) -> Path:
    """Write a batch folder; each record comes with {file name: text or bytes}."""
    root.mkdir(parents=True, exist_ok=True)
    for data, files in records:
        write_record(root / data["id"], data, files)
    return root


def hwpx_bytes(tmp: Path, text: str, **kwargs) -> bytes:
    path = tmp / "tmp.hwpx"
    write_hwpx(path, text, **kwargs)
    data = path.read_bytes()
    path.unlink()
    return data


def pdf_bytes(tmp: Path, text: str) -> bytes:
    path = tmp / "tmp.pdf"
    write_pdf(path, text)
    data = path.read_bytes()
    path.unlink()
    return data
