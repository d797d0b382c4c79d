"""GET /api/v1/reports/summary (issue 13, API.md "Reports summary") against a data set built through the
services, every figure computed by hand.

"This year" Y is the year before last and "last year" is Y - 1, so every instant is in the past whatever
the clock says. Items of the workflow are moved with the workflow service's clock set to instants of Y
(history, first submit and publish times follow it); items of both years also come in through the import.
"""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bbt_workflow.accounts.models import Category
from bbt_workflow.accounts.services import set_plan_target
from bbt_workflow.domain.content_types import CONTENT_TYPE_CODES
from bbt_workflow.extensions import db
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.royalties.models import FeeRule
from bbt_workflow.royalties.rules.queries import unit_value_on
from bbt_workflow.royalties.sheets.transitions import create_sheet, transition_sheet
from bbt_workflow.submissions.models import Submission
from bbt_workflow.submissions.services import create_submission, transition_submission
from tests.conftest import api_token, bearer, simple_grading

VN = ZoneInfo("Asia/Ho_Chi_Minh")
Y = datetime.now(timezone.utc).year - 2
P = Y - 1
CAT_A, CAT_B = "tin-tuc-su-kien", "chuyen-doi-so"


def local(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=VN)


class Clock:
    def __init__(self):
        self.now = None

    def __call__(self):
        return (self.now or datetime.now(timezone.utc)).astimezone(timezone.utc)


@pytest.fixture
def board(make, client, monkeypatch):
    clock = Clock()
    monkeypatch.setattr("bbt_workflow.submissions.services.utcnow", clock)
    cong = make.site("cong", kind="portal", approval_levels=2)
    huyen = make.site("huyen", kind="component", approval_levels=1)
    stttt, dai, thue = make.unit("stttt"), make.unit("dai"), make.unit("cuc-thue")
    people = {
        "admin": make.user("quantri", is_admin=True),
        "lanhdao": make.user("lanhdao", roles={cong: ["approver"]}),
        "ketoan": make.user("ketoan", roles={cong: ["accountant"]}),
        "bientap": make.user("bientap", roles={cong: ["editor"]}),
        "ctv1": make.user("ctv1", roles={cong: ["contributor"]}, unit=stttt.code),
        "ctv2": make.user("ctv2", roles={cong: ["contributor"]}, unit=dai.code),
        "thue": make.user("thue", roles={cong: ["contributor"]}, unit=thue.code),
        # Contributor and editor: not "a contributor" for the reports.
        "mixed": make.user("mixed", roles={cong: ["contributor", "editor"]}, unit=stttt.code),
        "huyen_ld": make.user("huyen_ld", roles={huyen: ["approver"]}),
        "huyen_ketoan": make.user("huyen_ketoan", roles={huyen: ["accountant"]}),
    }
    admin = people["admin"]

    def item(ext, when, content_type="tin", category=CAT_A, unit=None, author="ctv1"):
        row = {"external_id": ext, "content_type": content_type, "category": category, "title": f"Tin {ext}",
               "published_at": when.isoformat(), "royalty_settled": True}
        if author:
            row["author_username"] = author
        else:
            row["author_name"] = "Cộng tác viên ngoài"
        if unit:
            row["unit"] = unit
        return row

    # This year, on the portal: i1, i2, i3 in the period (i3 on its last local day), i4 the first minutes of
    # 1 April local (31 March UTC: out), i5 the last minute of the year before (out), i6 taken down later.
    assert import_items(admin, cong, [
        item("i1", local(Y, 1, 10), unit="stttt"),
        item("i2", local(Y, 2, 15), unit="dai", author="ctv2"),
        item("i3", local(Y, 3, 31, 23, 30), content_type="bai", category=CAT_B, unit="stttt"),
        item("i4", local(Y, 4, 1, 0, 10), content_type="video", category=CAT_B, unit="dai", author="ctv2"),
        item("i5", local(P, 12, 31, 23, 59), unit="stttt"),
        item("i6", local(Y, 1, 20), unit="stttt"),
    ])["created"] == 6
    # Last year: seven in 1 January – 31 March, one on 1 April local (31 March 17:00 UTC).
    assert import_items(admin, cong, [
        item("p1", local(P, 1, 1, 0, 0)), item("p2", local(P, 1, 31)), item("p3", local(P, 2, 10)),
        item("p4", local(P, 2, 28, 23, 0)), item("p5", local(P, 3, 1)), item("p6", local(P, 3, 15)),
        item("p7", local(P, 3, 31, 23, 59)),
        item("p8", datetime(P, 3, 31, 17, 0, tzinfo=timezone.utc)),
    ])["created"] == 8
    # The district site: one item by an outsider, no unit.
    assert import_items(admin, huyen, [item("h1", local(Y, 1, 5), author=None)])["created"] == 1
    db.session.commit()

    i6 = db.session.scalar(select(Submission).where(Submission.external_id == "i6"))
    clock.now = local(Y, 4, 20)
    transition_submission(people["lanhdao"], i6, "unpublish", i6.version, comment="Gỡ theo yêu cầu")
    db.session.commit()

    db.session.add(FeeRule(site_id=cong.id, role="editor", kind="percent", value=Decimal("10"),
                           effective_from=date(2000, 1, 1), source_text="QĐ của Ban Biên tập"))
    set_plan_target(admin, cong, Y, plan_items=37, royalty_budget=10_000_000)
    set_plan_target(admin, huyen, Y, plan_items=10, royalty_budget=2_000_000)
    db.session.commit()

    def new(who, content_type="tin", category=CAT_A):
        sub = create_submission(people[who], cong, {"content_type": content_type, "category": category,
                                                    "title": "Bài mới", "summary": "Tóm tắt",
                                                    "body_html": "<p>Nội dung</p>"})
        db.session.commit()
        return sub

    def act(sub, who, action, at, **extra):
        clock.now = at
        transition_submission(people[who], sub, action, sub.version, **extra)
        db.session.commit()

    grading = simple_grading  # the payee is the author
    # w1 (ctv1): submitted 1 Feb 08:00, published 2 Feb 10:00 → 26 h.
    w1 = new("ctv1")
    act(w1, "ctv1", "submit", local(Y, 2, 1, 8))
    act(w1, "bientap", "claim", local(Y, 2, 1, 9))
    act(w1, "bientap", "forward", local(Y, 2, 1, 10), grading=grading("ctv1"))
    act(w1, "lanhdao", "approve", local(Y, 2, 2, 10))
    # w2 (ctv2): returned once ("Thiếu nguồn"), submitted first 3 Feb 08:00, published 5 Feb 18:00 → 58 h.
    w2 = new("ctv2")
    act(w2, "ctv2", "submit", local(Y, 2, 3, 8))
    act(w2, "bientap", "claim", local(Y, 2, 3, 9))
    act(w2, "bientap", "return", local(Y, 2, 3, 10), comment="Thiếu nguồn")
    act(w2, "ctv2", "submit", local(Y, 2, 4, 8))
    act(w2, "bientap", "claim", local(Y, 2, 4, 9))
    act(w2, "bientap", "forward", local(Y, 2, 4, 10), grading=grading("ctv2"))
    act(w2, "lanhdao", "approve", local(Y, 2, 5, 18))
    # w3 (ctv1): returned ("Thiếu nguồn") and left so.
    w3 = new("ctv1")
    act(w3, "ctv1", "submit", local(Y, 2, 6, 8))
    act(w3, "bientap", "claim", local(Y, 2, 6, 9))
    act(w3, "bientap", "return", local(Y, 2, 6, 10), comment="Thiếu nguồn")
    # w4 (ctv2): rejected.
    w4 = new("ctv2")
    act(w4, "ctv2", "submit", local(Y, 2, 7, 8))
    act(w4, "bientap", "claim", local(Y, 2, 7, 9))
    act(w4, "bientap", "reject", local(Y, 2, 7, 10), comment="Trùng lặp")
    # w5 (ctv1): returned ("Ảnh mờ"), submitted again: waits as submitted.
    w5 = new("ctv1")
    act(w5, "ctv1", "submit", local(Y, 3, 2, 8))
    act(w5, "bientap", "claim", local(Y, 3, 2, 9))
    act(w5, "bientap", "return", local(Y, 3, 2, 10), comment="Ảnh mờ")
    act(w5, "ctv1", "submit", local(Y, 3, 3, 8))
    # w6 (mixed, not a contributor for the reports): returned ("Sai chính tả"), published 1 Mar 18:00 → 10 h.
    w6 = new("mixed")
    act(w6, "mixed", "submit", local(Y, 3, 1, 8))
    act(w6, "bientap", "claim", local(Y, 3, 1, 9))
    act(w6, "bientap", "return", local(Y, 3, 1, 10), comment="Sai chính tả")
    act(w6, "mixed", "submit", local(Y, 3, 1, 11))
    act(w6, "bientap", "claim", local(Y, 3, 1, 12))
    act(w6, "bientap", "forward", local(Y, 3, 1, 13), grading=grading("mixed"))
    act(w6, "lanhdao", "approve", local(Y, 3, 1, 18))
    # w7 (ctv2): claimed, in review now.
    w7 = new("ctv2")
    act(w7, "ctv2", "submit", local(Y, 3, 20, 8))
    act(w7, "bientap", "claim", local(Y, 3, 20, 9))
    # w8 (ctv1): forwarded on 2 April (after the period): pending approval now.
    w8 = new("ctv1")
    act(w8, "ctv1", "submit", local(Y, 3, 30, 8))
    act(w8, "bientap", "claim", local(Y, 4, 2, 9))
    act(w8, "bientap", "forward", local(Y, 4, 2, 10), grading=grading("ctv1"))
    for sub in (w1, w2, w6):
        assert sub.state == "published"

    # February's sheet paid (w1, w2: royalty + editor fee); March's (w6) left a draft: not spent.
    ketoan = people["ketoan"]
    sheet = create_sheet(ketoan, cong, f"{Y}-02")
    db.session.commit()
    for who, action in (("ketoan", "check"), ("lanhdao", "approve"), ("ketoan", "pay")):
        transition_sheet(people[who], sheet, action, sheet.version)
        db.session.commit()
    assert sheet.state == "paid"
    create_sheet(ketoan, cong, f"{Y}-03")
    db.session.commit()

    categories = {c.code for c in db.session.scalars(select(Category).where(Category.active.is_(True)))}
    h = {name: bearer(api_token(client, user.username)) for name, user in people.items()}
    return {"h": h, "categories": categories}


def _get(client, h, site="cong", start=f"{Y}-01-01", end=f"{Y}-03-31"):
    return client.get(f"/api/v1/reports/summary?site={site}&from={start}&to={end}", headers=h)


def _expected_spending(budget):
    # 1.5 × the unit value of February (one base salary for the month), editor fee 10% of each royalty.
    royalty = int(Decimal("1.5") * unit_value_on(date(Y, 2, 2)))
    assert royalty == int(Decimal("1.5") * unit_value_on(date(Y, 2, 5)))
    fee = int((Decimal(royalty) / 10).quantize(Decimal(1)))
    spent = 2 * royalty + 2 * fee
    return {"royalties": 2 * royalty, "fees": 2 * fee, "budget": budget,
            "percent": float((Decimal(spent) * 100 / budget).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP"))}


def test_every_figure_of_a_site(client, board):
    response = _get(client, board["h"]["ketoan"])
    assert response.status_code == 200, response.get_json()
    by_category = {code: 0 for code in board["categories"]}
    # Published in Q1 and still published: i1, i2, i3 (imported), w1, w2, w6 (the workflow).
    by_category.update({CAT_A: 5, CAT_B: 1})
    assert response.get_json() == {
        "site": "cong", "from": f"{Y}-01-01", "to": f"{Y}-03-31",
        "published": {
            "total": 6,
            "by_content_type": {**{ct: 0 for ct in CONTENT_TYPE_CODES}, "tin": 5, "bai": 1},
            "by_category": by_category,
            "by_unit": {"stttt": 4, "dai": 2, "cuc-thue": 0},
        },
        "units_without_items": ["cuc-thue"],
        # 6 / 37 = 16.22 %.
        "target": {"year": Y, "plan_items": 37, "published_year_to_date": 6, "percent": 16.2},
        # 7 last year: (6 - 7) / 7 = -14.29 %.
        "previous_year": {"from": f"{P}-01-01", "to": f"{P}-03-31", "total": 7, "change_percent": -14.3},
        # Decided in the period, contributors' items only: w1, w2, w3, w4, w5 (w8 forwarded in April,
        # w6's author is also an editor).
        "contributors": {"reviewed": 5, "approved": 2, "returned": 3, "rejected": 1,
                         "top_return_reasons": [{"reason": "Thiếu nguồn", "count": 2},
                                                {"reason": "Ảnh mờ", "count": 1}]},
        # [10, 26, 58]: median 26; p90 at position 1.8 = 26 + 0.8 × 32 = 51.6.
        "lead_time_hours": {"median": 26.0, "p90": 51.6},
        "waiting": {"submitted": 1, "in_review": 1, "pending_approval": 1},
        "spending": _expected_spending(10_000_000),
    }
    # The approver and the admin read the same figures.
    assert _get(client, board["h"]["lanhdao"]).get_json() == response.get_json()
    assert _get(client, board["h"]["admin"]).get_json() == response.get_json()


def test_every_figure_of_all_sites(client, board):
    response = _get(client, board["h"]["lanhdao"], site="all")
    assert response.status_code == 200, response.get_json()
    by_category = {code: 0 for code in board["categories"]}
    by_category.update({CAT_A: 6, CAT_B: 1})  # h1 on the district site too
    assert response.get_json() == {
        "site": "all", "from": f"{Y}-01-01", "to": f"{Y}-03-31",
        "published": {
            "total": 7,
            "by_content_type": {**{ct: 0 for ct in CONTENT_TYPE_CODES}, "tin": 6, "bai": 1},
            "by_category": by_category,
            "by_unit": {"stttt": 4, "dai": 2, "cuc-thue": 0},  # h1 has no unit
        },
        "units_without_items": ["cuc-thue"],
        # 7 / (37 + 10) = 14.89 %.
        "target": {"year": Y, "plan_items": 47, "published_year_to_date": 7, "percent": 14.9},
        "previous_year": {"from": f"{P}-01-01", "to": f"{P}-03-31", "total": 7, "change_percent": 0.0},
        "contributors": {"reviewed": 5, "approved": 2, "returned": 3, "rejected": 1,
                         "top_return_reasons": [{"reason": "Thiếu nguồn", "count": 2},
                                                {"reason": "Ảnh mờ", "count": 1}]},
        "lead_time_hours": {"median": 26.0, "p90": 51.6},
        "waiting": {"submitted": 1, "in_review": 1, "pending_approval": 1},
        "spending": _expected_spending(12_000_000),
    }
    assert _get(client, board["h"]["admin"], site="all").get_json() == response.get_json()


def test_a_year_without_target_and_the_year_to_date(client, board):
    # April of Y: i4 (1 April 00:10 local) only; the year to date counts 1 January – 30 April: 7.
    body = _get(client, board["h"]["ketoan"], start=f"{Y}-04-01", end=f"{Y}-04-30").get_json()
    assert body["published"]["total"] == 1
    assert body["target"] == {"year": Y, "plan_items": 37, "published_year_to_date": 7, "percent": 18.9}
    # Last year's April: p8 only → (1 - 1) / 1.
    assert body["previous_year"] == {"from": f"{P}-04-01", "to": f"{P}-04-30", "total": 1, "change_percent": 0.0}
    assert body["contributors"] == {"reviewed": 1, "approved": 0, "returned": 0, "rejected": 0,
                                    "top_return_reasons": []}
    assert body["lead_time_hours"] == {"median": 0.0, "p90": 0.0}
    # Last year: no target, no budget, nothing spent; this year's Q1 was 0 items … compared with 7 before.
    body = _get(client, board["h"]["ketoan"], start=f"{P}-01-01", end=f"{P}-03-31").get_json()
    assert body["published"]["total"] == 7
    assert body["target"] == {"year": P, "plan_items": None, "published_year_to_date": 7, "percent": None}
    assert body["previous_year"]["total"] == 0 and body["previous_year"]["change_percent"] is None
    assert body["spending"] == {"royalties": 0, "fees": 0, "budget": None, "percent": None}
    assert body["units_without_items"] == ["cuc-thue", "dai"]


def test_who_may_ask(client, board):
    h = board["h"]
    # Members of the site without the approver or accountant role: 403.
    for who in ("bientap", "ctv1", "mixed"):
        response = _get(client, h[who])
        assert response.status_code == 403, who
        assert response.get_json()["error"]["code"] == "not_allowed"
    # A site the caller is not a member of, and a site that does not exist: 404.
    assert _get(client, h["huyen_ld"]).status_code == 404
    assert _get(client, h["admin"], site="khong-co").status_code == 404
    assert _get(client, h["admin"], site="khong-co").get_json()["error"]["code"] == "not_found"
    # Every site: admins and the portal's approvers only.
    for who in ("ketoan", "huyen_ld", "huyen_ketoan", "ctv1"):
        assert _get(client, h[who], site="all").status_code == 403, who
    # The district's own approver and accountant see the district.
    assert _get(client, h["huyen_ld"], site="huyen").status_code == 200
    assert _get(client, h["huyen_ketoan"], site="huyen").get_json()["published"]["total"] == 1
    # Without a token: 401.
    assert client.get(f"/api/v1/reports/summary?site=cong&from={Y}-01-01&to={Y}-03-31").status_code == 401


@pytest.mark.parametrize("start,end,field", [
    (f"{Y}-03-02", f"{Y}-03-01", "to"),  # from after to
    (f"{Y - 5}-01-01", f"{Y}-01-01", "to"),  # over five years
    (f"{Y}-02-30", f"{Y}-03-01", "from"),  # not a date
    ("hôm qua", f"{Y}-03-01", "from"),
    (f"{Y}-01-01", "", "to"),
])
def test_bad_periods_are_422_in_the_error_envelope(client, board, start, end, field):
    response = _get(client, board["h"]["admin"], start=start, end=end)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert field in str(error["details"])


def test_five_years_exactly_is_allowed(client, board):
    response = _get(client, board["h"]["admin"], start=f"{Y - 4}-01-01", end=f"{Y}-12-31")
    assert response.status_code == 200
    # The portal: last year's p1–p8 and i5 (31 December), this year's i1–i4 and w1, w2, w6 (i6 taken down).
    assert response.get_json()["published"]["total"] == 8 + 1 + 4 + 3


def test_the_endpoint_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/reports/summary"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"site", "from", "to"}
    assert "200" in operation["responses"]
