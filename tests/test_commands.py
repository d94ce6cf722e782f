"""`users create` and `disclose` through the real CLI: exit codes and messages of interface.md."""

from pathlib import Path

from archive.store import Store
from tests.conftest import CLERK

SEED = "D0000032552803"


def test_users_create_reads_password_from_stdin_and_refuses_duplicates(own_sample_app):
    runner = own_sample_app.test_cli_runner()
    args = ["users", "create", "lee", "--role", "admin", "--password-stdin"]
    assert runner.invoke(args=args, input="a long enough password\n").exit_code == 0
    again = runner.invoke(args=args, input="a long enough password\n")
    assert again.exit_code == 1 and "exists" in again.output
    prompted = runner.invoke(args=["users", "create", "park", "--role", "clerk"],
                             input="another long password\nanother long password\n")
    assert prompted.exit_code == 0 and "created clerk park" in prompted.output


def test_disclose_withhold_and_release(clerk_app):
    runner = clerk_app.test_cli_runner()
    result = runner.invoke(args=["disclose", SEED, "1", "--withhold", "--ground", "6", "--ground", "5",
                                 "--reason", "재검토", "--clerk", CLERK])
    assert result.exit_code == 0 and "public -> withheld on grounds [5, 6]" in result.output
    assert clerk_app.test_client().get(f"/records/{SEED}/attachments/1/original").status_code == 451
    result = runner.invoke(args=["disclose", SEED, "1", "--release", "--reason", "재검토 끝", "--clerk", CLERK])
    assert result.exit_code == 0
    trail = Store(Path(clerk_app.config["DATA_DIR"])).db.execute(
        "SELECT clerk, old_level, new_level, reason FROM audit ORDER BY id").fetchall()
    assert [tuple(r) for r in trail] == [(CLERK, "public", "withheld", "재검토"),
                                         (CLERK, "withheld", "public", "재검토 끝")]


def test_disclose_refusals_exit_1_and_change_nothing(clerk_app):
    runner = clerk_app.test_cli_runner()
    cases = [
        (["NOPE", "1", "--withhold", "--ground", "6", "--reason", "r", "--clerk", CLERK], "no such record"),
        ([SEED, "7", "--withhold", "--ground", "6", "--reason", "r", "--clerk", CLERK], "no attachment 7"),
        ([SEED, "1", "--withhold", "--ground", "6", "--reason", "r", "--clerk", "ghost"], "no such clerk"),
        ([SEED, "1", "--withhold", "--ground", "10", "--reason", "r", "--clerk", CLERK], "unknown ground"),
        ([SEED, "1", "--withhold", "--ground", "6", "--reason", " ", "--clerk", CLERK], "reason is required"),
        ([SEED, "2", "--release", "--reason", "r", "--clerk", CLERK], "personal data"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["disclose", *args])
        assert result.exit_code == 1 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert Store(Path(clerk_app.config["DATA_DIR"])).db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0
    usage = runner.invoke(args=["disclose", SEED, "1", "--reason", "r", "--clerk", CLERK])
    assert usage.exit_code == 2
