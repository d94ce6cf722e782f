"""A clerk's web upload as it runs now: stored, queued, then run as the worker runs it."""

from __future__ import annotations

from tests.conftest import csrf_token


def upload(client, app, data, name: str = "b.zip"):
    """POST a batch at /clerk/ingest (logged in), run the queued job (`flask worker --drain`), GET its page.

    `data` is bytes or an open file. Returns the job page's response.
    """
    import io

    token = csrf_token(client, "/clerk/ingest")
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    response = client.post("/clerk/ingest", content_type="multipart/form-data",
                           data={"csrf_token": token, "batch": (stream, name)})
    assert response.status_code == 303, response.get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["worker", "--drain"])
    assert result.exit_code == 0, result.output
    return client.get(response.headers["Location"])
