"""Fixtures: a real store and index in tmp_path, the Flask test client and CLI runner."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

from app import create_app
from tests.pg import add_store_option, copy_sample, pg_cluster, pg_sample, store_kind  # noqa: F401  (fixtures: PostgreSQL, which store)

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT / "data" / "sample-batch"
CORPUS = PROJECT.parent / "shared" / "corpus"


def pytest_addoption(parser):
    add_store_option(parser)  # --store=postgresql runs any suite on PostgreSQL (tests/pg.py)


# The quick loop (`make test-fast`: pytest -m "not slow") runs each contract once, on SQLite and
# tantivy, the defaults; its PostgreSQL and Whoosh variants are `slow`, run by `make test` (and CI)
# like every other slow test. A change to the PostgreSQL store or to Whoosh: run the whole suite.
OTHER_VARIANTS = {"postgresql", "whoosh"}


def pytest_configure(config):
    # every account the suite makes in this process: scrypt at 1/32 of werkzeug's cost (3 ms, not
    # 0.1 s a hash and a login); child processes, as a real portal, hash at full cost
    # (tests/archive/test_accounts.py::test_the_product_hashes_with_werkzeugs_full_scrypt_cost)
    from archive import accounts

    accounts.HASH_METHOD = "scrypt:1024:8:1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        spec = getattr(item, "callspec", None)
        if spec and OTHER_VARIANTS & {v for v in spec.params.values() if isinstance(v, str)}:
            item.add_marker(pytest.mark.slow)
        elif {"pg_cluster", "pg_sample"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)  # a PostgreSQL cluster of its own (migrate-store, both stores)


class ClosingClient(FlaskClient):
    """A test client that reads every response whole and closes it, as a WSGI server does.

    Flask's client leaves a streamed response (a download) open until someone closes it; with
    warnings as errors, each open file would fail whichever test the garbage collector lands in.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


Flask.test_client_class = ClosingClient


class _SharedTemplates(BytecodeCache):
    """Compiled templates shared by every app the suite makes (each test makes its own app, and
    compiling the templates again cost each one about 0.2 s). Keyed by source checksum, as Jinja does."""

    compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if (code := self.compiled.get(bucket.key + bucket.checksum)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key + bucket.checksum] = bucket.bytecode_to_string()


@contextmanager
def serving(app):
    """The app on a real HTTP server on a free loopback port, for real clients; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def make_app(data_dir: Path, **config):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "SERVER_NAME": "localhost",
                      "SECRET_KEY": "test-only-key-" + "x" * 32, **config})
    app.jinja_env.bytecode_cache = _SharedTemplates()
    return app


@pytest.fixture
def app(tmp_path, request):
    """An app over an empty store (SQLite, or PostgreSQL in modules marked tests.pg.ON_BOTH_STORES)."""
    request.getfixturevalue("store_kind")
    return make_app(tmp_path / "store")


@pytest.fixture
def engine(request):
    """The search engine of whichever app fixture the test uses."""
    for name in ("clerk_app", "own_sample_app", "sample_app", "app"):
        if name in request.fixturenames:
            return request.getfixturevalue(name).extensions["search_engine"]
    raise LookupError("the engine fixture needs an app fixture")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory) -> Path:
    """A store holding the sample batch, ingested once through the real CLI."""
    data_dir = tmp_path_factory.mktemp("sample") / "store"
    result = make_app(data_dir).test_cli_runner().invoke(args=["ingest", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.fixture
def sample_app(sample_store, request, tmp_path_factory):
    """An app over the sample store; read-only use (tests that write copy it first). On PostgreSQL, a copy."""
    if request.getfixturevalue("store_kind") == "postgresql":
        data_dir = tmp_path_factory.mktemp("sample-copy") / "store"  # not tmp_path: tests look into theirs
        copy_sample(request, sample_store, data_dir)
        return make_app(data_dir)
    return make_app(sample_store)


@pytest.fixture
def sample_client(sample_app):
    return sample_app.test_client()


@pytest.fixture
def own_sample_app(sample_store, tmp_path, request):
    """An app over a private copy of the sample store, for tests that change it."""
    data_dir = tmp_path / "store"
    copy_sample(request, sample_store, data_dir)
    return make_app(data_dir)


CLERK, PASSWORD = "kim", "correct horse battery"


@pytest.fixture
def clerk_app(own_sample_app):
    """A private sample store with one clerk account, made through the real CLI."""
    result = own_sample_app.test_cli_runner().invoke(
        args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return own_sample_app


def csrf_token(client, path: str) -> str:
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    return match.group(1)


def log_in(client, name: str = CLERK, password: str = PASSWORD):
    token = csrf_token(client, "/clerk/login")
    return client.post("/clerk/login", data={"csrf_token": token, "name": name, "password": password})
