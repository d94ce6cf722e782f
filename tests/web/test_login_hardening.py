"""Logins under attack: settings that refuse to start, sessions that end, limits nobody can turn on a clerk."""

from __future__ import annotations

import pytest

from tests.conftest import make_app


def test_a_short_secret_key_stops_the_start(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        make_app(tmp_path / "a", SECRET_KEY="short-key")
    monkeypatch.setenv("ARCHIVE_SECRET_KEY", "k" * 31)
    from app import create_app

    with pytest.raises(RuntimeError, match="ARCHIVE_SECRET_KEY.*at least 32 characters"):
        create_app({"DATA_DIR": str(tmp_path / "b")})
    monkeypatch.setenv("ARCHIVE_SECRET_KEY", "k" * 32)
    assert create_app({"DATA_DIR": str(tmp_path / "c")}).config["SECRET_KEY"] == "k" * 32
