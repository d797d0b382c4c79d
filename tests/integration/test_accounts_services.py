import pytest
from sqlalchemy import func, select

from bbt_workflow.accounts import services, user_import
from bbt_workflow.accounts.models import Category, Membership, User
from bbt_workflow.errors import Conflict, Forbidden, ValidationFailed
from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from bbt_workflow.royalties.models import Payee

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
    report = user_import.import_users_csv(None, csv.encode("utf-8-sig"), invite=invited.append)
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
    report = user_import.import_users_csv(None, csv)
    db.session.commit()
    assert not report.ok and report.created == []
    lines = [line for line, _, _ in report.errors]
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    assert _count(User) == users_before and _count(Membership) == 0


def test_csv_import_refuses_a_wrong_header(make):
    with pytest.raises(ValidationFailed) as info:
        user_import.import_users_csv(None, "user,mail\nx,y\n")
    assert info.value.code == "bad_header"


def test_csv_import_refuses_binary(make):
    with pytest.raises(ValidationFailed):
        user_import.import_users_csv(None, b"\x81\x8d\x8f\x90\x9d")


def test_invite_queues_an_email(make, app):
    from bbt_workflow.auth.services import invite_user

    user = make.user("lan")
    with app.test_request_context("/"):
        invite_user(user)
    db.session.commit()
    mail = db.session.scalars(select(OutboundEmail)).one()
    assert mail.recipient == "lan@bbt-test.vn" and "/password/reset/" in mail.body_text


def test_the_services_check_the_actor_not_only_the_routes(make):
    """One convention (permissions.py): the service checks, given the actor. A non-admin
    calling an installation service directly is refused and nothing changes."""
    site = make.site("a")
    editor = make.user("bientap", roles={site: ["editor"]})
    admin = make.user("quantri", is_admin=True)
    with pytest.raises(Forbidden):
        services.create_user(editor, username="moi", email="moi@bbt-test.vn", full_name="Mới")
    with pytest.raises(Forbidden):
        services.set_membership(editor, editor, site, ["approver"])
    with pytest.raises(Forbidden):
        services.create_unit(editor, code="u1", name="Đơn vị")
    db.session.rollback()
    assert db.session.scalar(select(User.id).where(User.username == "moi")) is None
    assert editor.roles_on(site) == {"editor"}
    created = services.create_user(admin, username="moi", email="moi@bbt-test.vn", full_name="Mới")
    assert created.id is not None


def test_a_new_user_is_announced_and_gets_a_payee_record(make):
    """accounts announces (accounts/hooks.py); royalties keeps the payee record in step."""
    user = make.user("hong", full_name="Lê Hồng")
    payee = db.session.scalar(select(Payee).where(Payee.user_id == user.id))
    assert payee is not None and payee.full_name == "Lê Hồng"
    services.update_user(None, user, full_name="Lê Thị Hồng")
    db.session.commit()
    db.session.refresh(payee)
    assert payee.full_name == "Lê Thị Hồng"
