"""When an item entered the state it is in (the queue's "Waited"): kept on the item by the workflow service
(migration 0020) instead of read from the history on every queue page. It must say what the history says."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import func, or_, select

from bbt_workflow import create_app
from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import HistoryEntry, Submission
from config import TestConfig


def _moved_in_at(sub):
    """The history's answer (what the queue computed before 0020): the latest entry that moved the item into
    its state from another one, or its creation."""
    return db.session.scalar(select(func.max(HistoryEntry.at)).where(
        HistoryEntry.submission_id == sub.id, HistoryEntry.to_state == sub.state,
        or_(HistoryEntry.from_state.is_(None), HistoryEntry.from_state != HistoryEntry.to_state)))


def test_the_workflow_keeps_when_the_item_entered_its_state(make, monkeypatch):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    start = utcnow() - timedelta(days=5)
    clock = {"now": start}
    monkeypatch.setattr("bbt_workflow.submissions.services.utcnow", lambda: clock["now"])

    def at(hours):
        clock["now"] = start + timedelta(hours=hours)
        return clock["now"]

    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin", "category": "van-ban",
                                                    "body_html": "<p>Nội dung</p>"})
    assert sub.state_entered_at == start == _moved_in_at(sub)
    submitted = at(1)
    services.transition_submission(author, sub, "submit", sub.version)
    claimed = at(3)
    services.transition_submission(editor, sub, "claim", sub.version)
    assert (sub.state, sub.state_entered_at) == ("in_review", claimed)
    at(4)
    services.edit_submission(editor, sub, sub.version, {"title": "Tin đã biên tập"})  # stays in review
    assert sub.state_entered_at == claimed == _moved_in_at(sub)
    released = at(5)
    services.transition_submission(editor, sub, "release", sub.version)
    db.session.commit()
    db.session.expire_all()
    sub = db.session.get(Submission, sub.id)
    assert sub.state == "submitted" and submitted < released
    assert sub.state_entered_at == released == _moved_in_at(sub)


def test_an_item_made_without_the_service_counts_from_its_creation(make):
    # Fixtures and imports by hand insert items directly: the column falls back to the creation time.
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    created = utcnow() - timedelta(days=2)
    sub = Submission(site_id=site.id, author_id=author.id, state="submitted", content_type="tin", title="Tay",
                     created_at=created, updated_at=created)
    db.session.add(sub)
    db.session.commit()
    assert db.session.get(Submission, sub.id).state_entered_at == created


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A database of its own, for running the migrations step by step."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'steps.sqlite3'}"
        return
    server = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = f"bbt_steps_{abs(hash(str(tmp_path))) % 10**8}"
    with server.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield database_url.rsplit("/", 1)[0] + "/" + name
    with server.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    server.dispose()


def _row(table, **values):
    """An insert of `table` with `values` and a plain value for every other required column."""
    plain = {sa.Integer: 1, sa.String: "x", sa.Text: "x", sa.Boolean: False, sa.DateTime: utcnow(),
             sa.Numeric: 1}
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None or column.primary_key:
            continue
        values[column.name] = next(v for kind, v in plain.items() if isinstance(column.type, kind))
    return table.insert().values(**values)


def test_the_migration_fills_it_from_the_history(empty_database):
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database

    app = create_app(Cfg)
    now = utcnow().replace(microsecond=0)
    hours = [now - timedelta(hours=h) for h in range(10, 0, -1)]
    with app.app_context():
        upgrade(revision="0019_search_lexemes")
        meta = sa.MetaData()
        meta.reflect(db.engine)
        t = meta.tables
        with db.engine.begin() as conn:
            conn.execute(_row(t["units"], id=1, code="u", name="Đơn vị"))
            conn.execute(_row(t["sites"], id=1, code="tinh", name="Cổng", kind="portal", approval_levels=1))
            conn.execute(_row(t["users"], id=1, username="ctv", email="c@x.vn", unit_id=1))
            # 1: submitted, claimed, released: back in "submitted" since the release. 2: in review, then an
            # edit (same state). 3: no history at all (counts from its creation).
            steps = {1: [("create", None, "draft"), ("submit", "draft", "submitted"),
                         ("claim", "submitted", "in_review"), ("release", "in_review", "submitted")],
                     2: [("create", None, "draft"), ("submit", "draft", "submitted"),
                         ("claim", "submitted", "in_review"), ("edit", "in_review", "in_review")],
                     3: []}
            states = {1: "submitted", 2: "in_review", 3: "submitted"}
            for sub_id, state in states.items():
                conn.execute(_row(t["submissions"], id=sub_id, site_id=1, author_id=1, state=state,
                                  assignee_id=1 if state == "in_review" else None, content_type="tin",
                                  created_at=hours[0], updated_at=hours[-1]))
            n = 0
            for sub_id, moves in steps.items():
                for k, (action, frm, to) in enumerate(moves):
                    n += 1
                    conn.execute(_row(t["submission_history"], id=n, submission_id=sub_id, site_id=1, action=action,
                                      from_state=frm, to_state=to, at=hours[k + 2 * sub_id]))
        upgrade(revision="0020_state_entered_at")
        entered = dict(db.session.execute(select(Submission.id, Submission.state_entered_at)).all())
        db.session.remove()
        db.engine.dispose()
    assert entered == {1: hours[3 + 2], 2: hours[2 + 4], 3: hours[0]}
