"""The royalty grading in the forward/approve forms of the item page, without JavaScript:
the server reads the fields, refuses a bad grading with the values kept and nothing changed."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import Grading, Payee
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import Submission
from tests.conftest import csrf_from, login
from tests.forms import action_form


@pytest.fixture
def item(make):
    """An item on the provincial portal (factor 1.0), planned for 2 January 2030 (the base salary of
    1 July 2026: unit value 253,000), claimed by the editor; two approval levels."""
    site = make.site("tinh", kind="portal", approval_levels=2)
    author = make.user("ctv", roles={site: ["contributor"]}, full_name="Nguyễn Thị Hồng")
    editor = make.user("bientap", roles={site: ["editor"]})
    make.user("lanhdao", roles={site: ["approver"]})
    sub = services.create_submission(author, site, {
        "content_type": "bai", "title": "Bài phỏng vấn", "category": "van-ban", "summary": "Tóm tắt",
        "body_html": "<p>Nội dung</p>", "publish_at": datetime(2030, 1, 2, 1, 30, tzinfo=timezone.utc)})
    services.transition_submission(author, sub, "submit", sub.version)
    services.transition_submission(editor, sub, "claim", sub.version)
    db.session.commit()
    return sub


def _english(client):
    page = client.get("/").get_data(as_text=True)
    client.post("/language/en", data={"csrf_token": csrf_from(page), "next": "/"})


def _page(client, sub):
    response = client.get(f"/submissions/{sub.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _two_parts(fields):
    """What an editor types: the text translated (60/40 with an outsider), and a photo part."""
    return dict(fields, **{
        "g-0-genre": "tin_tong_hop", "g-0-coefficient": "2,0",
        "g-0-f-translation-on": "y", "g-0-f-translation-value": "0.5", "g-0-f-translation-reason": "Dịch từ bản tiếng Anh",
        "g-0-p-0-share": "60", "g-0-p-1-name": "Trần Văn B", "g-0-p-1-pen_name": "TVB", "g-0-p-1-share": "40",
        "g-1-genre": "anh_dong_bang", "g-1-coefficient": "1.2", "g-1-p-0-username": "ctv", "g-1-p-0-share": "100",
    })


def _plain(number):
    return format(number.normalize(), "f")


def _gradings():
    return db.session.scalar(select(func.count(Grading.id)))


def test_the_forward_form_offers_the_genre_and_the_co_authors(client, item):
    login(client, "bientap")
    fields = action_form(_page(client, item), "forward")
    # A "bài" starts as an interview/feature (bai_phan_anh, default 2.0); the author is paid 100%.
    assert fields["g-0-genre"] == "bai_phan_anh" and fields["g-0-coefficient"] == "2"
    assert fields["g-0-p-0-username"] == "ctv" and fields["g-0-p-0-share"] == "100"
    assert "g-0-f-translation-on" not in fields  # adjustments start unchecked
    # ... with their default multiplier, in the page's (Vietnamese) format (0.5 before issue 11, point 9).
    assert fields["g-0-f-translation-value"] == "0,5"


def test_forward_with_two_parts_then_the_approver_keeps_the_editors_grading(client, app, item):
    login(client, "bientap")
    response = client.post(f"/submissions/{item.id}/act", data=_two_parts(action_form(_page(client, item), "forward")))
    assert response.status_code == 302
    sub = db.session.get(Submission, item.id)
    assert sub.state == "pending_approval"
    grading = db.session.scalar(select(Grading).where(Grading.is_current.is_(True)))
    assert grading.action == "forward" and len(grading.parts) == 2
    text, photo = grading.parts
    assert (text.genre_code, _plain(text.coefficient)) == ("tin_tong_hop", "2")
    assert [(f.code, _plain(f.value), f.reason) for f in text.factors] == [
        ("translation", "0.5", "Dịch từ bản tiếng Anh")]
    assert [(p.payee.full_name, p.payee.pen_name, _plain(p.share)) for p in text.payees] == [
        ("Nguyễn Thị Hồng", None, "60"), ("Trần Văn B", "TVB", "40")]
    # The page shows it: 2.0 × 0.5 × 253,000 = 253,000 → 151,800 / 101,200; 1.2 × 253,000 = 303,600;
    # total 556,600.
    page = _page(client, sub)
    for figure in ("151.800", "101.200", "253.000", "303.600", "556.600"):
        assert figure in page
    # The approver's form starts from the editor's grading, and approving keeps it.
    boss = app.test_client()
    login(boss, "lanhdao")
    fields = action_form(_page(boss, sub), "approve")
    assert fields["g-0-genre"] == "tin_tong_hop" and fields["g-0-coefficient"] == "2"
    assert fields["g-0-f-translation-on"] == "y" and fields["g-0-f-translation-reason"] == "Dịch từ bản tiếng Anh"
    assert fields["g-0-p-1-label"] == "Trần Văn B (TVB)" and fields["g-0-p-1-share"] == "40"
    assert fields["g-1-genre"] == "anh_dong_bang"
    assert boss.post(f"/submissions/{sub.id}/act", data=fields).status_code == 302
    assert db.session.get(Submission, item.id).state == "approved"
    current = db.session.scalar(select(Grading).where(Grading.is_current.is_(True)))
    assert current.action == "approve" and current.id != grading.id
    assert [(p.genre_code, [(gp.payee_id, gp.share) for gp in p.payees]) for p in current.parts] == [
        (p.genre_code, [(gp.payee_id, gp.share) for gp in p.payees]) for p in grading.parts]
    # The author sees the grading of their item too.
    author = app.test_client()
    login(author, "ctv")
    assert "556.600" in _page(author, sub)


@pytest.mark.parametrize("change,message", [
    ({"g-0-coefficient": "3"}, "Part 1: the coefficient of Tin tổng hợp, tin sâu, tường thuật must be between 1.2 and 2.5"),
    ({"g-0-p-1-share": "30"}, "Part 1: the shares must add up to 100 (now 90)."),
    ({"g-0-f-translation-reason": "  "}, "Part 1: give a reason for Bản dịch."),
    ({"g-1-coefficient": "abc"}, "Part 2: the coefficient must be a number."),
    ({"g-1-p-0-username": "nobody"}, "Unknown user nobody."),
    ({"g-0-f-translation-value": "0.9"}, "Part 1: Bản dịch must be between 0.40 and 0.65."),
])
def test_a_bad_grading_is_refused_with_the_values_kept_and_nothing_changed(client, item, change, message):
    login(client, "bientap")
    _english(client)
    fields = _two_parts(action_form(_page(client, item), "forward"))
    payees_before = db.session.scalar(select(func.count(Payee.id)))
    response = client.post(f"/submissions/{item.id}/act", data=dict(fields, **change))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'role="alert" id="forward-grading-error"' in page
    # Nothing changed: same state, no grading, no outsider payee created.
    assert db.session.get(Submission, item.id).state == "in_review"
    assert _gradings() == 0
    assert db.session.scalar(select(func.count(Payee.id))) == payees_before
    # What was typed is still in the form.
    kept = action_form(page, "forward")
    for name, value in dict(fields, **change).items():
        if name.startswith("g-"):
            assert kept.get(name) == value, name


def test_removing_every_part_or_every_payee_is_refused(client, item):
    login(client, "bientap")
    _english(client)
    fields = action_form(_page(client, item), "forward")
    response = client.post(f"/submissions/{item.id}/act", data=dict(fields, **{"g-0-remove": "y"}))
    assert response.status_code == 422 and "A grading needs at least one part." in response.get_data(as_text=True)
    response = client.post(f"/submissions/{item.id}/act", data=dict(fields, **{"g-0-p-0-username": ""}))
    assert response.status_code == 422 and "Part 1: name at least one payee." in response.get_data(as_text=True)
    assert db.session.get(Submission, item.id).state == "in_review"


def test_removing_the_only_part_is_refused_in_vietnamese_too(client, item):
    login(client, "bientap")
    fields = action_form(_page(client, item), "forward")
    response = client.post(f"/submissions/{item.id}/act", data=dict(fields, **{"g-0-remove": "y"}))
    assert response.status_code == 422 and "Phiếu chấm cần ít nhất một phần." in response.get_data(as_text=True)
    assert db.session.get(Submission, item.id).state == "in_review" and _gradings() == 0


def test_without_javascript_add_a_part_shows_the_form_again_with_one_more(client, item):
    login(client, "bientap")
    fields = dict(action_form(_page(client, item), "forward"), **{"g-0-coefficient": "2.3", "grading_add_part": "1"})
    response = client.post(f"/submissions/{item.id}/act", data=fields)
    assert response.status_code == 200
    kept = action_form(response.get_data(as_text=True), "forward")
    assert kept["g-0-coefficient"] == "2.3" and kept["g-1-genre"] and kept["g-1-coefficient"]
    assert db.session.get(Submission, item.id).state == "in_review"  # nothing was sent


def test_a_removed_part_is_not_graded(client, item):
    login(client, "bientap")
    fields = _two_parts(action_form(_page(client, item), "forward"))
    fields["g-1-remove"] = "y"
    assert client.post(f"/submissions/{item.id}/act", data=fields).status_code == 302
    grading = db.session.scalar(select(Grading))
    assert [p.genre_code for p in grading.parts] == ["tin_tong_hop"]


def test_actions_without_grading_are_unchanged(client, item):
    login(client, "bientap")
    fields = action_form(_page(client, item), "release")
    assert not any(name.startswith("g-") for name in fields)
    assert client.post(f"/submissions/{item.id}/act", data=fields).status_code == 302
    assert db.session.get(Submission, item.id).state == "submitted"


def test_tampered_grading_fields_are_refused_not_a_server_error(client, item):
    login(client, "bientap")
    _english(client)
    fields = {k: v for k, v in action_form(_page(client, item), "forward").items() if not k.startswith("g-")}
    cases = [
        ({}, "A royalty grading is required to forward this item."),
        ({"g-0-genre": "xyz", "g-0-coefficient": "1", "g-0-p-0-username": "ctv", "g-0-p-0-share": "100"},
         "Part 1: unknown genre xyz"),
        ({"g-0-genre": "tin_ngan", "g-0-coefficient": "1", "g-0-p-0-payee_id": "999999", "g-0-p-0-share": "100"},
         "Unknown payee 999999."),
        ({"g-0-genre": "tin_ngan", "g-0-coefficient": "1", "g-0-p-0-username": "ctv", "g-0-p-0-share": "100",
          "g-0-f-nothing-on": "y", "g-0-f-nothing-value": "2", "g-0-f-nothing-reason": "x"},
         "Part 1: unknown or repeated adjustment nothing."),
        ({"g-0-genre": "tin_ngan", "g-0-coefficient": "1", "g-0-p-0-username": "ctv", "g-0-p-0-share": "100.001"},
         "Part 1: each share must be above 0 and at most 100, with at most two decimals."),
    ]
    for change, message in cases:
        response = client.post(f"/submissions/{item.id}/act", data=dict(fields, **change))
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    assert db.session.get(Submission, item.id).state == "in_review" and _gradings() == 0


def test_the_grading_form_speaks_vietnamese(client, item):
    login(client, "bientap")
    page = _page(client, item)
    assert "Chấm nhuận bút" in page and "Thêm phần" in page and "Khung cho phép: từ 2 đến 2,5" in page
    response = client.post(f"/submissions/{item.id}/act",
                           data=dict(_two_parts(action_form(page, "forward")), **{"g-0-p-1-share": "30"}))
    assert response.status_code == 422
    assert "Phần 1:" in response.get_data(as_text=True)
