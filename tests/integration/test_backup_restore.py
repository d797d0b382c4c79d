"""`flask bbt backup` / `flask bbt restore` (issue 16): a restore into a fresh instance gives back
every row (submissions, revisions, history, sheets, kept export files) and every attachment byte
for byte; a damaged archive and a non-empty instance are refused."""
import hashlib
import io
import os
import tarfile

from sqlalchemy import select, text

from bbt_workflow import create_app
from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import SheetFile
from bbt_workflow.submissions import services
from bbt_workflow.submissions.attachments import add_attachment
from bbt_workflow.submissions.models import Attachment, HistoryEntry
from config import TestConfig
from tests.conftest import _test_database
from tests.functional.test_royalty_sheet_pdf_export import _paid_sheet
from tests.functional.test_royalty_sheets_api import board  # noqa: F401 (fixture)
from tests.functional.test_uploads import docx_bytes, png_bytes


def _rows():
    """Every table's rows, ordered by primary key."""
    dump = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        dump[table.name] = [tuple(r) for r in db.session.execute(select(table).order_by(*order))]
    return dump


def _hashes(folder):
    return {name: hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest()
            for name in sorted(os.listdir(folder))}


def _fill(client, board):
    h, site = board["h"], board.get("site")
    _paid_sheet(client, h)
    from bbt_workflow.accounts.models import User
    author = db.session.scalar(select(User).where(User.username == "ctv_x"))
    site = site or next(iter(author.roles)).site
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Sao lưu",
                                                    "category": "van-ban", "body_html": "<p>x</p>"})
    db.session.commit()
    add_attachment(author, sub, io.BytesIO(png_bytes()), "anh.png")
    add_attachment(author, sub, io.BytesIO(docx_bytes()), "van-ban.docx")
    db.session.commit()


def test_backup_then_restore_into_a_fresh_instance(app, client, board, tmp_path, _migrated):
    _fill(client, board)
    before, files_before = _rows(), _hashes(app.config["UPLOAD_FOLDER"])
    assert db.session.scalar(select(db.func.count(SheetFile.sheet_id))) == 3
    assert db.session.scalar(select(db.func.count(Attachment.id))) == 2
    assert db.session.scalar(select(db.func.count(HistoryEntry.id))) >= 3
    assert len(files_before) >= 2

    result = app.test_cli_runner().invoke(args=["bbt", "backup", str(tmp_path)])
    assert result.exit_code == 0, result.output
    archive = next(p for p in tmp_path.iterdir() if p.name.startswith("bbt-backup-"))

    # A fresh instance: a new SQLite file (or, on PostgreSQL, the database emptied) and no uploads.
    db.session.remove()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        url = _migrated
    else:
        (tmp_path / "fresh").mkdir()
        url, _ = _test_database(_migrated, tmp_path / "fresh")
    db.engine.dispose()

    class Fresh(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    fresh = create_app(Fresh)
    fresh.config["UPLOAD_FOLDER"] = str(tmp_path / "fresh-uploads")
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["bbt", "restore", str(archive)])
        assert result.exit_code == 0, result.output
        db.session.remove()
        assert _rows() == before
        assert _hashes(fresh.config["UPLOAD_FOLDER"]) == files_before
        # Now the instance has data: a second restore needs --force.
        again = fresh.test_cli_runner().invoke(args=["bbt", "restore", str(archive)])
        assert again.exit_code == 1 and "--force" in again.output
        forced = fresh.test_cli_runner().invoke(args=["bbt", "restore", "--force", str(archive)])
        assert forced.exit_code == 0, forced.output
        db.session.remove()
        assert _rows() == before
        db.session.remove()
        db.engine.dispose()


def test_damaged_archive_is_refused(app, client, make, tmp_path):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin", "category": "van-ban",
                                                    "body_html": "<p>x</p>"})
    db.session.commit()
    add_attachment(author, sub, io.BytesIO(png_bytes()), "anh.png")
    db.session.commit()
    path = tmp_path / "b.tar.gz"
    assert app.test_cli_runner().invoke(args=["bbt", "backup", str(path)]).exit_code == 0
    uploads = app.config["UPLOAD_FOLDER"]
    files_before = _hashes(uploads)

    # One attachment's bytes changed inside an otherwise well-formed archive: the manifest catches it.
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(path, "r:gz") as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("uploads/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    for bad in (tampered, truncated):
        result = app.test_cli_runner().invoke(args=["bbt", "restore", "--force", str(bad)])
        assert result.exit_code == 1 and "damaged" in result.output, result.output
    # Nothing was touched.
    assert _hashes(uploads) == files_before
    assert db.session.scalar(select(db.func.count(Attachment.id))) == 1
