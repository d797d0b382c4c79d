"""Issue 15: the outbox's deliveries page by cursor, like the submissions' lists (keyset.seek_newest): walking
the API's `next_cursor` or the page's "Next" link gives every row once, newest first; `page` still works; a
cursor the list did not make is a 422 (API) or a 400 (page); totals are capped counts, exact for small sets."""
import re
from html import unescape

import pytest
from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.publishing.models import Delivery
from tests.conftest import api_token, bearer, login
from tests.publishing_helpers import People, add_endpoint, create_approved

ITEMS = 5


@pytest.fixture
def people(make):
    people = People(make)
    add_endpoint(people.site, "http://127.0.0.1:9/hook")  # never relayed here: every row stays waiting
    for i in range(ITEMS):
        create_approved(people, title=f"Tin số {i}")
    return people


def newest_first():
    return list(db.session.scalars(select(Delivery.id).order_by(Delivery.id.desc())))


def walk_api(client, headers, query):
    seen, cursor, pages = [], None, 0
    while True:
        body = client.get(f"/api/v1/deliveries?{query}&per_page=2" + (f"&cursor={cursor}" if cursor else ""),
                          headers=headers).get_json()
        assert body["total"] == ITEMS and body["total_capped"] is False
        seen += [row["id"] for row in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        if not cursor:
            return seen, pages


@pytest.mark.parametrize("who", ["approver", "admin"])
def test_api_walk_by_cursor_gives_each_delivery_once_newest_first(client, people, who):
    headers = bearer(api_token(client, getattr(people, who).username))
    expected = newest_first()
    assert len(expected) == ITEMS
    whole = client.get("/api/v1/deliveries?site=tinh&per_page=200", headers=headers).get_json()
    assert [row["id"] for row in whole["items"]] == expected and whole["next_cursor"] is None
    seen, pages = walk_api(client, headers, "site=tinh")
    assert seen == expected and pages == 3
    # `page` keeps working for old clients, in the same order.
    second = client.get("/api/v1/deliveries?site=tinh&per_page=2&page=2", headers=headers).get_json()
    assert [row["id"] for row in second["items"]] == expected[2:4] and second["page"] == 2
    # A state filter is kept across the cursor's pages (every row waits: none was relayed).
    assert walk_api(client, headers, "site=tinh&state=pending")[0] == expected


def test_api_cursor_that_the_list_did_not_make_is_a_422(client, people):
    headers = bearer(api_token(client, people.approver.username))
    submissions_cursor = client.get("/api/v1/submissions?site=tinh&per_page=1",
                                    headers=headers).get_json()["next_cursor"]
    assert submissions_cursor
    for cursor in ("nonsense!!", "bm90IGpzb24", submissions_cursor, "WyItaWQiLCJ4Il0"):  # the last: ["-id","x"]
        response = client.get(f"/api/v1/deliveries?site=tinh&cursor={cursor}", headers=headers)
        assert response.status_code == 422, cursor
        error = response.get_json()["error"]
        assert error["code"] == "bad_cursor" and "cursor" in error["details"], cursor


def test_api_total_is_capped_beyond_the_cap(client, people, monkeypatch):
    monkeypatch.setattr("bbt_workflow.submissions.keyset.CAP", 3)
    headers = bearer(api_token(client, people.admin.username))
    first = client.get("/api/v1/deliveries?per_page=2", headers=headers).get_json()
    assert first["total"] == 3 and first["total_capped"] is True and first["next_cursor"]
    # Under the cap the count is exact (one row made dead; its filter lists it alone).
    row = db.session.get(Delivery, newest_first()[-1])
    row.state = "dead"
    db.session.commit()
    dead = client.get("/api/v1/deliveries?state=dead&per_page=2", headers=headers).get_json()
    assert dead["total"] == 1 and dead["total_capped"] is False and [r["id"] for r in dead["items"]] == [row.id]


def _next_link(html):
    found = re.search(r'<a class="page-link" rel="next" href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


def test_page_walks_by_the_next_link(client, people, monkeypatch):
    monkeypatch.setattr("bbt_workflow.publishing.views.PER_PAGE", 2)
    expected = newest_first()
    login(client, people.approver.username)
    seen, url, pages = [], "/sites/tinh/deliveries?state=pending", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        seen += [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", html)]
        assert f"Tổng cộng {ITEMS}" in html  # the whole filtered list, on every page
        url, pages = _next_link(html), pages + 1
        if url:
            assert "state=pending" in url and "cursor=" in url  # the filter goes on with the cursor
    assert seen == expected and pages == 3
    # Old links by page number still open the same rows.
    html = client.get("/sites/tinh/deliveries?page=2").get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", html)] == expected[2:4]


def test_page_with_a_foreign_cursor_is_a_400(client, people):
    login(client, people.approver.username)
    for cursor in ("nonsense!!", "WyJ0aXRsZSIsIngiLDFd"):  # garbage; a cursor of the queue's title sort
        response = client.get(f"/sites/tinh/deliveries?cursor={cursor}")
        assert response.status_code == 400, cursor
        assert "bắt đầu lại từ trang đầu" in response.get_data(as_text=True), cursor  # what to do, in Vietnamese
        assert 'href="/sites/tinh/deliveries"' in response.get_data(as_text=True)  # and a link to do it
