"""Searching 10,000 submissions without diacritics finds the accented ones."""
from sqlalchemy import insert

from bbt_workflow.db_types import utcnow
from bbt_workflow.domain.text_search import fold
from bbt_workflow.extensions import db
from bbt_workflow.submissions.models import Submission
from bbt_workflow.submissions.queries import filtered_submissions

WORDS = ["Hội nghị", "triển khai", "kế hoạch", "đường giao thông", "nông thôn mới", "y tế", "giáo dục",
         "cải cách hành chính", "du lịch", "đầu tư"]


def test_ten_thousand(app, make):
    site = make.site("tinh", kind="portal")
    admin = make.user("root", is_admin=True)
    editor = make.user("bientap", roles={site: ["editor"]})
    now = utcnow()
    rows = []
    for i in range(10_000):
        title = f"{WORDS[i % len(WORDS)]} số {i}"
        if i % 1000 == 7:
            title = f"Chuyển đổi số tại đơn vị {i}"
        body = f"<p>{WORDS[(i * 3) % len(WORDS)]}</p>"
        rows.append({"site_id": site.id, "content_type": "tin", "title": title, "summary": "", "body_html": body,
                     "language": "vi", "state": "submitted", "version": 1, "revision": 1, "author_id": admin.id,
                     "search_text": fold(f"{title}  {WORDS[(i * 3) % len(WORDS)]}"), "created_at": now,
                     "updated_at": now})
    db.session.execute(insert(Submission), rows)
    db.session.commit()
    stmt = filtered_submissions(editor, {"q": "chuyen doi so", "site": "tinh"})
    found = db.session.scalars(stmt).all()
    assert len(found) == 10 and all(s.title.startswith("Chuyển đổi số") for s in found)
    # Upper case and đ without accents, in any word order within the text.
    found = db.session.scalars(filtered_submissions(editor, {"q": "DUONG giao"})).all()
    assert len(found) == 2000
    assert db.session.scalars(filtered_submissions(editor, {"q": "xyzzy"})).all() == []
