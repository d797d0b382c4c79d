"""The queue page (issue 14): tabs with counts and the active one marked, state colours, how long each
item has waited and who holds it since when, and claiming several items in one POST."""
import re
from datetime import timedelta

from sqlalchemy import select

from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from bbt_workflow.accounts.models import User
from bbt_workflow.submissions.models import Submission
from tests.conftest import csrf_from, login


def _site_with_items(make, titles):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    make.user("bientap", roles={site: ["editor"]}, full_name="Trần Văn Minh")
    make.user("bientap2", roles={site: ["editor"]}, full_name="Lê Thị Hai")
    subs = []
    for title in titles:
        sub = services.create_submission(author, site, {"content_type": "tin", "title": title,
                                                        "category": "van-ban", "body_html": "<p>Nội dung</p>"})
        services.transition_submission(author, sub, "submit", sub.version)
        subs.append(sub)
    db.session.commit()
    return site, subs


def _rows(page):
    return re.findall(r"<tr data-row>(.*?)</tr>", page, re.S)


def test_tabs_mark_the_current_one_and_badges_carry_the_state(client, make):
    _site_with_items(make, ["Tin một", "Tin hai"])
    login(client, "bientap")
    page = client.get("/sites/tinh/queue?state=submitted").get_data(as_text=True)
    current = re.findall(r'<a class="nav-link active" href="([^"]+)" aria-current="page">([^<]+)</a>', page)
    assert current == [("/sites/tinh/queue?state=submitted", "Chờ biên tập (2)")]
    assert page.count('class="badge state-badge state-submitted"') == 2
    everything = client.get("/sites/tinh/queue").get_data(as_text=True)
    assert re.findall(r'aria-current="page">([^<]+)</a>', everything) == ["Tất cả"]
    assert 'aria-current="page">Chờ tôi xử lý' in client.get("/sites/tinh/queue?view=awaiting").get_data(as_text=True)


def test_waiting_time_counts_from_entering_the_state_and_the_holder_shows_since_when(client, make, monkeypatch):
    # The service's clock: the first item entered "submitted" three days ago, the second was claimed
    # two hours ago (instants relative to now, never a fixed date).
    now = utcnow()
    clock = {"now": now - timedelta(days=3, minutes=5)}
    monkeypatch.setattr("bbt_workflow.submissions.services.utcnow", lambda: clock["now"])
    site, (waiting, held) = _site_with_items(make, ["Chờ lâu", "Đang giữ"])
    from bbt_workflow.accounts.models import User
    other = db.session.scalar(select(User).where(User.username == "bientap2"))
    clock["now"] = now - timedelta(hours=2, minutes=5)
    services.transition_submission(other, held, "claim", held.version)
    db.session.commit()
    login(client, "bientap")
    rows = {re.search(r"data-open>([^<]+)</a>", r).group(1): r for r in _rows(client.get("/sites/tinh/queue").get_data(as_text=True))}
    assert re.search(r'class="waited-long"[^>]*>3 ngày</span>', rows["Chờ lâu"])
    assert re.search(r'class=""[^>]*>2 giờ</span>', rows["Đang giữ"])
    assert "Lê Thị Hai" in rows["Đang giữ"] and "từ " in rows["Đang giữ"]
    # Only the unclaimed item offers a claim button and a checkbox.
    assert "data-claim" in rows["Chờ lâu"] and 'name="items"' in rows["Chờ lâu"]
    assert "data-claim" not in rows["Đang giữ"] and 'name="items"' not in rows["Đang giữ"]


def test_bulk_claim_claims_each_checked_item_and_says_which_failed_and_why(client, make):
    site, (first, second, third) = _site_with_items(make, ["Tin A", "Tin B", "Tin C"])
    login(client, "bientap")
    page = client.get("/sites/tinh/queue?state=submitted").get_data(as_text=True)
    values = re.findall(r'name="items" value="([^"]+)"', page)
    assert sorted(values) == sorted(f"{s.id}:{s.version}" for s in (first, second, third))
    # Meanwhile another editor takes "Tin B": our page is out of date for that one.
    from bbt_workflow.accounts.models import User
    other = db.session.scalar(select(User).where(User.username == "bientap2"))
    services.transition_submission(other, second, "claim", second.version)
    db.session.commit()
    response = client.post("/sites/tinh/queue/claim", data={"csrf_token": csrf_from(page), "items": values,
                                                            "back": "state=submitted"})
    assert response.status_code == 302 and response.headers["Location"] == "/sites/tinh/queue?state=submitted"
    db.session.expire_all()
    me = db.session.scalar(select(User).where(User.username == "bientap"))
    assert [db.session.get(Submission, s.id).assignee_id for s in (first, second, third)] == [me.id, other.id, me.id]
    result = client.get("/sites/tinh/queue?state=submitted").get_data(as_text=True)
    assert re.search(r'alert-success[^>]*>Đã nhận xử lý 2: Tin [AC]; Tin [AC]\.', result)
    refused = re.findall(r'alert-danger[^>]*>(Không nhận được: Tin B – [^<]+)<', result)
    assert len(refused) == 1 and "tải lại" in refused[0].lower(), refused


def test_claim_button_of_a_row_claims_and_opens_the_item(client, make):
    site, (sub,) = _site_with_items(make, ["Tin một"])
    login(client, "bientap")
    page = client.get("/sites/tinh/queue").get_data(as_text=True)
    value = re.search(r'name="open" value="([^"]+)"', page).group(1)
    response = client.post("/sites/tinh/queue/claim", data={"csrf_token": csrf_from(page), "open": value})
    assert response.status_code == 302 and response.headers["Location"] == f"/submissions/{sub.id}"
    db.session.expire_all()
    assert db.session.get(Submission, sub.id).state == "in_review"


def test_claiming_needs_the_token_and_the_reviewer_role(client, make):
    site, (sub,) = _site_with_items(make, ["Tin một"])
    login(client, "bientap")
    client.post("/sites/tinh/queue/claim", data={"items": [f"{sub.id}:{sub.version}"]})
    db.session.expire_all()
    assert db.session.get(Submission, sub.id).state == "submitted"
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    login(client, "ctv")
    page = client.get("/").get_data(as_text=True)
    refused = client.post("/sites/tinh/queue/claim", data={"csrf_token": csrf_from(page), "items": [f"{sub.id}:{sub.version}"]})
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(Submission, sub.id).state == "submitted"


def test_claim_buttons_follow_the_workflow_for_each_row_and_viewer(make):
    # The queue lists plain rows (queries.ListedItem) and asks services.claimable_ids; it must answer what the
    # item page's allowed_actions_for answers for every row: an editor who wrote or co-wrote a waiting item,
    # a held item, a two-level site's four-eyes rule, an admin.
    from flask import current_app

    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    writer = make.user("bt_viet", roles={site: ["editor"]})
    co_writer = make.user("bt_dong", roles={site: ["editor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    approver = make.user("pheduyet", roles={site: ["approver"]})
    make.user("quantri", is_admin=True)

    def item(by, title, co=None):
        authors = [{"user_id": by.id, "share": "50"}, {"user_id": co.id, "share": "50"}] if co else None
        sub = services.create_submission(by, site, {"content_type": "tin", "title": title, "category": "van-ban",
                                                    "body_html": "<p>Nội dung</p>",
                                                    **({"authors": authors} if authors else {})})
        services.transition_submission(by, sub, "submit", sub.version)
        return sub

    item(author, "Của cộng tác viên")
    item(writer, "Biên tập viên tự viết")
    item(author, "Viết chung", co=co_writer)
    held = item(author, "Đang giữ")
    services.transition_submission(editor, held, "claim", held.version)
    db.session.commit()

    outcomes = {}
    for viewer in ("bientap", "bt_viet", "bt_dong", "pheduyet", "quantri"):
        client = current_app.test_client()
        login(client, viewer)
        page = client.get("/sites/tinh/queue").get_data(as_text=True)
        user = db.session.scalar(select(User).where(User.username == viewer))
        for sub in db.session.scalars(select(Submission).where(Submission.site_id == site.id)):
            row = next(r for r in _rows(page) if f"/submissions/{sub.id}\"" in r)
            may_claim = "claim" in services.allowed_actions_for(user, sub)
            outcomes[viewer, sub.title] = may_claim
            assert ("data-claim" in row) == may_claim, (viewer, sub.title, may_claim)
            assert ('name="items"' in row) == may_claim, (viewer, sub.title)
    # Both answers occur: a waiting item is claimable by every reviewer, its author included (four-eyes bars
    # forwarding and approving one's own item, not claiming it); a held item by nobody.
    assert all(outcomes[viewer, "Viết chung"] and not outcomes[viewer, "Đang giữ"]
               for viewer in ("bientap", "bt_viet", "bt_dong", "pheduyet", "quantri"))


def test_row_links_are_the_items_own_under_an_application_root(client, make):
    # queue_rows builds one URL through the URL map and the others by its pattern: under a mount point
    # (SCRIPT_NAME) and for ids of different lengths each link must be the one url_for gives.
    from flask import url_for

    site, subs = _site_with_items(make, [f"Tin {k}" for k in range(12)])
    login(client, "bientap")
    page = client.get("/sites/tinh/queue", environ_overrides={"SCRIPT_NAME": "/bbt"}).get_data(as_text=True)
    links = dict(re.findall(r'<a href="([^"]+)" data-open>([^<]+)</a>', page))
    with client.application.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/bbt"}):
        expected = {url_for("submissions_web.detail", submission_id=s.id): s.title for s in subs}
    assert links == expected and all(link.startswith("/bbt/submissions/") for link in links)


def test_the_rows_speak_each_readers_language_one_after_another(client, make):
    # queue_rows keeps each language's words once translated (per process): a reader in English after one in
    # Vietnamese, and back, reads their own words in every row.
    _site_with_items(make, ["Tin một"])
    login(client, "bientap")
    expected = {"vi": ("Chờ biên tập", "phút", "Nhận xử lý Tin một"),
                "en": ("Waiting for review", "min", "Claim Tin một")}
    for lang in ("vi", "en", "vi", "en"):
        (row,) = _rows(client.get(f"/sites/tinh/queue?lang={lang}").get_data(as_text=True))
        state, minutes, claim = expected[lang]
        assert f'state-submitted">{state}</span>' in row
        assert re.search(rf">\d+ {minutes}</span>", row)
        assert f'aria-label="{claim}"' in row
        other = expected["en" if lang == "vi" else "vi"]
        assert other[0] not in row and other[2] not in row


def test_the_filter_panel_shows_what_is_true_now(client, make, monkeypatch):
    # The panel's fields are cached under a digest of all they show (QueueFilterForm.panel_key): a renamed unit,
    # a new category, a chosen value, a field's error and the other language each show at once; the same panel
    # again is not written again.
    from bbt_workflow.accounts.services import create_category, update_unit
    from bbt_workflow.forms_base import LongSelect

    site, _subs = _site_with_items(make, ["Tin một"])
    unit = make.unit("so-a", "Sở A")
    login(client, "bientap")

    def panel(query=""):
        page = client.get(f"/sites/tinh/queue{query}").get_data(as_text=True)
        return page[page.index('id="more-filters"'):page.index("</form>", page.index('id="more-filters"'))]

    first = panel()
    assert '<option value="so-a">Sở A</option>' in first and "Tất cả đơn vị" in first
    written = []
    original = LongSelect.__call__
    monkeypatch.setattr(LongSelect, "__call__", lambda self, field, **kw: written.append(field.name) or
                        original(self, field, **kw))
    assert panel() == first and written == []  # from the cache

    update_unit(None, unit, name="Sở A (mới)")
    db.session.commit()
    assert '<option value="so-a">Sở A (mới)</option>' in panel()
    assert written  # written again: what it shows changed
    create_category(None, site, code="moi", name="Chuyên mục mới")
    db.session.commit()
    assert '<option value="moi">Chuyên mục mới</option>' in panel()
    assert '<option selected value="so-a">' in panel("?unit=so-a")
    assert '<option selected value="so-a">' not in panel()
    assert "invalid-feedback" in panel("?from_=31/02/2026") and 'value="31/02/2026"' in panel("?from_=31/02/2026")
    assert "invalid-feedback" not in panel() and "31/02/2026" not in panel()
    assert "All units" in panel("?lang=en") and "Tất cả đơn vị" not in panel("?lang=en")
    assert "Tất cả đơn vị" in panel("?lang=vi")
