import re
import io

from sqlalchemy import func, select

from bbt_workflow.accounts.models import Category, Membership, PlanTarget, Site, Unit, User
from bbt_workflow.extensions import db
from tests.conftest import csrf_from, login


def _admin(client, make):
    make.user("root", is_admin=True)
    login(client, "root")


def _post_form(client, url, data):
    page = client.get(url)
    assert page.status_code == 200, url
    return client.post(url, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))})


def test_admin_creates_unit_site_category_target_user_and_roles(client, make):
    _admin(client, make)
    assert _post_form(client, "/admin/units/new", {"code": "so-tp", "name": "Sở Tư pháp"}).status_code == 302
    response = _post_form(client, "/admin/sites/new", {"code": "sotp", "name": "Trang TTĐT Sở Tư pháp",
                                                        "kind": "component", "approval_levels": "1", "parent": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/sites/sotp")
    site = db.session.scalar(select(Site).where(Site.code == "sotp"))
    assert site.approval_levels == 1 and len(site.categories) >= 10
    page = client.get("/admin/sites/sotp").get_data(as_text=True)
    token = csrf_from(page)
    client.post("/admin/sites/sotp/categories", data={"cat-code": "hoi-dap", "cat-name": "Hỏi đáp", "csrf_token": token})
    assert db.session.scalar(select(Category).where(Category.code == "hoi-dap")).name == "Hỏi đáp"
    client.post("/admin/sites/sotp/targets", data={"target-year": "2026", "target-plan_items": "3000",
                                                   "target-royalty_budget": "120000000", "csrf_token": token})
    target = db.session.scalar(select(PlanTarget))
    assert (target.year, target.plan_items, target.royalty_budget) == (2026, 3000, 120_000_000)
    assert "3.000" in client.get("/admin/sites/sotp").get_data(as_text=True)  # Vietnamese number format
    response = _post_form(client, "/admin/users/new", {
        "username": "khai", "full_name": "Đỗ Văn Khải", "email": "khai@bbt-test.vn", "unit": "so-tp",
        "pen_name": "Văn Khải", "phone": "", "password": "Phapche@2026", "active": "y"})
    assert response.status_code == 302
    khai = db.session.scalar(select(User).where(User.username == "khai"))
    url = f"/admin/users/{khai.id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    client.post(f"{url}/memberships", data={"site": "sotp", "roles": ["editor", "approver"], "csrf_token": token})
    assert khai.roles_on(site) == {"editor", "approver"}


def test_admin_form_errors_are_shown_on_the_field(client, make):
    _admin(client, make)
    make.unit("so-tp")
    response = _post_form(client, "/admin/units/new", {"code": "so-tp", "name": "Trùng"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(select(func.count(Unit.id))) == 1
    response = _post_form(client, "/admin/units/new", {"code": "Bad Code!", "name": "X"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)


def test_csv_import_through_the_screen(client, make):
    _admin(client, make)
    make.site("sotp")
    page = client.get("/admin/users/import").get_data(as_text=True)
    bad = ("username,email,full_name,site,roles\n"
           "ok1,ok1@bbt-test.vn,Một,sotp,contributor\n"
           "bad,not-email,Hai,sotp,contributor\n").encode()
    response = client.post("/admin/users/import", data={
        "file": (io.BytesIO(bad), "users.csv"), "csrf_token": csrf_from(page)}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "bad" in html and "<td>3</td>" in html
    assert db.session.scalar(select(func.count(User.id))) == 1  # only the admin
    good = ("username,email,full_name,site,roles\n"
            "ok1,ok1@bbt-test.vn,Một,sotp,contributor\n"
            "ok2,ok2@bbt-test.vn,Hai,sotp,editor;approver\n").encode("utf-8-sig")
    response = client.post("/admin/users/import", data={
        "file": (io.BytesIO(good), "users.csv"), "csrf_token": csrf_from(page)}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(User.id))) == 3
    assert db.session.scalar(select(func.count(Membership.id))) == 2


def test_user_list_is_paginated_and_searchable(client, make):
    _admin(client, make)
    for i in range(55):
        make.user(f"ctv{i:02d}", full_name=f"Cộng tác viên {i:02d}")
    first = client.get("/admin/users").get_data(as_text=True)
    assert "ctv49" not in first or "ctv54" not in first
    assert "/admin/users?page=2" in first
    found = client.get("/admin/users?q=ctv07").get_data(as_text=True)
    assert "ctv07" in found and "ctv08" not in found


def test_demo_roles_see_what_they_may(client, app):
    """Each demo account sees its own sites, and only admins see administration."""
    from bbt_workflow.demo_data import DEMO_PASSWORDS, load_demo_data

    load_demo_data()
    db.session.commit()
    expectations = {
        "admin": ({"binhphuoc", "sotttt", "sotuphap", "budang"}, True),
        "ctv": ({"binhphuoc", "sotttt"}, False),
        "bientap": ({"binhphuoc"}, False),
        "lanhdao": ({"binhphuoc", "sotttt"}, False),
        "ketoan": ({"binhphuoc"}, False),
        "tuphap": ({"sotuphap"}, False),
        "budang": ({"budang"}, False),
    }
    all_sites = {"binhphuoc", "sotttt", "sotuphap", "budang"}
    for username, (sites, is_admin) in expectations.items():
        c = app.test_client()
        assert login(c, username, DEMO_PASSWORDS[username]).status_code == 302, username
        home = c.get("/").get_data(as_text=True)
        for code in all_sites:
            assert (f'href="/sites/{code}"' in home) == (code in sites), (username, code)
            assert c.get(f"/sites/{code}").status_code == (200 if code in sites else 404), (username, code)
        assert ('href="/admin/"' in home) == is_admin
        assert c.get("/admin/").status_code == (200 if is_admin else 403)


def test_form_errors_are_in_vietnamese(client, make):
    _admin(client, make)
    response = _post_form(client, "/admin/users/new", {"username": "", "full_name": "Thử", "email": "abc"})
    html = response.get_data(as_text=True)
    assert "Địa chỉ email không hợp lệ." in html and "Trường này là bắt buộc." in html


def test_form_errors_sit_under_their_field_in_both_languages(client, make):
    """Bootstrap's invalid-feedback right after the control, which points to it (aria-describedby)."""
    _admin(client, make)
    for lang, message in (("vi", "Địa chỉ email không hợp lệ."), ("en", "Invalid email address.")):
        html = _post_form(client, f"/admin/users/new?lang={lang}", {"username": "thu", "full_name": "Thử", "email": "abc"}).get_data(as_text=True)
        control = re.search(r'<input[^>]*id="email"[^>]*>', html).group(0)
        assert "is-invalid" in control and 'aria-invalid="true"' in control and 'aria-describedby="email-errors"' in control
        after = html[html.index(control) + len(control):]
        assert re.match(r'\s*<div class="invalid-feedback d-block" id="email-errors">' + re.escape(message) + "</div>", after), after[:300]
