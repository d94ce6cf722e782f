"""OAI-PMH at /oai: harvested by a real harvester (oaipmh-scythe) from a live server, a few hundred records."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest
from oaipmh_scythe import (
    BadArgument,
    BadResumptionToken,
    CannotDisseminateFormat,
    HTTPConfig,
    IdDoesNotExist,
    NoRecordsMatch,
    Scythe,
)
from oaipmh_scythe.iterator import OAIResponseIterator

from tests.builders import batch, hwpx_bytes, record
from tests.conftest import make_app, serving
from web.oai_args import Harvest, encode_name, make_token

OAI = "{http://www.openarchives.org/OAI/2.0/}"
FIRST, LATER = 250, 60
AGENCIES = ["가람시", "나래군", "다온구"]
CANARIES = ["CANARYOAI7001", "카나리아수확문구", "카나리아수확요약"]


def _generated(prefix: str, count: int, start: int = 0):
    return [(record(id=f"{prefix}-{i:04d}", title=f"수확 기록 {i}", agency=AGENCIES[i % 3],
                    classification=[["행정", "일반"], ["환경", "대기"]][i % 2],
                    produced=f"{2010 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}", summary=f"공개 요약 {i}"),
             {"본문.txt": f"수확 본문 {prefix} {i}"}) for i in range(start, start + count)]


def _canaries(tmp):
    return [
        (record(id="K-PARTIAL", title="부분 공개 수확", disclosure="partial", summary="부분 공개의 공개 요약",
                attachments=[{"file": "공개.txt", "disclosure": "public"},
                             {"file": "비공개.hwpx", "disclosure": "withheld", "grounds": [6]}]),
         {"공개.txt": "공개된 본문", "비공개.hwpx": hwpx_bytes(tmp, "CANARYOAI7001 카나리아수확문구")}),
        (record(id="K-WHOLE", title="전부 비공개 수확", disclosure="withheld", withheld_grounds=[4],
                summary="카나리아수확요약 이 요약은 비공개",
                attachments=[{"file": "본문.txt", "disclosure": "public"}]),
         {"본문.txt": "CANARYOAI7001 비공개 기록 본문"}),
    ]


def _ingest(app, root):
    result = app.test_cli_runner().invoke(args=["ingest", str(root)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def harvested(tmp_path_factory):
    """A store of 312 records in two ingests a second apart, served by a live server."""
    tmp = tmp_path_factory.mktemp("oai")
    app = make_app(tmp / "store", SERVER_NAME=None)  # URLs name the host the harvester asked
    _ingest(app, batch(tmp / "first", *_generated("H", FIRST), *_canaries(tmp)))
    time.sleep(1.05)  # datestamps have second granularity: the second ingest is later
    _ingest(app, batch(tmp / "later", *_generated("L", LATER)))
    with serving(app) as base:
        yield app, f"{base}/oai"


def test_identify(harvested):
    _, url = harvested
    with Scythe(url) as scythe:
        info = scythe.identify()
    assert info.protocolVersion == "2.0" and info.baseURL == url
    assert info.deletedRecord == "persistent" and info.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert info.earliestDatestamp.endswith("Z")


def test_a_full_harvest_pages_through_every_record(harvested):
    _, url = harvested
    with Scythe(url) as scythe:
        records = list(scythe.list_records(metadata_prefix="oai_dc"))
    ids = [r.header.identifier for r in records]
    assert len(ids) == FIRST + LATER + 2 == len(set(ids))  # 4 pages of 100, none twice
    datestamps = [r.header.datestamp for r in records]
    assert datestamps == sorted(datestamps)
    one = next(r for r in records if r.header.identifier.endswith(":H-0004"))
    assert one.metadata["title"] == ["수확 기록 4"]
    assert one.metadata["creator"] == ["다온구" if 4 % 3 == 2 else AGENCIES[4 % 3], "기록관리과"]
    assert one.metadata["description"] == ["공개 요약 4"] and one.metadata["type"] == ["결재문서"]
    assert "http://127.0.0.1" in one.metadata["identifier"][0] and "H-0004" in one.metadata["identifier"]
    assert one.metadata["rights"][0] == "공공누리 제1유형" and one.metadata["rights"][1].startswith("https://")
    assert one.metadata["subject"] == ["행정 > 일반"] and one.metadata["date"] == ["2014-05-05"]
    assert f"agency:{encode_name(AGENCIES[1])}" in one.header.setSpecs


def test_identifiers_page_with_tokens_over_post(harvested):
    _, url = harvested
    with Scythe(url, http_config=HTTPConfig(http_method="POST")) as scythe:
        responses = list(scythe.list_identifiers(metadata_prefix="oai_dc"))
    assert len(responses) == FIRST + LATER + 2
    with Scythe(url) as scythe:
        first = scythe.harvest({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    token = first.xml.find(f".//{OAI}resumptionToken")
    assert token.get("completeListSize") == str(FIRST + LATER + 2) and token.get("cursor") == "0"
    assert token.get("expirationDate").endswith("Z") and len(first.xml.findall(f".//{OAI}header")) == 100


def test_sets_select(harvested):
    _, url = harvested
    with Scythe(url) as scythe:
        sets = {s.setSpec: s.setName for s in scythe.list_sets()}
        agency = [h.identifier for h in scythe.list_identifiers(set_=f"agency:{encode_name('나래군')}")]
        environment = [h.identifier for h in scythe.list_identifiers(set_=f"class:{encode_name('환경')}")]
        with pytest.raises(NoRecordsMatch):
            list(scythe.list_identifiers(set_=f"agency:{encode_name('없는기관')}"))
    assert sets[f"agency:{encode_name('가람시')}"] == "가람시" and sets[f"class:{encode_name('행정')}"] == "행정"
    assert len(agency) == len([i for i in range(FIRST) if i % 3 == 1]) + len([i for i in range(LATER) if i % 3 == 1])
    assert len(environment) == FIRST // 2 + LATER // 2
    assert all(i.rsplit("-", 1)[1].isdigit() and int(i.rsplit("-", 1)[1]) % 2 == 1 for i in environment)


def test_from_and_until_select_by_the_last_public_change(harvested):
    _, url = harvested
    with Scythe(url) as scythe:
        stamps = sorted({h.datestamp for h in scythe.list_identifiers()})
        later = list(scythe.list_identifiers(from_=stamps[-1]))
        # the first ingest's last stamp: its canary records (K-) are stored after H-0249, maybe a second on
        latest_first = max(h.datestamp for h in scythe.list_identifiers() if ":L-" not in h.identifier)
        first = list(scythe.list_identifiers(until=latest_first))
        with pytest.raises(NoRecordsMatch):
            list(scythe.list_identifiers(from_="2999-01-01"))
    assert {h.identifier.rsplit(":", 1)[1][:2] for h in later} == {"L-"} and len(later) >= 1
    assert all(":L-" not in h.identifier for h in first) and len(first) == FIRST + 2


def test_no_withheld_content_in_a_harvest(harvested):
    _, url = harvested
    with Scythe(url) as scythe:
        whole = scythe.get_record(identifier="oai:127.0.0.1:K-WHOLE")
        partial = scythe.get_record(identifier="oai:127.0.0.1:K-PARTIAL")
    with Scythe(url, iterator=OAIResponseIterator) as pager:  # whole pages: every byte the harvest read
        pages = [page.raw for page in pager.list_records()]
    assert len(pages) == 4
    shown = "".join(pages) + whole.raw + partial.raw
    for canary in CANARIES:
        assert canary not in shown
    assert "description" not in whole.metadata  # the summary of a record withheld whole is withheld
    assert whole.metadata["title"] == ["전부 비공개 수확"]
    assert partial.metadata["description"] == ["부분 공개의 공개 요약"]


def test_protocol_errors(harvested):
    _, url = harvested
    with Scythe(url) as scythe:
        with pytest.raises(CannotDisseminateFormat):
            list(scythe.list_records(metadata_prefix="marc21"))
        with pytest.raises(IdDoesNotExist):
            scythe.get_record(identifier="oai:127.0.0.1:NO-SUCH")
        with pytest.raises(BadArgument):
            list(scythe.list_records(from_="2020-01-01", until="2020-01-01T00:00:00Z"))
        with pytest.raises(BadArgument):
            list(scythe.list_records(from_="2021-01-01", until="2020-01-01"))
        with pytest.raises(BadArgument):
            list(scythe.list_records(set_="nosuch:abc"))
    app, _ = harvested
    client = app.test_client()
    for query, code in [("", "badVerb"), ("verb=Nope", "badVerb"), ("verb=Identify&verb=Identify", "badVerb"),
                        ("verb=Identify&extra=1", "badArgument"), ("verb=ListRecords", "badArgument"),
                        ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
                        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-13-45", "badArgument"),
                        ("verb=ListRecords&metadataPrefix=oai_dc&from=1&from=2", "badArgument"),
                        ("verb=ListIdentifiers&resumptionToken=x&metadataPrefix=oai_dc", "badArgument"),
                        ("verb=ListMetadataFormats&identifier=oai:x:NO-SUCH", "idDoesNotExist"),
                        ("verb=ListSets&resumptionToken=x", "badResumptionToken")]:
        response = client.get(f"/oai?{query}")
        assert response.status_code == 200
        root = ET.fromstring(response.data)
        assert root.find(f"{OAI}error").get("code") == code, query
        if code in ("badVerb", "badArgument"):
            assert root.find(f"{OAI}request").attrib == {}


def test_forged_tokens_are_bad_resumption_tokens(harvested, monkeypatch):
    app, url = harvested
    with Scythe(url) as scythe:
        first = scythe.harvest({"verb": "ListRecords", "metadataPrefix": "oai_dc"})
        token = first.xml.find(f".//{OAI}resumptionToken").text
        forged = [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "garbage", "x" * 10_000,
                  make_token("another repository's key " * 2, Harvest("oai_dc", after=("9", "9"), total=1)),
                  token.split(".")[0] + ".." + token.split(".")[-1]]
        for bad in forged:
            with pytest.raises(BadResumptionToken):
                list(scythe.list_records(resumption_token=bad))
        assert len(list(scythe.list_records(resumption_token=token))) == FIRST + LATER + 2 - 100
    monkeypatch.setattr("web.oai_args.TOKEN_SECONDS", -1)  # every token has expired
    body = app.test_client().get(f"/oai?verb=ListRecords&resumptionToken={token}").get_data(as_text=True)
    assert 'code="badResumptionToken"' in body


def test_a_withdrawn_record_is_a_deleted_header_only(harvested, monkeypatch):
    app, _ = harvested
    monkeypatch.setattr("web.oai._withdrawn", lambda r: r.id == "K-PARTIAL")
    client = app.test_client()
    body = client.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:K-PARTIAL").data
    header = ET.fromstring(body).find(f".//{OAI}header")
    assert header.get("status") == "deleted" and ET.fromstring(body).find(f".//{OAI}metadata") is None
    assert "부분 공개 수확".encode() not in body


def test_a_clerks_withhold_is_a_new_datestamp(clerk_app):
    client = clerk_app.test_client()

    def stamp(rid):
        body = client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:{rid}").data
        return ET.fromstring(body).find(f".//{OAI}datestamp").text

    rid = "D0000032552803"
    before = stamp(rid)
    time.sleep(1.05)
    result = clerk_app.test_cli_runner().invoke(args=["disclose", rid, "1", "--withhold", "--ground", "6",
                                                     "--reason", "시험", "--clerk", "kim"])
    assert result.exit_code == 0, result.output
    after = stamp(rid)
    assert after > before
    listed = client.get(f"/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&from={after}").data
    ids = [e.text for e in ET.fromstring(listed).iter(f"{OAI}identifier")]
    assert f"oai:localhost:{rid}" in ids and len(ids) < 15


def test_a_huge_forged_token_is_refused_without_being_echoed(harvested):
    """A 200 KB token answers badResumptionToken in a small reply: the request element drops it."""
    app, url = harvested
    client = app.test_client()
    for response in (client.get("/oai", query_string={"verb": "ListRecords", "resumptionToken": "A" * 200_000}),
                     client.post("/oai", data={"verb": "ListRecords", "resumptionToken": "A" * 200_000})):
        body = response.get_data(as_text=True)
        assert 'code="badResumptionToken"' in body and len(body) < 2_000
