"""Issue 15: keyset (seek) pages for the queue and the API list of submissions: walking by cursor gives
every row once in the order of each sort (ties broken by id), `page` still works, a bad cursor is a clear
4xx, and totals are capped counts (exact for small sets)."""
import re
from html import unescape

import pytest
from sqlalchemy import event

from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from bbt_workflow.submissions.keyset import capped_count
from bbt_workflow.submissions.queries import SORTS
from tests.conftest import api_token, bearer, login
from tests.publishing_helpers import People

TITLES = ["Bão số 3", "An toàn giao thông", "Bão số 3", "Chợ Tết", "An toàn giao thông", "Đường mới", "Ý kiến"]


@pytest.fixture
def people(make):
    people = People(make)
    for title in TITLES:  # repeated titles: the id breaks the tie
        sub = services.create_submission(people.author, people.site, {
            "content_type": "tin", "title": title, "category": people.site.categories[0].code,
            "summary": "Tóm tắt", "body_html": "<p>Nội dung</p>"})
        services.transition_submission(people.author, sub, "submit", sub.version)
        db.session.commit()
    return people


@pytest.mark.parametrize("sort", SORTS)
def test_api_walk_by_cursor_gives_each_row_once_in_order(client, people, sort):
    token = bearer(api_token(client, people.editor.username))
    whole = client.get(f"/api/v1/submissions?site=tinh&sort={sort}&per_page=200", headers=token).get_json()
    assert whole["total"] == len(TITLES) and whole["total_capped"] is False and whole["next_cursor"] is None
    expected = [item["id"] for item in whole["items"]]
    seen, cursor = [], None
    for _ in range(10):
        url = f"/api/v1/submissions?site=tinh&sort={sort}&per_page=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=token).get_json()
        assert body["total"] == len(TITLES)
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == expected
    # `page` keeps working for old clients, in the same order.
    second = client.get(f"/api/v1/submissions?site=tinh&sort={sort}&per_page=2&page=2", headers=token).get_json()
    assert [item["id"] for item in second["items"]] == expected[2:4] and second["page"] == 2


def test_api_bad_cursor_is_a_422_naming_the_field(client, people):
    token = bearer(api_token(client, people.editor.username))
    for cursor in ("nonsense!!", "bm90IGpzb24", "WyJ0aXRsZSIsIngiLDFd"):  # garbage, not JSON, another sort's
        response = client.get(f"/api/v1/submissions?sort=-updated_at&cursor={cursor}", headers=token)
        assert response.status_code == 422, cursor
        assert "cursor" in response.get_data(as_text=True)


def test_queue_next_links_walk_by_cursor_and_a_bad_cursor_is_a_400(app, client, people, monkeypatch):
    monkeypatch.setattr("bbt_workflow.submissions.views.PER_PAGE", 3)
    login(client, people.editor.username)
    url, titles = "/sites/tinh/queue?sort=title", []
    while url:
        page = client.get(url).get_data(as_text=True)
        titles += re.findall(r"data-open>([^<]+)</a>", page)
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = unescape(found.group(1)) if found else None
        assert url is None or "cursor=" in url and "page=" not in url
    assert titles == sorted(TITLES)
    refused = client.get("/sites/tinh/queue?sort=title&cursor=xyz&state=submitted")
    # The page says what is wrong and what to do, in the reader's language (not only "malformed request"),
    # and links to the list's first page with its filters kept and without the cursor.
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "bắt đầu lại từ trang đầu" in html
    first = re.search(r'<a href="([^"]+)" class="btn btn-primary">Về trang đầu của danh sách</a>', html)
    assert first and unescape(first.group(1)) == "/sites/tinh/queue?sort=title&state=submitted"
    again = client.get(unescape(first.group(1)))
    assert again.status_code == 200 and re.findall(r"data-open>([^<]+)</a>", again.get_data(as_text=True)) \
        == sorted(TITLES)[:3]
    # An empty cursor is the first page, not an error.
    assert "Về trang đầu của danh sách" not in client.get("/sites/tinh/queue?cursor=").get_data(as_text=True)


def test_totals_are_capped_counts(client, people, monkeypatch):
    monkeypatch.setattr("bbt_workflow.submissions.keyset.CAP", 4)
    monkeypatch.setattr("bbt_workflow.submissions.queries.CAP", 4)
    token = bearer(api_token(client, people.editor.username))
    body = client.get("/api/v1/submissions?site=tinh", headers=token).get_json()
    assert body["total"] == 4 and body["total_capped"] is True and len(body["items"]) == len(TITLES)
    login(client, people.editor.username)
    page = client.get("/sites/tinh/queue").get_data(as_text=True)
    # The list's total is capped; the tabs' counts are exact (site_state_counts, migration 0021).
    assert "Hơn 4 mục" in re.search(r"muted\">([^<]+)<", page).group(1)
    assert f"Chờ biên tập ({len(TITLES)})" in page and "+)" not in page


def test_a_ranked_search_walks_by_cursor_each_hit_once(client, people):
    """A search in the default sort is ranked by relevance, which has no column to seek on: its cursor
    carries the next offset, and walking it gives the same hits in the same order as one long page."""
    # The older item is the better match, so relevance and recency disagree.
    for body in ("<p>Lũ lụt, lũ quét, lũ ống, lũ lớn</p>", "<p>Tin về lũ</p>"):
        sub = services.create_submission(people.author, people.site, {
            "content_type": "tin", "title": "Thời tiết", "category": people.site.categories[0].code,
            "summary": "Tóm tắt", "body_html": body})
        services.transition_submission(people.author, sub, "submit", sub.version)
        db.session.commit()
    token = bearer(api_token(client, people.editor.username))
    whole = client.get("/api/v1/submissions?site=tinh&q=lu&per_page=200", headers=token).get_json()
    whole_ids = [item["id"] for item in whole["items"]]
    assert len(whole_ids) == 2 and whole_ids[0] < whole_ids[1]  # best match (the older) first
    seen, cursor = [], None
    for _ in range(5):
        url = "/api/v1/submissions?site=tinh&q=lu&per_page=1" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=token).get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == whole_ids
    # A ranked search's cursor given to a sorted list (and the reverse) is refused, not misread.
    ranked_cursor = client.get("/api/v1/submissions?site=tinh&q=lu&per_page=1",
                               headers=token).get_json()["next_cursor"]
    assert client.get(f"/api/v1/submissions?site=tinh&sort=title&cursor={ranked_cursor}",
                      headers=token).status_code == 422
    title_cursor = client.get("/api/v1/submissions?site=tinh&sort=title&per_page=1",
                              headers=token).get_json()["next_cursor"]
    assert client.get(f"/api/v1/submissions?site=tinh&q=lu&cursor={title_cursor}",
                      headers=token).status_code == 422


def _with_counts(get):
    """get()'s answer and the number of count(*) statements it ran."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        return get(), sum(1 for s in statements if "count(*)" in s)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("cap", [4, 100])
def test_queue_totals_taken_from_the_tab_counts_say_what_counting_says(client, people, monkeypatch, cap):
    """A state tab's total is its tab count (exact, site_state_counts) and a big "All" tab is "more than CAP",
    without counting again (queries.queue_total); each page must say what counting its rows says."""
    from sqlalchemy import select

    from bbt_workflow.submissions.models import Submission

    for sub in db.session.scalars(select(Submission).order_by(Submission.id).limit(2)):
        services.transition_submission(people.editor, sub, "claim", sub.version)
    services.create_submission(people.editor, people.site, {"content_type": "tin", "title": "Nháp riêng"})
    article = services.create_submission(people.author, people.site, {
        "content_type": "bai", "title": "Bài phóng sự", "category": people.site.categories[0].code,
        "summary": "Tóm tắt", "body_html": "<p>Nội dung</p>"})
    services.transition_submission(people.author, article, "submit", article.version)
    db.session.commit()
    login(client, people.editor.username)
    type_tabs = ["?state=submitted&content_type=tin", "?state=submitted&content_type=bai",
                 "?state=in_review&content_type=tin", "?state=in_review&content_type=anh"]
    tabs = ["", "?state=submitted", "?state=in_review", "?state=published", "?state=draft", "?sort=title",
            "?view=claimed", "?q=bao", "?content_type=tin", "?content_type=bai", *type_tabs]

    def seen(url):
        page, counts = _with_counts(lambda: client.get(url).get_data(as_text=True))
        return re.search(r'muted">([^<]+)<', page).group(1), counts

    # The truth: every tab counted (the shortcuts off) under a cap none of them reaches.
    with monkeypatch.context() as counting:
        counting.setattr("bbt_workflow.submissions.queries.queue_total", lambda args, counts: None)
        counting.setattr("bbt_workflow.submissions.keyset._total", lambda stmt, *page: capped_count(stmt))
        truth = {tab: int(re.search(r"\d+", seen(f"/sites/tinh/queue{tab}")[0]).group()) for tab in tabs}
    monkeypatch.setattr("bbt_workflow.submissions.keyset.CAP", cap)
    monkeypatch.setattr("bbt_workflow.submissions.queries.CAP", cap)
    shortcut = {tab: seen(f"/sites/tinh/queue{tab}") for tab in tabs}
    reviewed_tabs = ("?state=submitted", "?state=in_review", "?state=published", *type_tabs)
    for tab, (text, counts) in shortcut.items():
        exact = tab in reviewed_tabs or truth[tab] <= cap
        assert text == (f"Tổng cộng {truth[tab]}" if exact else f"Hơn {cap} mục"), tab
    assert truth[""] == len(TITLES) + 2 and truth["?state=in_review"] == 2 and truth["?state=submitted"] == 6
    assert [truth[tab] for tab in type_tabs] == [5, 1, 2, 0] and truth["?content_type=bai"] == 1
    # The state tabs of reviewed states never count again, with a type filter or without (the counts are kept
    # per type); "All" only when the tabs do not pass CAP (and its first page is full: here it is not); filters
    # the tab counts don't follow list all their rows on a first page that is not full, which is their count
    # (test_a_first_page_not_full_is_its_own_count below).
    assert [shortcut[tab][1] for tab in reviewed_tabs] == [0] * len(reviewed_tabs)
    assert [shortcut[tab][1] for tab in ("", "?state=draft", "?view=claimed", "?content_type=tin")] == [0, 0, 0, 0]


@pytest.mark.parametrize("per_page", [3, 50])
def test_a_first_page_not_full_is_its_own_count(client, people, monkeypatch, per_page):
    """keyset.seek_page counts the filtered rows only when the first page is full: a first page with room
    left holds all of them. Pages and API lists say the same total either way, and what counting says."""
    monkeypatch.setattr("bbt_workflow.submissions.views.PER_PAGE", per_page)
    token = bearer(api_token(client, people.editor.username))
    login(client, people.editor.username)

    full = per_page < len(TITLES)
    page, counted = _with_counts(lambda: client.get("/sites/tinh/queue?content_type=tin").get_data(as_text=True))
    assert re.search(r'muted">([^<]+)<', page).group(1) == f"Tổng cộng {len(TITLES)}"
    assert len(re.findall(r"data-open>", page)) == min(per_page, len(TITLES)) and counted == (1 if full else 0)
    body, counted = _with_counts(lambda: client.get(f"/api/v1/submissions?site=tinh&content_type=tin&per_page={per_page}",
                                            headers=token).get_json())
    assert (body["total"], body["total_capped"], counted) == (len(TITLES), False, 1 if full else 0)
    # A later page is never taken for the whole list.
    if full:
        body, counted = _with_counts(lambda: client.get(f"/api/v1/submissions?site=tinh&content_type=tin&per_page={per_page}"
                                                f"&page=3", headers=token).get_json())
        assert (body["total"], len(body["items"]), counted) == (len(TITLES), len(TITLES) - 2 * per_page, 1)


@pytest.mark.parametrize("tab", ["", "state=submitted&", "sort=title&", "sort=-created_at&state=submitted&"])
def test_a_numbered_page_lists_what_walking_by_cursor_lists(client, people, monkeypatch, tab):
    """`page=N` (old links, the API's paging) reads the page's ids first, then its rows (keyset.seek_page): the
    rows and their order must be the ones the cursor walk gives."""
    monkeypatch.setattr("bbt_workflow.submissions.views.PER_PAGE", 2)
    login(client, people.editor.username)
    walked, url = [], f"/sites/tinh/queue?{tab}"
    while url:
        page = client.get(url).get_data(as_text=True)
        walked.append(re.findall(r"data-open>([^<]+)</a>", page))
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = unescape(found.group(1)) if found else None
    assert len(walked) == 4 and sum(map(len, walked)) == len(TITLES)
    for number, expected in enumerate(walked, start=1):
        page = client.get(f"/sites/tinh/queue?{tab}page={number}").get_data(as_text=True)
        assert re.findall(r"data-open>([^<]+)</a>", page) == expected, number
