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
    assert "16건" in html
    data = sample_client.get("/api/search?page=99").get_json()
    assert data["results"] == [] and data["total"] == 16


def test_markup_in_query_is_inert(sample_client):
    html = sample_client.get("/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_histogram_by_year_and_help_page(sample_client):
    html = sample_client.get("/search?q=").get_data(as_text=True)
    assert '<svg role="img"' in html and "연도별 결과 수" in html and "2018 2건" in html
    data = sample_client.get("/api/search?q=").get_json()
    assert {"year": "2018", "count": 2} in data["histogram"]
    help_page = sample_client.get("/search/help").get_data(as_text=True)
    for syntax in ['"시민 참여 예산"', "협치 -위원회", "OR", "agency:", "ground:6", "year:2018", "미세먼지를",
                   "1만1천원", "부산시"]:
        assert syntax in help_page


def test_refused_query_answers_400_with_a_message(sample_client):
    long_query = "협치 " * 200
    html = sample_client.get("/search", query_string={"q": long_query})
    assert html.status_code == 400 and "너무 깁니다" in html.get_data(as_text=True)
    api = sample_client.get("/api/search", query_string={"q": long_query})
    assert api.status_code == 400 and "너무 깁니다" in api.get_json()["error"]["message"]  # the reader's language


def test_hit_links_to_the_matching_attachment_text(sample_client):
    hit = sample_client.get("/api/search?q=측정소별").get_json()["results"][0]
    assert hit["matched_attachment"]["url"].endswith("/records/D0000035120417/attachments/2/text")
    html = sample_client.get("/search?q=측정소별").get_data(as_text=True)
    assert "찾은 곳" in html and "측정소별 농도 현황.pdf" in html
