import pytest

from archive.validate import problems_of
from tests.builders import record


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "본문.txt").write_text("본문")
    (tmp_path / "비공개.txt").write_text("비밀")
    return tmp_path


def test_sound_record_has_no_problems(folder):
    assert problems_of(record(), folder) == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"title": ""}, "title:"),
        ({"produced": "2024-13-45"}, "produced:"),
        ({"id": "../etc"}, "id:"),
        ({"retention": "forever"}, "retention:"),
        ({"extra": 1}, "record:"),
        ({"licences": ["CC-XY-9.9"]}, "licences: unknown licence code"),
        ({"attachments": [{"file": "../본문.txt", "disclosure": "public"}]}, "unsafe file name"),
        ({"attachments": [{"file": "/etc/passwd", "disclosure": "public"}]}, "unsafe file name"),
        ({"attachments": [{"file": "없음.txt", "disclosure": "public"}]}, "is not a file"),
        ({"attachments": [{"file": "비공개.txt", "disclosure": "withheld"}]}, "attachments[1]: 'grounds'"),
        ({"attachments": [{"file": "비공개.txt", "disclosure": "withheld", "grounds": [12]}]}, "unknown ground"),
        ({"attachments": [{"file": "본문.txt", "disclosure": "public", "grounds": [6]}]}, "public attachment"),
        ({"disclosure": "partial"}, "declared 'partial' but the parts make it 'public'"),
        ({"withheld_grounds": [4], "disclosure": "public"}, "make it 'withheld'"),
    ],
)
def test_each_rule_names_field_and_reason(folder, changes, expected):
    problems = problems_of(record(**changes), folder)
    assert any(expected in p for p in problems), problems


def test_partial_record_with_matching_declaration(folder):
    data = record(
        attachments=[
            {"file": "본문.txt", "disclosure": "public"},
            {"file": "비공개.txt", "disclosure": "withheld", "grounds": [6]},
        ],
        disclosure="partial",
    )
    assert problems_of(data, folder) == []


def test_symlink_out_of_folder_is_refused(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("secret")
    (folder / "link.txt").symlink_to(outside)
    data = record(attachments=[{"file": "link.txt", "disclosure": "public"}])
    assert any("is not a file" in p for p in problems_of(data, folder))


# a file name shown on the page and sent in a download's headers: controls break the headers,
# bidirectional and other invisible formatting characters disguise the name ("a\u202etxt.exe"
# shows as "aexe.txt")
@pytest.mark.parametrize("name", [
    "a\r\n.txt", "a\n.txt", "a\r.txt", "a\t.txt", "a\x1b.txt", "a\x7f.txt", "a\x85.txt", "a\u2028.txt",
    "보고서\u202etxt.exe", "보고서\u202dtxt.exe", "\u202a보고서.txt", "\u2066보고서.txt", "\u2067exe.txt",
    "보고서\u2069.txt", "보고서\u200e.txt", "보고서\u200f.txt", "보고서\u061c.txt", "보고서\u200b.txt",
    "\ufeff보고서.txt", "보고서.txt\U000e0001",
])
def test_file_names_with_controls_or_invisible_formatting_are_refused(folder, name):
    (folder / name).write_text("x")
    code = next(f"U+{ord(c):04X}" for c in name if not c.isprintable())
    problems = problems_of(record(attachments=[{"file": name, "disclosure": "public"}]), folder)
    assert any(p.startswith("attachments[1].file:") and code in p for p in problems), problems


@pytest.mark.parametrize("title, code", [
    ("보고서\u202etxt.exe", "U+202E"), ("\u2067보고서", "U+2067"), ("보고서\u200f", "U+200F"),
    ("보고서\u061c", "U+061C"), ("보고서\n2부", "U+000A"), ("보고서\x00", "U+0000"),
])
def test_attachment_titles_with_bidirectional_controls_or_controls_are_refused(folder, title, code):
    data = record(attachments=[{"file": "본문.txt", "disclosure": "public", "title": title}])
    problems = problems_of(data, folder)
    assert any(p.startswith("attachments[1].title:") and code in p for p in problems), problems


# every metadata string: controls make the feed malformed XML; lone surrogates and
# noncharacters cannot be carried; tabs and line breaks only in long text (summary, note)
@pytest.mark.parametrize("changes, expected", [
    ({"title": "제목\x07"}, "title: U+0007"),
    ({"title": "제목\x0c"}, "title: U+000C"),
    ({"title": "제목\n둘째 줄"}, "title: U+000A"),
    ({"title": "제목\x85"}, "title: U+0085"),
    ({"title": "제목\x9f"}, "title: U+009F"),
    ({"title": "제목\ud800"}, "title: U+D800"),
    ({"title": "제목\uffff"}, "title: U+FFFF"),
    ({"title": "제목\ufffe"}, "title: U+FFFE"),
    ({"title": "제목\ufdd0"}, "title: U+FDD0"),
    ({"title": "제목\U0010ffff"}, "title: U+10FFFF"),
    ({"agency": "기관\x1b"}, "agency: U+001B"),
    ({"department": "부서\r"}, "department: U+000D"),
    ({"kind": "\x7f"}, "kind: U+007F"),
    ({"doc_number": "번호\u2028"}, "doc_number: U+2028"),
    ({"policy_number": "\x01"}, "policy_number: U+0001"),
    ({"author": {"name": "홍길동\x00"}}, "author.name: U+0000"),
    ({"author": {"name": "홍길동", "phone": "02\x0b"}}, "author.phone: U+000B"),
    ({"approval_chain": [{"position": "과장", "name": "김\x08"}]}, "approval_chain[1].name: U+0008"),
    ({"classification": ["일반", "행정\x1f"]}, "classification[2]: U+001F"),
    ({"summary": "요약\x00"}, "summary: U+0000"),
    ({"summary": "요약\x0c"}, "summary: U+000C"),
    ({"summary": "요약\udfff"}, "summary: U+DFFF"),
    ({"attachments": [{"file": "본문.txt", "disclosure": "public", "note": "메모\x1b"}]},
     "attachments[1].note: U+001B"),
])
def test_control_characters_in_metadata_are_refused_with_field_and_character(folder, changes, expected):
    problems = problems_of(record(**changes), folder)
    assert any(expected in p for p in problems), problems


def test_tabs_and_line_breaks_in_long_text_and_ordinary_unicode_are_accepted(folder):
    data = record(title="제목 — «인용» ① \u00a0 ㈜ \U0001f600", summary="요약\n\n\t목록\r\n둘째\u2028",
                  attachments=[{"file": "본문.txt", "disclosure": "public", "title": "첨부 (2부)",
                                "note": "메모\n둘째 줄"}])
    assert problems_of(data, folder) == []
