"""One site's search reads that site's hits only (issue 15, migration 0018): on PostgreSQL the site is a
column of the search's GIN index, so the words and the site are intersected inside the index. Measured at
1,000,000 items (bench/RESULTS.md): 3-7 s before, when every site's hits were fetched and re-checked."""
import pytest
from sqlalchemy import text

from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from tests.conftest import api_token, bearer
from tests.search_plans import plan_with_only, searches_seen


@pytest.fixture
def postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's index (SQLite searches an FTS5 table, which has no site)")


def _submitted(author, site, title):
    sub = services.create_submission(author, site, {"content_type": "tin", "title": title, "category": "van-ban",
                                                    "body_html": "<p>Nội dung</p>"})
    services.transition_submission(author, sub, "submit", sub.version)
    db.session.commit()


def _searched(client, url):
    """(the editor's API answer to `url`, [(statement, parameters)] of the statements that matched words)."""
    with searches_seen() as seen:
        listing = client.get(url, headers=bearer(api_token(client, "bientap"))).get_json()
    return listing, seen


def test_the_search_index_holds_the_site_and_the_words(postgres):
    # Since migration 0024 the author is a column too (tests/integration/test_visibility_parts.py).
    definition = db.session.scalar(text(
        "SELECT pg_get_indexdef('ix_submissions_site_author_search'::regclass)"))
    assert "USING gin (site_id, author_id, search_vector)" in definition, definition
    # It replaces the vector-only index (a multicolumn GIN index serves any of its columns alone).
    assert db.session.scalar(text("SELECT to_regclass('ix_submissions_search')")) is None


def test_a_one_site_search_asks_the_index_for_the_site(postgres, make, client):
    site = make.site("tinh", kind="portal")
    other = make.site("huyen")
    author = make.user("ctv", roles={site: ["contributor"], other: ["contributor"]})
    make.user("bientap", roles={site: ["editor"], other: ["editor"]})
    for where in (site, other, site):
        _submitted(author, where, "Chuyển đổi số")
    listing, seen = _searched(client, "/api/v1/submissions?site=tinh&q=chuyen doi")
    assert listing["total"] == 2
    statement, parameters = seen[0]  # the hits' ids: the statement that walks the hits
    # Whether the index can take the site (the planner's choice would say nothing on a handful of rows).
    plan = plan_with_only("ix_submissions_site_author_search", statement, parameters)
    assert "ix_submissions_site_author_search" in plan, plan
    condition = next(line for line in plan.splitlines() if "Index Cond" in line and "search_vector" in line)
    assert "site_id" in condition, plan


def test_the_last_words_prefix_is_asked_as_the_words_the_index_holds(postgres, make, client):
    # A prefix in a GIN index reads every site's items holding such a word (87 ms vs 22 ms at 1M,
    # migration 0019): the words beginning with it are looked up in search_lexemes and asked for by name.
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    make.user("bientap", roles={site: ["editor"]})
    for title in ("Đường giao thông nông thôn", "Giáo dục thường xuyên"):
        _submitted(author, site, title)
    listing, seen = _searched(client, "/api/v1/submissions?site=tinh&q=giao th")
    queries = [parameters["search_query"] for _statement, parameters in seen]
    assert sorted(item["title"] for item in listing["items"]) == ["Giáo dục thường xuyên", "Đường giao thông nông thôn"]
    # The words beginning with "th", by name: those the trigger took from these items, and any earlier
    # test's (words are never removed: a word no item holds only adds a term matching nothing).
    first, ending = queries[0].split(" & ", 1)
    assert first == "'giao'" and ending.startswith("(") and ":*" not in ending, queries
    asked = {word.strip(" '()") for word in ending.split("|")}
    assert {"thon", "thong", "thuong"} <= asked and all(word.startswith("th") for word in asked), queries


def test_a_prefix_with_too_many_words_stays_a_prefix(postgres, make):
    from bbt_workflow.submissions import search

    db.session.execute(text("INSERT INTO search_lexemes (word) SELECT 'tu' || n FROM generate_series(1, 40) n"))
    assert search._words_beginning("tu") is None
    assert search._pg_query_text(["tu"], search._words_beginning("tu")) == "'tu':*"
    assert search._words_beginning("tu3") == ["tu3"] + [f"tu3{n}" for n in range(10)]  # code point order
