"""Issue 15 (must show): the number of SQL statements a list page runs does not grow with the rows it
shows. Each page is opened with N rows and with 3N rows; the statement counts must be equal (a page that
loads something per row, N+1, fails here)."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from bbt_workflow.accounts.services import set_membership
from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import RoyaltyLine
from bbt_workflow.royalties.sheets.transitions import create_sheet
from bbt_workflow.submissions import services
from tests.conftest import api_token, bearer, login
from tests.integration.test_sheet_statement_count import import_graded_month
from tests.publishing_helpers import People, add_endpoint, create_approved, create_submitted

N = 3


@contextmanager
def counted():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(client, url, headers=None):
    client.get(url, headers=headers)  # warm: first-request work (sessions, caches) is not per row
    with counted() as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)


def _draft(people, title):
    sub = services.create_submission(people.author, people.site, {
        "content_type": "tin", "title": title, "category": people.site.categories[0].code,
        "summary": "Tóm tắt", "body_html": "<p>Nội dung</p>"})
    db.session.commit()
    return sub


def _submitted(people, n, start=0):
    for i in range(start, start + n):
        sub = _draft(people, f"Tin {i}")
        services.transition_submission(people.author, sub, "submit", sub.version)
        if i % 2:
            services.transition_submission(people.editor, sub, "claim", sub.version)
        db.session.commit()


@pytest.fixture
def people(make):
    return People(make)


def _signed_in(app, user):
    client = app.test_client()
    login(client, user.username)
    return client


def test_queue_mine_and_api_lists_cost_the_same_for_n_and_3n_rows(app, client, people):
    _submitted(people, N)
    web = {"editor": _signed_in(app, people.editor), "author": _signed_in(app, people.author)}
    editor_token = bearer(api_token(client, people.editor.username))
    author_token = bearer(api_token(client, people.author.username))
    urls = [("/sites/tinh/queue", "editor", None), ("/sites/tinh/queue?sort=title", "editor", None),
            ("/my/submissions", "author", None),
            ("/api/v1/submissions?site=tinh", None, editor_token),
            ("/api/v1/submissions?mine=true", None, author_token),
            # Across sites: through the visibility rule's parts (queries.visibility_parts), one per site.
            ("/api/v1/submissions", None, editor_token), ("/api/v1/submissions", None, author_token),
            ("/api/v1/submissions?q=tin", None, editor_token), ("/api/v1/submissions?q=tin", None, author_token)]

    def measure():
        counts = []
        for url, username, headers in urls:
            counts.append(_statements(web[username] if username else client, url, headers))
        return counts

    few = measure()
    _submitted(people, 2 * N, start=N)
    assert measure() == few


@pytest.mark.parametrize("url, who", [("/sites/tinh/queue", "editor"), ("/sites/tinh/queue?state=in_review", "editor"),
                                      ("/sites/tinh/queue?q=tin", "editor"), ("/my/submissions", "author")])
def test_list_pages_do_not_read_the_items_text_or_attachments(app, people, url, who):
    # A list shows titles; the body, summary and search text are 2–8 KB an item that it read and threw away
    # (the most expensive part of a 50-row queue page at 1M items), and its attachments one more query.
    _submitted(people, N)
    client = _signed_in(app, getattr(people, who))
    client.get(url)
    with counted() as statements:
        page = client.get(url)
    assert page.status_code == 200 and "Tin 1" in page.get_data(as_text=True)  # claimed: in every list here
    lists = [s for s in statements if "FROM submissions" in s and "submissions.title" in s]
    assert lists, statements
    for statement in lists:
        for column in ("submissions.body_html", "submissions.summary", "submissions.search_text"):
            assert column not in statement, (column, statement)
    assert not [s for s in statements if "FROM attachments" in s]


def test_item_page_costs_the_same_for_n_and_3n_revisions_and_history_rows(client, people):
    sub = _draft(people, "Nhiều bản")

    def grow(n):
        for i in range(n):
            services.edit_submission(people.author, sub, sub.version, {"title": f"Bản {sub.version} {i}"})
            db.session.commit()

    grow(N)
    login(client, people.author.username)
    few = _statements(client, f"/submissions/{sub.id}")
    grow(2 * N)
    assert _statements(client, f"/submissions/{sub.id}") == few


def test_item_page_reads_the_current_grading_once(client, people):
    # The grading forms, the grading display and the grading view each asked for the current grading,
    # and each reload fetched it again with its parts, payees and factors (49 statements for a
    # published item at 100k, 34 since).
    from tests.publishing_helpers import create_approved

    sub = create_approved(people)
    db.session.commit()
    login(client, people.approver.username)
    client.get(f"/submissions/{sub.id}")
    with counted() as statements:
        assert client.get(f"/submissions/{sub.id}").status_code == 200
    gradings = [s for s in statements if "FROM gradings " in " ".join(s.split()) + " "]
    assert len(gradings) == 1, gradings


def test_item_page_loads_the_item_once(client, people):
    # The route's rule loaded the item to check it, the session let go of it (it holds loaded objects weakly),
    # and the view loaded it again with its co-authors, attachments and site: 4 statements of 33 at 1M.
    sub = create_approved(people)
    db.session.commit()
    login(client, people.approver.username)
    url = f"/submissions/{sub.id}"  # read outside the count: the test's own session refreshes `sub`
    client.get(url)
    with counted() as statements:
        assert client.get(url).status_code == 200
    flat = [" ".join(s.split()) + " " for s in statements]
    # The item's own row (its site, category, unit, author and assignee joined to it: with_references).
    assert len([s for s in flat if s.startswith("SELECT submissions.id") and " FROM submissions " in s]) == 1
    assert len([s for s in flat if "FROM attachments WHERE" in s]) == 1
    # Nothing the page shows of the item is read on its own afterwards.
    for table in ("sites", "categories", "units"):
        assert not [s for s in flat if f" FROM {table} WHERE {table}.id = " in s], (table, flat)


def test_item_page_costs_the_same_for_one_person_and_several_in_its_history(make, client, people):
    # Who did each step (history, revisions) was loaded one person at a time, as the page first named them:
    # an item several editors had worked on cost a statement more for each.
    sub = create_submitted(people)
    services.transition_submission(people.editor, sub, "release", sub.version)
    db.session.commit()
    login(client, people.approver.username)
    few = _statements(client, f"/submissions/{sub.id}")

    others = [make.user(f"bientap_{i}", roles={people.site: ["editor"]}) for i in range(3)]
    for editor in others:
        services.transition_submission(editor, sub, "claim", sub.version)
        services.edit_submission(editor, sub, sub.version, {"title": f"Sửa bởi {editor.username}"})
        services.transition_submission(editor, sub, "release", sub.version)
        db.session.commit()
    html = client.get(f"/submissions/{sub.id}").get_data(as_text=True)
    assert sub.state == "submitted" and all(editor.full_name in html for editor in others)  # named in its history
    assert _statements(client, f"/submissions/{sub.id}") == few


def test_deliveries_and_dashboard_cost_the_same_for_n_and_3n_rows(client, people):
    add_endpoint(people.site, "http://127.0.0.1:9/hook")
    for i in range(N):
        create_approved(people, title=f"Tin {i}")
    token = bearer(api_token(client, people.approver.username))
    urls = [("/sites/tinh/deliveries", True), ("/reports/tinh", True), ("/api/v1/deliveries?site=tinh", False)]

    login(client, people.approver.username)

    def measure():
        return [_statements(client, url, None if web else token) for url, web in urls]

    few = measure()
    for i in range(2 * N):
        create_approved(people, title=f"Tin {N + i}")
    assert measure() == few


def test_admin_deliveries_across_sites_cost_the_same_for_n_and_3n_sites(client, make):
    """An admin's API list spans sites: each row's endpoint and site come with the page (lazily loaded per
    row, 50 rows of different sites were 100 statements)."""
    admin = make.user("quantri", is_admin=True)
    token = bearer(api_token(client, admin.username))

    def add_sites(start, n):
        for i in range(start, start + n):
            people = People(make, site_code=f"so{i}")
            add_endpoint(people.site, "http://127.0.0.1:9/hook", name=f"Cổng {i}")
            create_approved(people, title=f"Tin {i}")

    add_sites(0, N)
    few = _statements(client, "/api/v1/deliveries", token)
    add_sites(N, 2 * N)
    listed = client.get("/api/v1/deliveries", headers=token).get_json()
    assert len({row["site"] for row in listed["items"]}) == 3 * N
    assert _statements(client, "/api/v1/deliveries", token) == few


def _sheet_with_items(make, accountant, code, items):
    """A month's sheet of `items` graded, published items, each paying its author and the next one."""
    site = make.site(code, kind="portal")
    set_membership(None, accountant, site, ["accountant"])
    import_graded_month(make, site, items)
    sheet = create_sheet(accountant, site, "2025-03")
    db.session.commit()
    assert sheet.warnings == ""
    assert db.session.scalar(select(func.count()).select_from(RoyaltyLine).where(RoyaltyLine.sheet_id == sheet.id)) == 2 * items
    return sheet


def test_sheet_pages_cost_the_same_for_n_and_3n_items(app, client, make):
    """The sheet page (grouped by unit and payee, with subtotals), its API document and the sheets
    list: the same statements for a sheet of 2N lines as for one of 6N lines."""
    accountant = make.user("ketoan")
    few_sheet = _sheet_with_items(make, accountant, "tinh", N)
    many_sheet = _sheet_with_items(make, accountant, "huyen", 3 * N)
    token = bearer(api_token(client, accountant.username))
    web = _signed_in(app, accountant)

    def measure(sheet, site):
        return [_statements(web, f"/royalties/sheets/{sheet.id}"),
                _statements(web, f"/sites/{site}/royalties"),
                _statements(client, f"/api/v1/royalty/sheets/{sheet.id}", token),
                _statements(client, f"/api/v1/royalty/sheets?site={site}", token)]

    assert measure(many_sheet, "huyen") == measure(few_sheet, "tinh")
