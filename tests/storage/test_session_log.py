"""The live session log: a log reopened after a killed writer goes on with whole lines only."""

from __future__ import annotations

from pathlib import Path

from coach.storage.session_log import TAIL_CHUNK, SessionLog, drop_torn_tail, read_session_log
from tests.session_builders import good_rotate


def test_a_line_appended_after_a_torn_one_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    rep = good_rotate().reps[0]
    with SessionLog(path) as log:
        log.rep(rep, set_number=1)
    whole = path.read_text()
    path.write_text(whole + whole[: len(whole) // 2])  # a writer killed in the middle of its line

    with SessionLog(path) as log:
        log.rep(rep, set_number=1)

    assert [e["number"] for e in read_session_log(path)] == [1, 1]
    assert path.read_text().count("\n") == 2


def test_dropping_a_torn_tail_keeps_every_whole_line(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    whole = "".join(f'{{"n":{i}}}\n' for i in range(2000))  # longer than one chunk read from the end
    for torn, expected in [("", whole), ('{"n":', whole), ("x" * (3 * TAIL_CHUNK), whole)]:
        path.write_text(whole + torn)
        drop_torn_tail(path)
        assert path.read_text() == expected
    path.write_text("no newline at all")
    drop_torn_tail(path)
    assert path.read_text() == ""
