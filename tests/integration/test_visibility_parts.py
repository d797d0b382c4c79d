"""The lists across sites ask for each part of the visibility rule on its own (queries.visibility_parts, issue 15):
an OR of the parts is a condition no index answers, which cost a contributor's search through the API 0.9 s at
1,000,000 items, and an editor's list walked every site's items for theirs (bench/RESULTS.md). The parts
together must be the rule's rows; a search through them must find exactly what the rule and the words find; and
a list paged through them (by cursor or page number, in every sort) must give the rule's rows in the list's order,
each once, with the same capped total, for every kind of user and with the lists' filters."""
import pytest
from sqlalchemy import text, union

from bbt_workflow.extensions import db
from bbt_workflow.submissions import keyset, queries, search, services
from bbt_workflow.submissions.models import Submission
from bbt_workflow.submissions.queries import filtered_submissions, visibility_parts, visible_submissions
from tests.conftest import simple_grading
from tests.search_plans import plan_with_only, searches_seen

FILTERS = [{}, {"state": "submitted"}, {"state": "draft"}, {"state": "approved"}, {"mine": True},
           {"awaiting": "me"}, {"assignee": "me"}, {"content_type": "tin"}, {"sort": "title"}, {"sort": "-created_at"},
           {"sort": "updated_at"}]
QUERIES = ["bao lu", "lu mien", "giao thong", "mien trung bao"]


@pytest.fixture
def two_sites(make):
    site = make.site("tinh", kind="portal", approval_levels=1)
    other = make.site("huyen", approval_levels=1)
    author = make.user("ctv", roles={site: ["contributor"], other: ["contributor"]})
    co_author = make.user("ctv2", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    approver = make.user("lanhdao", roles={site: ["approver"], other: ["editor"]})
    accountant = make.user("ketoan", roles={other: ["accountant"]})
    both = make.user("bt_kt", roles={site: ["editor"], other: ["accountant"]})
    admin = make.user("quantri", is_admin=True)

    def item(by, on, title, steps=(), co=None):
        authors = [{"user_id": by.id, "share": "50"}, {"user_id": co.id, "share": "50"}] if co else None
        sub = services.create_submission(by, on, {"content_type": "tin", "title": title,
                                                  "category": on.categories[0].code, "summary": "Tóm tắt",
                                                  "body_html": "<p>Miền Trung</p>",
                                                  **({"authors": authors} if authors else {})})
        for actor, action in steps:
            services.transition_submission(actor, sub, action, sub.version,
                                           grading=simple_grading(by.username) if action == "approve" else None)
        return sub

    def approved(by, on, title, reviewer):  # one approval level: the reviewer who claims it approves it
        return item(by, on, title, [(by, "submit"), (reviewer, "claim"), (reviewer, "approve")])

    item(author, site, "Bão lũ: nháp của cộng tác viên")
    item(author, site, "Bão lũ: nháp đồng tác giả", co=co_author)
    item(editor, site, "Bão lũ: nháp của biên tập viên")
    item(author, site, "Bão lũ chờ biên tập", [(author, "submit")])
    item(author, site, "Giao thông chờ biên tập", [(author, "submit")])
    item(author, site, "Bão lũ đang biên tập", [(author, "submit"), (editor, "claim")])
    item(co_author, site, "Bão lũ của đồng tác giả", [(co_author, "submit")], co=author)
    item(author, other, "Bão lũ ở huyện, chờ", [(author, "submit")])
    item(author, other, "Bão lũ ở huyện, nháp")
    approved(author, other, "Bão lũ ở huyện, đã duyệt", approver)
    approved(author, site, "Bão lũ ở tỉnh, đã duyệt", editor)
    item(approver, other, "Giao thông huyện, nháp của lãnh đạo")
    db.session.commit()
    return [author, co_author, editor, approver, accountant, both, admin]


def _ids(stmt):
    return sorted(db.session.scalars(stmt.with_only_columns(Submission.id).order_by(None)))


def test_the_parts_are_the_rules_rows(two_sites):
    for user in two_sites:
        parts = visibility_parts(user)
        if user.is_admin:
            assert parts is None  # an admin sees everything: nothing to split
            continue
        together = sorted(db.session.scalars(union(*(part.with_only_columns(Submission.id) for part in parts))))
        assert together == _ids(visible_submissions(user)), user.username
    # The fixture covers the rule: own drafts, co-written drafts, reviewed sites, accounted sites.
    assert len(_ids(visible_submissions(two_sites[1]))) == 2  # ctv2: their item and the co-written draft


def test_a_search_across_sites_finds_what_the_rule_and_the_words_find(two_sites):
    for user in two_sites:
        for filters in FILTERS:
            for q in QUERIES:
                args = dict(filters, q=q)
                # The rule's OR with the words, unranked: one condition, no parts.
                expected, _ = search.matching(visible_submissions(user), q, ranked=False)
                expected = set(_ids(_narrow(expected, user, filters)))
                found = [row.id for row in db.session.scalars(filtered_submissions(user, args))]
                assert len(found) == len(set(found)), (user.username, args)
                assert set(found) == expected, (user.username, args)
    author = two_sites[0]
    titles = {s.title for s in db.session.scalars(filtered_submissions(author, {"q": "bao lu"}))}
    assert "Bão lũ: nháp đồng tác giả" in titles and "Bão lũ của đồng tác giả" in titles
    assert "Bão lũ: nháp của biên tập viên" not in titles


def _narrow(stmt, user, filters):
    """The filters by the list's own code path: filtered_submissions without a search gives the ids they keep."""
    kept = [row.id for row in db.session.scalars(filtered_submissions(user, filters))]
    return stmt.where(Submission.id.in_(kept))


def test_many_hits_through_the_parts_are_listed_newest_first(two_sites, monkeypatch):
    monkeypatch.setattr(search, "RANKED_LIMIT", 2)
    author = two_sites[0]
    found = list(db.session.scalars(filtered_submissions(author, {"q": "bao lu"})))
    expected, _ = search.matching(visible_submissions(author), "bao lu", ranked=False)
    assert {s.id for s in found} == set(_ids(expected)) and len(found) > 2
    assert [s.updated_at for s in found] == sorted((s.updated_at for s in found), reverse=True)


def test_a_contributors_search_asks_the_index_for_the_author(two_sites):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's index (SQLite searches an FTS5 table)")
    definition = db.session.scalar(text("SELECT pg_get_indexdef('ix_submissions_site_author_search'::regclass)"))
    assert "USING gin (site_id, author_id, search_vector)" in definition, definition
    assert db.session.scalar(text("SELECT to_regclass('ix_submissions_site_search')")) is None
    with searches_seen() as seen:
        list(db.session.scalars(filtered_submissions(two_sites[1], {"q": "bao lu"})))
    db.session.rollback()  # its read lock on submissions would hold up plan_with_only's ALTER
    statement, parameters = seen[0]  # the bounded query for the hits' ids
    assert "UNION" in statement
    # Whether the index can take the author (the planner's choice would say nothing on a handful of rows).
    plan = plan_with_only("ix_submissions_site_author_search", statement, parameters)
    conditions = [line for line in plan.splitlines() if "Index Cond" in line and "search_vector" in line]
    assert any("author_id" in line for line in conditions), plan


def _walk(user, args, per_page):
    """Every page of the list by cursor: (ids in order, the first page's total)."""
    sort = args.get("sort", "-updated_at")
    page = keyset.seek_page(filtered_submissions(user, args), sort, per_page=per_page)
    ids, total = [s.id for s in page.items], page.total
    while page.next_cursor:
        page = keyset.seek_page(filtered_submissions(user, args), sort, cursor=page.next_cursor, per_page=per_page)
        ids += [s.id for s in page.items]
    return ids, total


@pytest.mark.parametrize("q", [None, "bao lu"])
def test_a_list_across_sites_pages_the_rules_rows_in_order(two_sites, monkeypatch, q):
    monkeypatch.setattr(search, "RANKED_LIMIT", 2)  # a search's many hits: the newest first, through the parts
    monkeypatch.setattr(keyset, "CAP", 3)  # the capped total of a list longer than the cap
    for user in two_sites:
        for filters in FILTERS:
            args = dict(filters, **({"q": q} if q else {}))
            sort = args.get("sort", "-updated_at")
            # The select run as it is: the rule's OR decides the rows and their order (no parts are read).
            expected = [row.id for row in db.session.scalars(filtered_submissions(user, args))]
            walked, total = _walk(user, args, per_page=2)
            assert walked == expected, (user.username, args)
            assert (int(total), total.capped) == (min(len(expected), 3), len(expected) > 3), (user.username, args)
            for number in (2, 3):  # numbered pages (old links, the API's page)
                page = keyset.seek_page(filtered_submissions(user, args), sort, page=number, per_page=2)
                assert [s.id for s in page.items] == expected[2 * (number - 1):2 * number], (user.username, args)
    # The lists are long enough to page and to pass the cap for some users.
    assert len(_walk(two_sites[0], {}, per_page=2)[0]) > 6


def test_an_admin_a_narrow_filter_and_a_member_of_many_sites_read_no_parts(two_sites, monkeypatch):
    def parts(user, args):
        return filtered_submissions(user, args).get_execution_options().get(keyset._PARTS)

    author, _co_author, _editor, approver, *_, admin = two_sites
    assert not parts(admin, {})
    assert not parts(author, {"mine": True}) and not parts(author, {"q": "bao", "assignee": "me"})
    assert len(parts(author, {})) == 2 and len(parts(approver, {"state": "submitted"})) == 4  # own, co-written, 2 sites
    # A member of many sites: most rows pass the rule's OR, cheaper than a part per site.
    monkeypatch.setattr(queries, "MAX_PART_SITES", 1)
    assert not parts(approver, {}) and len(parts(author, {})) == 2
