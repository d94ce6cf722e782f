"""/api/openapi.json kept true: schemathesis calls the live server with what it allows and checks each answer."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.conftest import make_app, serving


@pytest.fixture(scope="module")
def live_api(tmp_path_factory, sample_store):
    data_dir = tmp_path_factory.mktemp("openapi") / "store"
    shutil.copytree(sample_store, data_dir, symlinks=True)
    app = make_app(data_dir, SERVER_NAME=None)
    with serving(app) as base:
        yield app, base


CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.mark.slow
def test_every_answer_matches_the_description(live_api):
    """Each operation of the live description, called with what it allows: no 5xx, answers as described.

    Schemathesis's own pytest plugin (`from_fixture`) fails under this pytest; the operations are
    driven with Hypothesis directly, as the plugin would.
    """
    schema = schemathesis.openapi.from_url(f"{live_api[1]}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4  # schemathesis leaves out the schema's own URL

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(checks=CHECKS)

        call()


def test_every_json_route_is_described(live_api):
    app, url = live_api
    import json
    from urllib.request import urlopen

    with urlopen(f"{url}/api/openapi.json") as response:
        described = set(json.load(response)["paths"])
    routes = {rule.rule.replace("<record_id>", "{record_id}").replace("<path:path>", "{path}")
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes <= described, routes - described


def test_oembed_errors_answer_json_as_described(sample_client):
    """An oEmbed consumer parses the error it gets; the description says it is the API's error JSON."""
    for url, code in [("/oembed?url=x", 404), ("/oembed?url=http://localhost/records/NONE", 404),
                      ("/oembed?url=http://localhost/records/D0000032552803&format=xml", 501)]:
        response = sample_client.get(url)
        assert response.status_code == code and response.is_json, url
        assert response.get_json()["error"]["code"] == code
