"""The contract suite: every test here that takes `engine_name` runs once per engine."""

from __future__ import annotations

import pytest

from archive.store import Store
from index import service
from index.engine import ENGINES, SearchRequest
from tests.conftest import make_app


@pytest.fixture(params=ENGINES, scope="session")
def engine_name(request) -> str:
    return request.param


class Searcher:
    """Search one app's store and engine through index.service, as the web does (no HTTP)."""

    def __init__(self, app):
        self.app = app
        self.engine = app.extensions["search_engine"]

    def __call__(self, req: SearchRequest) -> dict:
        store = Store(self.app.config["DATA_DIR"])
        try:
            return service.search(self.engine, store, req)
        finally:
            store.close()

    def ids(self, q: str = "", **kwargs) -> list[str]:
        return [hit["id"] for hit in self(SearchRequest(q=q, **kwargs))["results"]]


def ingested(data_dir, engine_name: str, *paths) -> Searcher:
    app = make_app(data_dir, SEARCH_ENGINE=engine_name)
    result = app.test_cli_runner().invoke(args=["ingest", *map(str, paths)])
    assert result.exit_code in (0, 1), result.output
    return Searcher(app)


@pytest.fixture(scope="session")
def sample_searcher(engine_name, sample_store, tmp_path_factory) -> Searcher:
    """The sample batch (ingested once through the real CLI) indexed by this engine at its first start."""
    import shutil

    data_dir = tmp_path_factory.mktemp(f"sample-{engine_name}") / "store"
    shutil.copytree(sample_store, data_dir, symlinks=True)
    return Searcher(make_app(data_dir, SEARCH_ENGINE=engine_name))


@pytest.fixture
def engine_app(engine_name, sample_store, tmp_path):
    """A private copy of the sample store served by this engine (its first start builds the index)."""
    import shutil

    data_dir = tmp_path / "store"
    shutil.copytree(sample_store, data_dir, symlinks=True)
    return make_app(data_dir, SEARCH_ENGINE=engine_name)
