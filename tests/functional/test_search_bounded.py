"""Search cost bounded whatever the number of hits (issue 15): up to search.RANKED_LIMIT hits are ranked
by relevance and counted exactly; beyond it the list is the newest first, its total a lower bound
(`total_capped`), and the page says so."""
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.submissions import search, services
from bbt_workflow.submissions.models import Submission
from tests.conftest import api_token, bearer, login


@pytest.fixture
def newsroom(make, client, monkeypatch):
    monkeypatch.setattr(search, "RANKED_LIMIT", 3)
    monkeypatch.setattr("bbt_workflow.submissions.keyset.CAP", 3)  # the lists' capped count
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    make.user("bientap", roles={site: ["editor"]})
    titles = ["Chuyển đổi số một", "Chuyển đổi số hai", "Chuyển đổi số ba", "Chuyển đổi số bốn",
              "Chuyển đổi số năm", "Giao thông"]
    now = utcnow()
    ids = {}
    for age, title in enumerate(titles):
        sub = services.create_submission(author, site, {"content_type": "tin", "title": title,
                                                        "category": "van-ban", "body_html": "<p>Nội dung</p>"})
        services.transition_submission(author, sub, "submit", sub.version)
        db.session.flush()
        # The first title is the newest: instants relative to now.
        db.session.execute(update(Submission).where(Submission.id == sub.id)
                           .values(updated_at=now - timedelta(hours=age + 1)))
        ids[title] = sub.id
    db.session.commit()
    return bearer(api_token(client, "bientap")), ids


def test_few_hits_are_counted_exactly(client, newsroom):
    h, _ids = newsroom
    listing = client.get("/api/v1/submissions?q=giao", headers=h).get_json()
    assert (listing["total"], listing["total_capped"]) == (1, False)
    # Every list's count stops at the cap, searching or not.
    listing = client.get("/api/v1/submissions?state=submitted", headers=h).get_json()
    assert (listing["total"], listing["total_capped"]) == (3, True)


def test_many_hits_are_the_newest_first_with_a_capped_total(client, newsroom):
    h, ids = newsroom
    listing = client.get("/api/v1/submissions?q=chuyen doi&per_page=2", headers=h).get_json()
    assert (listing["total"], listing["total_capped"]) == (3, True)  # "more than 3"
    assert [i["id"] for i in listing["items"]] == [ids["Chuyển đổi số một"], ids["Chuyển đổi số hai"]]
    third = client.get("/api/v1/submissions?q=chuyen doi&per_page=2&page=3", headers=h).get_json()
    assert [i["id"] for i in third["items"]] == [ids["Chuyển đổi số năm"]]


def test_the_queue_page_says_the_hits_are_the_newest_first(client, newsroom):
    login(client, "bientap")
    page = client.get("/sites/tinh/queue?q=chuyen+doi").get_data(as_text=True)
    assert "Nhiều kết quả: sắp xếp mới nhất trước" in page
    assert "Hơn 3 mục" in page
    few = client.get("/sites/tinh/queue?q=giao").get_data(as_text=True)
    assert "Nhiều kết quả" not in few and "Hơn" not in few


def _full_text_statements(client, url, headers=None):
    """The statements of one request that run the full-text match (tsquery on PostgreSQL, MATCH on SQLite)."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "to_tsquery" in statement or "MATCH" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.status_code
    return statements


@pytest.mark.parametrize("q", ["giao", "chuyen doi"])  # few hits (ranked), more than the cap (newest first)
def test_a_search_matches_the_words_twice_not_three_times(client, newsroom, q):
    # Fetching the hits' ids already tells how many there are (up to the cap): the page's total must not
    # run the match a third time (on a million items each match costs the most of the page).
    h, _ids = newsroom
    api = _full_text_statements(client, f"/api/v1/submissions?q={q}", headers=h)
    assert len(api) == 2, api
    login(client, "bientap")
    page = _full_text_statements(client, f"/sites/tinh/queue?q={q}")
    assert len(page) == 2, page
