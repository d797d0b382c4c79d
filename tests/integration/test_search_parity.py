"""The search finds the same items on SQLite (FTS5) and PostgreSQL (tsvector): run this file on both
(TEST_DATABASE_URL set for PostgreSQL). The expected hits are written by hand, not computed."""
import pytest
from sqlalchemy import delete, insert, select

from bbt_workflow.db_types import utcnow
from bbt_workflow.domain.text_search import fold
from bbt_workflow.extensions import db
from bbt_workflow.submissions import search
from bbt_workflow.submissions.models import Submission
from bbt_workflow.submissions.queries import filtered_submissions

# key: (title, body text); the editor sees every one of these (submitted on their site).
CORPUS = {
    "cds": ("Chuyển đổi số tại Sở Thông tin", "Triển khai nền tảng số."),
    "plain": ("chuyen doi so khong dau", ""),
    "order": ("SỐ HÓA VÀ CHUYỂN ĐỔI", "Bước đầu"),
    "road": ("Đường giao thông nông thôn", ""),
    "road2": ("duong giao thong", "Huyện Ninh Hải"),
    "school": ("Giáo dục đào tạo", ""),
    "mail": ("Liên hệ", "Email: lienhe@ninhthuan.gov.vn, điểm 3.5/10; xem tai_lieu.pdf"),
    "quotes": ("Hội nghị “Chuyển đổi số” – năm 2025", "…"),
}
# Items the editor must never see, whatever the search: another site's, a draft of someone else.
HIDDEN = {"other_site": ("Chuyển đổi số giao thông", "lienhe 3.5 năm 2025"),
          "draft": ("Chuyển đổi số, giao thông — bản nháp", "lienhe 3.5 năm 2025")}

CASES = [
    ("chuyen doi so", {"cds", "plain", "order", "quotes"}),
    ("CHUYỂN ĐỔI", {"cds", "plain", "order", "quotes"}),
    ("doi chuyen", {"cds", "plain", "order", "quotes"}),          # any order
    ("chuyển_đổi", {"cds", "plain", "order", "quotes"}),          # punctuation between words
    ("so", {"cds", "plain", "order", "quotes"}),                  # số, sở, số hóa
    ("đường", {"road", "road2"}),
    ("Duong", {"road", "road2"}),
    ("giao", {"road", "road2", "school"}),                        # prefix: giao, giáo
    ("giao th", {"road", "road2"}),                               # the last word as a prefix only
    ("th giao", set()),                                           # ... not the others ("th" is no word)
    ("chuyen doi s", {"cds", "plain", "order", "quotes"}),
    ("chuye doi", set()),                                         # a word before the last is whole
    ("ninh hai", {"road2"}),
    ("gov", {"mail"}),                                            # inside an e-mail address
    ("ninhthuan gov vn", {"mail"}),
    ("lienhe@ninhthuan.gov.vn", {"mail"}),
    ("3.5", {"mail"}),
    ("tai lieu pdf", {"mail"}),
    ("nam 2025", {"quotes"}),
    ("hoi ngh", {"quotes"}),
    ("“chuyển đổi số”", {"cds", "plain", "order", "quotes"}),
    ("xyzzy", set()),
]


@pytest.fixture
def corpus(app, make):
    site = make.site("tinh", kind="portal")
    other = make.site("huyen")
    author = make.user("tacgia", roles={site: ["contributor"], other: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    now = utcnow()

    def row(site_id, state, title, body):
        return {"site_id": site_id, "content_type": "tin", "title": title, "summary": "", "body_html": f"<p>{body}</p>",
                "language": "vi", "state": state, "version": 1, "revision": 1, "author_id": author.id,
                "search_text": fold(f"{title} {body}"), "created_at": now, "updated_at": now}

    rows = [row(site.id, "submitted", *text) for text in CORPUS.values()]
    rows += [row(other.id, "submitted", *HIDDEN["other_site"]), row(site.id, "draft", *HIDDEN["draft"])]
    db.session.execute(insert(Submission), rows)
    db.session.commit()
    keys = {title: key for key, (title, _) in (CORPUS | HIDDEN).items()}
    return editor, keys


def _hits(user, keys, q, **filters):
    return {keys[s.title] for s in db.session.scalars(filtered_submissions(user, {"q": q, **filters}))}


# The search finds its hits three ways (submissions/search.py): ranked, across the sites the reader sees;
# ranked, one site (SQLite walks the site's index); more hits than it ranks (newest first, SQLite walks the
# sort's index). Each must give the same hits.
@pytest.mark.parametrize("way", ["ranked", "one site", "many hits"])
@pytest.mark.parametrize("q,expected", CASES)
def test_same_hits_on_every_backend(corpus, monkeypatch, q, expected, way):
    editor, keys = corpus
    filters = {"site": "tinh"} if way == "one site" else {}
    if way == "many hits":
        monkeypatch.setattr(search, "RANKED_LIMIT", 0)
    assert _hits(editor, keys, q, **filters) == expected


def test_the_index_follows_edits_and_deletions(corpus):
    editor, keys = corpus
    sub = db.session.scalar(select(Submission).where(Submission.title == CORPUS["school"][0]))
    sub.search_text = fold("Giáo dục nghề nghiệp, chuyển đổi số")
    db.session.commit()
    assert _hits(editor, keys, "nghe nghiep chuyen") == {"school"}
    assert _hits(editor, keys, "dao tao") == set()
    db.session.execute(delete(Submission).where(Submission.id == sub.id))
    db.session.commit()
    assert _hits(editor, keys, "nghe nghiep") == set()


def test_search_keeps_an_explicit_sort(corpus):
    editor, keys = corpus
    # An explicit sort other than the default still applies (the same order as without a search).
    by_title = [keys[s.title] for s in db.session.scalars(filtered_submissions(editor, {"sort": "title"}))]
    found = [keys[s.title] for s in db.session.scalars(filtered_submissions(editor, {"q": "giao", "sort": "title"}))]
    assert found == [key for key in by_title if key in {"road", "road2", "school"}]


def test_a_new_word_is_found_by_its_prefix(corpus):
    # PostgreSQL asks for the words beginning with the last one by name (search_lexemes, kept by a trigger):
    # a word no item held before must be found as soon as an item holds it, written or edited.
    editor, keys = corpus
    site_id = db.session.scalar(select(Submission.site_id).where(Submission.title == CORPUS["cds"][0]))
    author_id = db.session.scalar(select(Submission.author_id).where(Submission.title == CORPUS["cds"][0]))
    now = utcnow()
    db.session.execute(insert(Submission), [{
        "site_id": site_id, "content_type": "tin", "title": "Xylophone", "summary": "", "body_html": "",
        "language": "vi", "state": "submitted", "version": 1, "revision": 1, "author_id": author_id,
        "search_text": fold("Xylophone"), "created_at": now, "updated_at": now}])
    db.session.commit()
    keys = dict(keys, Xylophone="new")
    assert _hits(editor, keys, "xylo") == {"new"}
    sub = db.session.scalar(select(Submission).where(Submission.title == CORPUS["school"][0]))
    sub.search_text = fold("Giáo dục xylophonia")
    db.session.commit()
    assert _hits(editor, keys, "xylo") == {"new", "school"}
    assert _hits(editor, keys, "giao xylo") == {"school"}
    assert _hits(editor, keys, "xylophonia") == {"school"}
    assert _hits(editor, keys, "xylophoniab") == set()
