from archive.disclosure import GROUNDS, Disclosure, derive_level, level_label
from archive.licences import licence
from archive.records import Attachment, Record, public_view

P, W = Disclosure.PUBLIC, Disclosure.WITHHELD


def test_level_follows_parts():
    assert derive_level([P, P], False) is P
    assert derive_level([], False) is P
    assert derive_level([P, W], False) is Disclosure.PARTIAL
    assert derive_level([P, P], True) is W
    # no public part left but metadata: fail closed
    assert derive_level([W], False) is W


def test_label_as_the_seed_shows_it():
    assert level_label(Disclosure.PARTIAL, [6]) == "부분공개(6)"
    assert level_label(Disclosure.WITHHELD, [6, 5, 6]) == "비공개(5,6)"
    assert level_label(P, []) == "공개"


def test_grounds_table_is_article_9():
    assert sorted(GROUNDS) == list(range(1, 9))
    assert GROUNDS[6].label_ko.startswith("개인정보")


def test_licence_codes():
    kogl = licence("KOGL-4")
    assert kogl.name == "공공누리 제4유형"
    assert "상업적 이용금지" in kogl.conditions_ko and "변경금지" in kogl.conditions_ko
    assert licence("CC-BY-ND-3.0").url == "https://creativecommons.org/licenses/by-nd/3.0/"
    assert licence("CC0-1.0") is not None
    assert licence("CC-XY-9.9") is None and licence("KOGL-5") is None


def _att(n, level, grounds=()):
    return Attachment(n=n, name=f"f{n}.txt", disclosure=level, grounds=list(grounds),
                      sha256="a" * 64, size=10, media_type="text/plain")


def test_public_view_drops_withheld_parts():
    rec = Record(id="R", title="t", agency="a", produced="2020-01-01", summary="요약",
                 attachments=[_att(1, P), _att(2, W, [6])])
    view = public_view(rec)
    assert view["disclosure"] == {"level": "partial", "label": "부분공개(6)", "grounds": [6],
                                  "grounds_info": view["disclosure"]["grounds_info"]}
    public, withheld = view["attachments"]
    assert public["sha256"] and public["size"] == 10
    assert set(withheld) == {"n", "name", "title", "disclosure", "grounds", "grounds_info"}
    assert view["summary"] == "요약"


def test_whole_record_withheld_hides_summary_and_every_file():
    rec = Record(id="R", title="t", agency="a", produced="2020-01-01", summary="비밀 요약",
                 withheld_grounds=[4], attachments=[_att(1, P)])
    view = public_view(rec)
    assert view["summary"] is None
    assert view["disclosure"]["label"] == "비공개(4)"
    assert view["attachments"][0]["disclosure"] == "withheld"
    assert "sha256" not in view["attachments"][0]
    assert rec.public_attachments() == []
