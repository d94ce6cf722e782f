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
