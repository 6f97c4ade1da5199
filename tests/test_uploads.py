"""The one upload path: tickets, chunks on disk, limits, and the app control that checks the page's report."""

from __future__ import annotations

import os
import stat
import time
from collections import namedtuple
from pathlib import Path

import pytest

from heavylegs_core.base.errors import UserError
from heavylegs_core.io import uploads
from heavylegs_core.views import upload_widget
from heavylegs_core.views.widgets import ErrorBox
from tests.upload_client import done_status
from tests.upload_client import send as _send


def send(folder: Path, index: int, name: str, data: bytes, chunk: int = 4) -> dict:
    return _send(folder, index, name, data, chunk)


@pytest.fixture
def root(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(tmp_path / "data"))
    return uploads.uploads_root()


def test_safe_filename_keeps_only_a_plain_name():
    assert uploads.safe_filename("../../etc/passwd") == "passwd"
    assert uploads.safe_filename("C:\\Users\\a\\run.fit") == "run.fit"
    assert uploads.safe_filename("<x>.csv") == "_x_.csv"
    assert uploads.safe_filename("...") == "upload"
    long = uploads.safe_filename("a" * 300 + ".fit.gz")
    assert len(long) == uploads.MAX_NAME_CHARS and long.endswith(".gz")


def test_a_ticket_is_a_private_folder_under_the_user_data_folder(root):
    t = uploads.open_ticket()
    assert t.folder.parent == root and root.parent == Path(os.environ["HEAVYLEGS_DATA_DIR"]).resolve()
    assert stat.S_IMODE(t.folder.stat().st_mode) == 0o700
    assert uploads.ticket_folder(t.token) == t.folder
    uploads.close_ticket(t)
    with pytest.raises(uploads.UploadRefused) as e:
        uploads.ticket_folder(t.token)
    assert e.value.status == 404 and "cancelled or its page was closed" in e.value.message


@pytest.mark.parametrize("token", ["", "..", "../../etc", "a" * 42, "a" * 44, "a/" * 21 + "a", None])
def test_only_well_formed_tokens_of_open_tickets_are_accepted(root, token):
    with pytest.raises(uploads.UploadRefused) as e:
        uploads.ticket_folder(token)
    assert e.value.status == 404


def test_a_symlinked_ticket_is_refused(root, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    token = "A" * 43
    (root / token).symlink_to(target)
    with pytest.raises(uploads.UploadRefused):
        uploads.ticket_folder(token)


def test_chunks_build_the_file_and_only_a_whole_file_is_listed(root):
    t = uploads.open_ticket()
    data = b"date,duration_min\n2026-01-01,45\n"
    state = uploads.status(t.folder, "0", "week.csv", str(len(data)))
    assert state == {"name": "week.csv", "received": 0, "complete": False}
    w = uploads.ChunkWriter(t.folder, index="0", name="week.csv", offset="0", total=str(len(data)), length=10)
    w.write(data[:10])
    assert w.finish() == {"name": "week.csv", "received": 10, "complete": False}
    assert uploads.received(t.folder) == []  # half a file is not offered to the importers
    assert send(t.folder, 0, "week.csv", data)["complete"] is True
    got = uploads.received(t.folder)
    assert [(r.index, r.name, r.size) for r in got] == [(0, "week.csv", len(data))]
    assert got[0].path.read_bytes() == data


def test_a_chunk_at_the_wrong_offset_says_what_the_server_holds(root):
    t = uploads.open_ticket()
    send(t.folder, 0, "a.csv", b"0123456789", chunk=4)  # whole
    with pytest.raises(uploads.UploadRefused) as e:
        uploads.ChunkWriter(t.folder, index="0", name="a.csv", offset="0", total="10", length=4)
    assert e.value.status == 409 and e.value.received == 10
    w = uploads.ChunkWriter(t.folder, index="1", name="b.csv", offset="0", total="10", length=4)
    w.write(b"0123")
    w.finish()
    with pytest.raises(uploads.UploadRefused) as e:
        uploads.ChunkWriter(t.folder, index="1", name="b.csv", offset="0", total="10", length=4)
    assert e.value.status == 409 and e.value.received == 4


def test_an_interrupted_chunk_keeps_what_arrived_and_the_page_goes_on_from_there(root):
    t = uploads.open_ticket()
    w = uploads.ChunkWriter(t.folder, index="0", name="a.csv", offset="0", total="8", length=8)
    w.write(b"abc")
    w.abort()  # the connection closed
    assert uploads.status(t.folder, "0", "a.csv", "8")["received"] == 3
    w = uploads.ChunkWriter(t.folder, index="0", name="a.csv", offset="3", total="8", length=5)
    w.write(b"defgh")
    assert w.finish()["complete"] is True
    assert uploads.received(t.folder)[0].path.read_bytes() == b"abcdefgh"


def test_a_body_longer_or_shorter_than_announced_is_refused(root):
    t = uploads.open_ticket()
    w = uploads.ChunkWriter(t.folder, index="0", name="a.csv", offset="0", total="8", length=4)
    with pytest.raises(uploads.UploadRefused):
        w.write(b"12345")
    w = uploads.ChunkWriter(t.folder, index="1", name="b.csv", offset="0", total="8", length=4)
    w.write(b"12")
    with pytest.raises(uploads.UploadRefused) as e:
        w.finish()
    assert "2 of 4 bytes arrived" in e.value.message
    with pytest.raises(uploads.UploadRefused):  # past the announced size
        uploads.ChunkWriter(t.folder, index="2", name="c.csv", offset="0", total="3", length=4)


def test_refusals_say_why(root, monkeypatch):
    t = uploads.open_ticket()
    with pytest.raises(uploads.UploadRefused) as e:
        uploads.status(t.folder, "0", "setup.exe", "10")
    assert e.value.status == 415 and "not a file type the workbook reads" in e.value.message
    with pytest.raises(uploads.UploadRefused) as e:
        uploads.status(t.folder, "0", "a.csv", "0")
    assert e.value.status == 400
    with pytest.raises(uploads.UploadRefused) as e:
        uploads.status(t.folder, "x", "a.csv", "10")
    assert e.value.status == 400
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 12)
    send(t.folder, 0, "a.csv", b"x" * 8)
    with pytest.raises(uploads.UploadRefused) as e:
        uploads.status(t.folder, "1", "b.csv", "8")
    assert e.value.status == 413 and "add up to more than 12 bytes" in e.value.message
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(uploads.shutil, "disk_usage", lambda _: usage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(uploads.UploadRefused) as e:
        uploads.status(t.folder, "1", "b.csv", "2")
    assert e.value.status == 507 and "free disk space" in e.value.message


def test_the_limit_is_sized_for_real_exports():
    assert uploads.MAX_UPLOAD_BYTES >= 4 * 10**9
    assert uploads.MAX_CHUNK_BYTES < 100 * 2**20  # under tornado's default body limit


def test_stale_tickets_are_swept_and_fresh_ones_kept(root):
    old, new = uploads.open_ticket(), uploads.open_ticket()
    past = time.time() - uploads.STALE_TICKET_S - 60
    os.utime(old.folder, (past, past))
    uploads.open_ticket()
    assert not old.folder.exists() and new.folder.exists()


def test_shown_where_names_the_uploaded_file_not_its_private_path():
    names = {"/data/uploads/tok/0000-run.zip": "run.zip"}
    assert uploads.shown_where("/data/uploads/tok/0000-run.zip/activities/1.gpx", names) == \
        "run.zip/activities/1.gpx"
    assert uploads.shown_where("/somewhere/private/x.csv", names) == "x.csv"
    assert uploads.shown_where(None, names) is None


# ----------------------------------------------------------------- the app control


def test_a_finished_upload_hands_the_files_over_then_deletes_them(root):
    seen = []
    box = ErrorBox()
    area = upload_widget.UploadArea("Upload", lambda files: seen.append([(f.name, f.path.read_bytes()) for f in files]),
                                    errors=box)
    first = area.ticket
    send(first.folder, 0, "a run.csv", b"date,duration_min\n")
    area.widget.status = done_status([(0, "a run.csv", 18)])
    assert seen == [[("a run.csv", b"date,duration_min\n")]]
    assert box.value == ""
    assert not first.folder.exists()  # the files are gone with the ticket
    assert area.ticket.token != first.token and area.widget.token == area.ticket.token


def test_a_report_that_does_not_match_the_disk_is_refused_in_the_error_box(root):
    seen = []
    box = ErrorBox()
    area = upload_widget.UploadArea("Upload", seen.append, errors=box)
    send(area.ticket.folder, 0, "a.csv", b"abc")
    area.widget.status = done_status([(0, "a.csv", 99)])  # a page script lying about the size
    assert seen == [] and "did not arrive whole" in box.value
    area.widget.status = done_status([(0, "b.csv", 3)])  # nothing on disk for the new ticket
    assert seen == [] and "did not arrive whole" in box.value


def test_cancel_leaves_nothing_and_a_refusal_is_shown_escaped(root):
    seen = []
    box = ErrorBox()
    area = upload_widget.UploadArea("Upload", seen.append, errors=box)
    t = area.ticket
    send(t.folder, 0, "a.csv", b"abc")
    area.widget.status = {"state": "cancelled", "files_total": 1, "files_done": 1, "bytes_total": 3,
                          "bytes_done": 3}
    assert not t.folder.exists() and seen == [] and box.value == ""
    area.widget.status = {"state": "refused", "files_total": 1, "files_done": 0, "bytes_total": 9,
                          "bytes_done": 0, "message": "<img src=x onerror=alert(1)> too big"}
    assert "&lt;img" in box.value and "<img" not in box.value


@pytest.mark.parametrize(("status", "message"), [
    ({"state": "finished"}, "upload status that is not valid"),
    ({"state": "done", "files": "all"}, "upload status that is not valid"),
    ({"state": "done", "files_total": -1}, "upload status that is not valid"),
    ({"state": "done", "files": [{"index": 0, "size": 1}]}, "upload status that is not valid"),
    ({"state": "done", "files": [{"index": True, "name": "a.csv", "size": 1}]}, "upload status that is not valid"),
    ({"state": "done", "files": []}, "0 of 0 files arrived"),
])
def test_a_malformed_status_from_the_page_is_an_error_not_a_crash(root, status, message):
    seen = []
    box = ErrorBox()
    area = upload_widget.UploadArea("Upload", seen.append, errors=box)
    area.widget.status = status
    assert message in box.value and seen == []


def test_checked_status_cuts_the_message():
    st = upload_widget.checked_status({"state": "error", "message": "x" * 10_000})
    assert len(st["message"]) == upload_widget.MAX_MESSAGE_CHARS
    with pytest.raises(UserError):
        upload_widget.checked_status([])


def test_the_page_may_change_only_the_status(root):
    from heavylegs_core.views.guard import editable_keys

    area = upload_widget.UploadArea("Upload", lambda files: None, errors=ErrorBox())
    assert editable_keys(area.widget) == frozenset({"status"})


def test_errors_of_the_app_callback_are_shown(root):
    box = ErrorBox()

    def fails(files):
        raise UserError("these files hold no training sessions", where=files[0].name)

    area = upload_widget.UploadArea("Upload", fails, errors=box)
    send(area.ticket.folder, 0, "a.csv", b"abc")
    area.widget.status = done_status([(0, "a.csv", 3)])
    assert "a.csv: these files hold no training sessions" in box.value


def test_without_a_usable_data_folder_the_control_says_why(monkeypatch):
    from heavylegs_core.base.paths import NOTEBOOKS_DIR

    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(NOTEBOOKS_DIR / "data"))
    box = ErrorBox()
    area = upload_widget.UploadArea("Upload", lambda files: None, errors=box)
    assert area.ticket is None and area.widget.token == ""
    assert "Uploads are not possible here" in area.widget.unavailable
    area.widget.status = done_status([(0, "a.csv", 3)])
    assert "Uploads are not possible here" in box.value
    assert not (NOTEBOOKS_DIR / "data").exists()
