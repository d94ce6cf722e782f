"""change_disclosure without HTTP: the rules, the audit, and the index losing withheld text."""

from pathlib import Path

import pytest

from archive.audit import Action
from archive.changes import Change, ChangeRefused, NeedsConfirmation, change_disclosure
from archive.disclosure import Disclosure
from archive.store import Store
from index.locking import index_lock
from index.service import behind, catch_up, write
from tests.conftest import CLERK
from tests.pg import ON_BOTH_STORES

pytestmark = ON_BOTH_STORES

SEED = "D0000032552803"


@pytest.fixture
def store(clerk_app):
    store = Store(Path(clerk_app.config["DATA_DIR"]))
    yield store
    store.close()


def apply(store, engine, change):
    return change_disclosure(store, change, lambda ids, purge: write(engine, store, ids, purge),
                             lambda: index_lock(store.data_dir))


@pytest.mark.parametrize("change, message", [
    (Change("NOPE", 1, True, "이유", CLERK, [6]), "no such record"),
    (Change(SEED, 9, True, "이유", CLERK, [6]), "no attachment 9"),
    (Change(SEED, 1, True, "이유", "nobody", [6]), "no such clerk"),
    (Change(SEED, 1, True, "이유", CLERK, [99]), "unknown ground"),
    (Change(SEED, 1, True, "이유", CLERK, []), "at least one ground"),
    (Change(SEED, 1, True, "   ", CLERK, [6]), "reason is required"),
    (Change(SEED, 1, False, "이유", CLERK), "public already"),
    (Change("GG-AUDIT-2020-031", 1, False, "이유", CLERK), "withheld as a whole"),
])
def test_refused_changes_change_nothing_and_log_nothing(store, engine, change, message):
    before = store.get(SEED)
    with pytest.raises(ChangeRefused, match=message):
        apply(store, engine, change)
    assert store.get(SEED) == before
    assert store.recent_audit() == []


def test_withhold_takes_the_text_out_of_the_index_and_audits(store, engine):
    assert {"버튼", "튼업", "동원", "원참"} <= engine.lexicon()  # words of the seed body only
    entry = apply(store, engine, Change(SEED, 1, True, "개인정보가 들어 있음", CLERK, [6]))
    assert (entry.old_level, entry.new_level, entry.grounds, entry.clerk) == (
        Disclosure.PUBLIC, Disclosure.WITHHELD, [6], CLERK)
    assert entry.action is Action.WITHHOLD
    record = store.get(SEED)
    assert record.level.value == "withheld" and record.public_attachments() == []
    # removed from the index, not filtered: the segment that held them was rewritten
    assert not {"버튼", "튼업", "동원", "원참"} & engine.lexicon()
    assert behind(engine, store) == [SEED]  # left out of searches until this node catches up
    catch_up(engine, store)  # which must not bring the text back
    assert behind(engine, store) == [] and not {"버튼", "튼업", "동원", "원참"} & engine.lexicon()


def test_release_of_personal_data_needs_confirmation(store, engine):
    with pytest.raises(NeedsConfirmation) as refused:
        apply(store, engine, Change(SEED, 2, False, "검토 끝", CLERK))
    assert ("mobile", "010-****-7741") in refused.value.findings
    assert store.get(SEED).attachment(2).disclosure.value == "withheld"
    entry = apply(store, engine, Change(SEED, 2, False, "당사자 동의 받음", CLERK, confirm_personal_data=True))
    assert entry.personal_data_confirmed and entry.new_level is Disclosure.PUBLIC and entry.action is Action.RELEASE
    assert "가람" in engine.lexicon()  # the released minutes are searchable now


def test_a_crash_after_marking_is_repaired_by_catch_up(store, engine):
    def crash(ids, purge):
        raise RuntimeError("power cut while writing the index")

    with pytest.raises(RuntimeError):
        change_disclosure(store, Change(SEED, 1, True, "이유", CLERK, [6]), crash)
    assert store.get(SEED).attachment(1).disclosure.value == "public"  # rolled back
    assert store.recent_audit() == []
    assert behind(engine, store) == [SEED]
    catch_up(engine, store)
    assert behind(engine, store) == [] and "튼업" in engine.lexicon()
