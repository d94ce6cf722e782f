"""The record page's citation, licence-conflict warning, JSON-LD, sharing cards, oEmbed and embed view."""

from __future__ import annotations

import html as htmllib
import json
import re

SEED = "D0000032552803"


def test_citation_in_the_json_and_on_the_page_with_copy_buttons(sample_client):
    data = sample_client.get(f"/api/records/{SEED}").get_json()
    cite = data["citation"]
    assert {"kogl", "text", "bibtex", "csl"} <= set(cite)
    assert cite["kogl"].startswith("본 저작물은 '서울특별시'에서 '2018년' 작성하여 공공누리 제4유형으로 개방한")
    assert f"http://localhost/records/{SEED}" in cite["kogl"] and "(작성자: 곽금영)" in cite["kogl"]
    assert cite["csl"]["title"] == data["title"] and cite["bibtex"].startswith(f"@misc{{yeollam-{SEED},")
    page = sample_client.get(f"/records/{SEED}").get_data(as_text=True)
    shown = htmllib.unescape(page)
    assert cite["kogl"] in shown and cite["text"] in shown and cite["text_en"] in shown
    assert page.count('class="copy" data-copy="cite-') == 5
    assert '<script src="/static/copy.js" defer></script>' in page and "onclick" not in page
    assert sample_client.get("/static/copy.js").status_code == 200


def test_the_seed_warns_that_kogl_4_governs(sample_client):
    data = sample_client.get(f"/api/records/{SEED}").get_json()
    assert [(c["term"], c["governs"]) for c in data["licence_conflicts"]] == [("commercial", ["KOGL-4"])]
    page = sample_client.get(f"/records/{SEED}").get_data(as_text=True)
    assert "이용조건 충돌" in page and "더 엄격한 조건(공공누리 제4유형)이 적용됩니다" in page
    plain = next(r for r in sample_client.get("/api/search?licence=KOGL-1").get_json()["results"])
    assert sample_client.get(f"/api/records/{plain['id']}").get_json()["licence_conflicts"] == []
    assert "이용조건 충돌" not in sample_client.get(f"/records/{plain['id']}").get_data(as_text=True)


def _json_ld(page: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(block)


def test_json_ld_describes_the_public_parts_only(sample_client):
    page = sample_client.get(f"/records/{SEED}").get_data(as_text=True)
    doc = _json_ld(page)
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "DigitalDocument"
    assert doc["name"].endswith("서울협치협의회 개최결과 보고") and doc["dateCreated"] == "2018-01-04"
    assert doc["publisher"] == {"@type": "GovernmentOrganization", "name": "서울특별시"}
    assert doc["license"] == ["https://www.kogl.or.kr/info/licenseType4.do",
                              "https://creativecommons.org/licenses/by-nd/3.0/"]
    assert SEED in doc["identifier"] and doc["isAccessibleForFree"] is True
    assert [p["name"] for p in doc["hasPart"]] == ["결재문서본문.hwpx"]  # the two withheld files are not parts
    assert doc["hasPart"][0]["contentUrl"].endswith(f"/records/{SEED}/attachments/1/original")
    for prop in ("og:title", "og:description", "og:url", "og:type"):
        assert f'<meta property="{prop}" content="' in page
    assert '<meta name="twitter:card" content="summary">' in page


def test_oembed_discovery_and_answer(sample_client):
    page = sample_client.get(f"/records/{SEED}").get_data(as_text=True)
    (href,) = re.findall(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', page)
    response = sample_client.get(htmllib.unescape(href))
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["version"] == "1.0" and data["type"] == "rich" and data["provider_name"]
    assert data["title"].endswith("개최결과 보고") and data["author_name"] == "서울특별시"
    assert f'src="http://localhost/records/{SEED}/embed"' in data["html"] and data["width"] <= 480
    assert sample_client.get("/oembed", query_string={"url": f"http://localhost/records/{SEED}",
                                                       "maxwidth": "300"}).get_json()["width"] == 300


def test_oembed_refuses_what_it_cannot_answer(sample_client):
    url = f"http://localhost/records/{SEED}"
    assert sample_client.get("/oembed", query_string={"url": url, "format": "xml"}).status_code == 501
    assert sample_client.get("/oembed", query_string={"url": f"http://evil.example/records/{SEED}"}).status_code == 404
    assert sample_client.get("/oembed", query_string={"url": "http://localhost/search?q=x"}).status_code == 404
    assert sample_client.get("/oembed", query_string={"url": "http://localhost/records/NOPE"}).status_code == 404
    assert sample_client.get("/oembed", query_string={"url": url + "x" * 3000}).status_code == 400
    assert sample_client.get("/oembed").status_code == 404


def test_only_the_embed_view_may_be_framed(sample_client):
    embed = sample_client.get(f"/records/{SEED}/embed")
    assert embed.status_code == 200
    csp = embed.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "'none'" not in csp.split("frame-ancestors")[1]
    assert "script-src 'self'" in csp and "X-Frame-Options" not in embed.headers
    body = embed.get_data(as_text=True)
    assert "개최결과 보고" in body and "결재문서본문" not in body  # metadata only, no files
    for path in (f"/records/{SEED}", f"/api/records/{SEED}", "/", "/oembed?url=x", f"/records/{SEED}/embedx"):
        response = sample_client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path
    assert sample_client.get("/records/NOPE/embed").status_code == 404


def test_oembed_of_a_url_python_cannot_split_is_a_404_not_a_500(sample_client):
    for url in ("http://[::::::::::]/records/D0000032552803", "http://[abc/records/x", "http://[]/"):
        response = sample_client.get("/oembed", query_string={"url": url})
        assert response.status_code == 404 and response.is_json, url
