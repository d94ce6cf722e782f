"""Queries that would expand beyond the caps answer 400 with a message, on the page and the API."""

import pytest

# the page and the API say it in the reader's language: Korean here (English: test_i18n_refusals.py)
REFUSED = {
    "[0 TO 힣] " * 13: "범위 검색은 year:[2017 TO 2019]만 됩니다",
    "body:[가 TO 힣]": "범위 검색은 year:[2017 TO 2019]만 됩니다",
    "produced:[2000-01-01 TO 2030-01-01]": "날짜는 기간(from, to)으로 고르세요",
    "[TO]": "범위 검색은 year:[2017 TO 2019]만 됩니다",
    '"서울 협치"~1000': "근접 검색",
    " ".join("가나다라마" + chr(0xAC00 + i) for i in range(42)): "낱말이나 글자 수를 줄여 주세요",
}


@pytest.mark.parametrize("q", list(REFUSED))
def test_expanding_syntax_is_refused_with_a_message(sample_client, q):
    korean = REFUSED[q]
    page = sample_client.get("/search", query_string={"q": q})
    assert page.status_code == 400 and korean in page.get_data(as_text=True)
    api = sample_client.get("/api/search", query_string={"q": q})
    assert api.status_code == 400 and korean in api.get_json()["error"]["message"]
    # the result cache is not a way round: one more word in front, another sort
    again = sample_client.get("/api/search", query_string={"q": "협 " + q, "sort": "newest"})
    assert again.status_code == 400


def test_the_documented_year_range_still_answers(sample_client):
    data = sample_client.get("/api/search", query_string={"q": "year:[2017 TO 2019]"}).get_json()
    assert {r["id"] for r in data["results"]} >= {"D0000032552803", "D0000033810044"}


@pytest.mark.parametrize("q", ["협치*", "협?치", "협치~2", "협치^9", "/협.*/", "*:*"])
def test_wildcards_fuzzy_boosts_and_regexes_are_plain_text(sample_client, q):
    assert sample_client.get("/api/search", query_string={"q": q}).status_code == 200
