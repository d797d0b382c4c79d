import pytest
from sqlalchemy import func, select

from bbt_workflow.accounts import services
from bbt_workflow.accounts.models import Category, Membership, User
from bbt_workflow.errors import Conflict, ValidationFailed
from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail

HEADER = "username,email,full_name,unit,pen_name,phone,password,site,roles\n"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_new_site_gets_the_default_taxonomy(make):
    site = make.site("sotttt")
    names = [c.name for c in db.session.scalars(select(Category).where(Category.site_id == site.id).order_by(Category.position))]
    assert names[:3] == ["Tin tức – sự kiện", "Chỉ đạo điều hành", "Văn bản"]
    assert "Chuyển đổi số" in names and "English" in names


def test_roles_are_per_site(make):
    a, b = make.site("a"), make.site("b")
    user = make.user("hong", roles={a: ["editor"]})
    assert user.roles_on(a) == {"editor"} and user.roles_on(b) == frozenset()
    services.set_membership(None, user, a, ["approver", "contributor"])
    db.session.commit()
    assert user.roles_on(a) == {"approver", "contributor"}
    with pytest.raises(ValidationFailed):
        services.set_membership(None, user, a, ["boss"])


def test_duplicate_username_is_case_insensitive(make):
    make.user("Hong")
    with pytest.raises(Conflict):
        services.create_user(None, username="hong", email="x@bbt-test.vn", full_name="X", password="Matkhau-2026")


def test_csv_import_all_good(make):
    site = make.site("sotp")
    make.unit("so-tp")
    csv = HEADER + (
        "khai,khai@bbt-test.vn,Đỗ Văn Khải,so-tp,Văn Khải,0912345678,Phapche@2026,sotp,editor;approver\n"
        "lan,lan@bbt-test.vn,Hoàng Thị Lan,,,,,sotp,contributor\n"
    )
    invited = []
    report = services.import_users_csv(None, csv.encode("utf-8-sig"), invite=invited.append)
    db.session.commit()
    assert report.ok and len(report.created) == 2
    khai = db.session.scalar(select(User).where(User.username == "khai"))
    assert khai.unit.code == "so-tp" and khai.pen_name == "Văn Khải" and khai.check_password("Phapche@2026")
    assert khai.roles_on(site) == {"editor", "approver"}
    assert [u.username for u in invited] == ["lan"]  # no password: gets a link


def test_csv_import_with_bad_rows_imports_nothing_and_says_why(make):
    make.site("sotp")
    make.user("taken")
    csv = HEADER + (
        "good,good@bbt-test.vn,Người Tốt,,,,,sotp,contributor\n"
        "taken,other@bbt-test.vn,Trùng Tên,,,,,,\n"
        "bademail,not-an-email,Sai Email,,,,,,\n"
        "weak,weak@bbt-test.vn,Yếu,,,,abc,,\n"
        "nounit,nounit@bbt-test.vn,Không Đơn Vị,khong-co,,,,,\n"
        "nosite,nosite@bbt-test.vn,Không Trang,,,,,khong-co,editor\n"
        "badrole,badrole@bbt-test.vn,Sai Vai Trò,,,,,sotp,boss\n"
        "extra,extra@bbt-test.vn,Thừa,,,,,,,,,\n"
    )
    users_before = _count(User)
    report = services.import_users_csv(None, csv)
    db.session.commit()
    assert not report.ok and report.created == []
    lines = [line for line, _, _ in report.errors]
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    assert _count(User) == users_before and _count(Membership) == 0


def test_csv_import_refuses_a_wrong_header(make):
    with pytest.raises(ValidationFailed) as info:
        services.import_users_csv(None, "user,mail\nx,y\n")
    assert info.value.code == "bad_header"


def test_csv_import_refuses_binary(make):
    with pytest.raises(ValidationFailed):
        services.import_users_csv(None, b"\x81\x8d\x8f\x90\x9d")


def test_invite_queues_an_email(make, app):
    from bbt_workflow.auth.services import invite_user

    user = make.user("lan")
    with app.test_request_context("/"):
        invite_user(user)
    db.session.commit()
    mail = db.session.scalars(select(OutboundEmail)).one()
    assert mail.recipient == "lan@bbt-test.vn" and "/password/reset/" in mail.body_text
