"""Search and home pages as a reader uses them; the API twin returns the same results."""


def test_home_shows_search_newest_and_agencies(sample_client):
    page = sample_client.get("/").get_data(as_text=True)
    assert 'role="search"' in page and "<label" in page
    assert "새로 공개된 기록" in page and "소규모주택정비사업 추진실적 제출 요청" in page
    assert "기관별" in page and "/search?agency=" in page


def test_search_highlights_and_api_agrees(sample_client):
    html = sample_client.get("/search?q=서울협치협의회").get_data(as_text=True)
    assert "<mark>서울협치협의회</mark>" in html
    assert "’17년도 제4차 <mark>서울협치협의회</mark> 개최결과 보고" in html  # the title whole, marked
    assert "1건" in html
    data = sample_client.get("/api/search?q=서울협치협의회").get_json()
    assert data["total"] == 1 and data["results"][0]["id"] == "D0000032552803"
    assert set(data["results"][0]) >= {"id", "title", "agency", "produced", "disclosure", "snippet", "url"}
    assert {"value": "서울특별시", "count": 1} in data["facets"]["agency"]


def test_facet_link_narrows_results(sample_client):
    data = sample_client.get("/api/search?q=&agency=환경부").get_json()
    assert [r["id"] for r in data["results"]] == ["ME-2022-WQ-07"]
    html = sample_client.get("/search?disclosure=withheld").get_data(as_text=True)
    assert "2건" in html


def test_paging(sample_client):
    html = sample_client.get("/search?q=&page=1").get_data(as_text=True)
    assert "15건" in html
    data = sample_client.get("/api/search?page=99").get_json()
    assert data["results"] == [] and data["total"] == 15


def test_markup_in_query_is_inert(sample_client):
    html = sample_client.get("/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in html
