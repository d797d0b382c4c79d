"""Issue 16: the admin audit log — who changed rates, endpoints, memberships, users and sheet states,
with before and after — append-only in the database like the submission history."""
import re
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from bbt_workflow.accounts.services import create_category, delete_membership, set_membership, update_user
from bbt_workflow.audit.models import AuditEntry
from bbt_workflow.extensions import db
from bbt_workflow.publishing.endpoints import create_endpoint, rotate_secret, update_endpoint
from bbt_workflow.royalties.payees.services import create_payee, update_payee
from bbt_workflow.royalties.rules.services import save_base_salary
from tests.conftest import login
from tests.forms import form_with


def _entries(action=None):
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return db.session.scalars(stmt).all()


def test_admin_changes_are_recorded_with_before_and_after(make):
    admin = make.user("admin", is_admin=True)
    site = make.site("tinh")
    hong = make.user("hong", full_name="Nguyễn Thị Hồng")
    update_user(admin, hong, full_name="Nguyễn Thị Hồng Nhung", active=False, password="Mat-khau-moi-2026")
    membership = set_membership(admin, hong, site, ["editor"])
    set_membership(admin, hong, site, ["editor", "approver"])
    delete_membership(admin, membership)
    endpoint, secret = create_endpoint(admin, site, name="Cổng", kind="webhook", url="https://portal.example/hook")
    update_endpoint(admin, endpoint, url="https://portal.example/v2")
    rotated = rotate_secret(admin, endpoint)
    save_base_salary(admin, None, {"amount": "2340000", "effective_from": date(2000, 1, 1),
                                   "effective_to": date(2000, 12, 31), "source_text": "Nghị định 73/2024"})
    db.session.commit()

    user_change = _entries("user.updated")[-1]
    assert user_change.actor_id == admin.id and user_change.target_id == str(hong.id)
    assert user_change.before["full_name"] == "Nguyễn Thị Hồng" and user_change.before["active"] is True
    assert user_change.after["full_name"] == "Nguyễn Thị Hồng Nhung" and user_change.after["active"] is False
    assert user_change.after["password_changed"] is True
    assert "password_hash" not in user_change.before and "password_hash" not in user_change.after

    roles = [(e.before, e.after) for e in _entries() if e.action.startswith("membership.")]
    assert roles[-3:] == [(None, {"user": "hong", "site": "tinh", "roles": ["editor"]}),
                          ({"user": "hong", "site": "tinh", "roles": ["editor"]},
                           {"user": "hong", "site": "tinh", "roles": ["approver", "editor"]}),
                          ({"user": "hong", "site": "tinh", "roles": ["approver", "editor"]}, None)]

    moved = _entries("endpoint.updated")[-1]
    assert (moved.before["url"], moved.after["url"]) == ("https://portal.example/hook", "https://portal.example/v2")
    everything = db.session.execute(text("SELECT before, after FROM audit_log")).all()
    assert not any(secret in str(row) or rotated in str(row) for row in everything)  # never a secret
    assert _entries("endpoint.secret_rotated")
    salary = _entries("rates.base_salary.saved")[-1]
    assert salary.before is None and salary.after["amount"] == 2340000


def test_the_audit_log_is_append_only(make):
    admin = make.user("admin", is_admin=True)
    update_user(admin, make.user("hong"), full_name="Hồng")
    db.session.commit()
    entry_id = _entries()[-1].id
    for statement in ("UPDATE audit_log SET action = 'x' WHERE id = :id", "DELETE FROM audit_log WHERE id = :id"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement), {"id": entry_id})
            db.session.flush()
        db.session.rollback()
    assert db.session.get(AuditEntry, entry_id).action == "user.updated"


def test_the_admin_page_lists_the_log_paginated(client, make):
    admin = make.user("admin", is_admin=True)
    hong = make.user("hong")
    for i in range(55):
        update_user(admin, hong, full_name=f"Người {i}")
    db.session.commit()
    login(client, "admin")
    first = client.get("/admin/audit")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    # Newest first, 50 a page; each edit shows the name it gave.
    assert "<ins>Người 54</ins>" in html and "<ins>Người 3</ins>" not in html and "user.updated" in html
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "<ins>Người 3</ins>" in second and "<ins>Người 54</ins>" not in second
    make.user("ctv")
    other = client.application.test_client()
    login(other, "ctv")
    assert other.get("/admin/audit").status_code == 403


def test_a_save_that_changes_nothing_writes_no_entry(client, make):
    # Sending an edit form unchanged (or a service asked to set what is already there) is not a change.
    admin = make.user("admin", is_admin=True)
    hong = make.user("hong", full_name="Nguyễn Thị Hồng")
    update_user(admin, hong, full_name="Nguyễn Thị Hồng")
    db.session.commit()
    assert _entries("user.updated") == []
    login(client, "admin")
    url = f"/admin/users/{hong.id}/edit"
    fields = form_with(client.get(url).get_data(as_text=True), "full_name")
    assert client.post(url, data=fields).status_code == 302
    assert _entries("user.updated") == []
    fields["full_name"] = "Nguyễn Thị Hồng Nhung"
    assert client.post(url, data=fields).status_code == 302
    (entry,) = _entries("user.updated")
    assert (entry.before["full_name"], entry.after["full_name"]) == ("Nguyễn Thị Hồng", "Nguyễn Thị Hồng Nhung")


def test_the_admin_page_shows_what_changed_in_words_and_filters_by_object(client, make):
    admin = make.user("admin", is_admin=True)
    site = make.site("tinh")
    hong = make.user("hong", full_name="Nguyễn Thị Hồng")
    update_user(admin, hong, full_name="Nguyễn Thị Hồng Nhung")
    set_membership(admin, hong, site, ["editor"])
    db.session.commit()
    login(client, "admin")
    html = client.get("/admin/audit").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td class=\"text-nowrap\">(.*?)</tr>", html, re.S)
    edit = next(r for r in rows if "user.updated" in r)
    # The object and the verb in words; only the field that changed, old → new (not the unchanged email).
    assert f"Người dùng #{hong.id} đã được sửa" in edit
    assert "<del>Nguyễn Thị Hồng</del> → <ins>Nguyễn Thị Hồng Nhung</ins>" in edit
    # Each field named in words, its code beside it.
    code = '<code class="text-body-secondary fw-normal">'
    assert f"Họ và tên {code}full_name</code>" in edit and ">email</code>" not in edit
    created = next(r for r in rows if "membership.set" in r)
    assert "Thành viên của trang #" in created and f"Vai trò {code}roles</code>" in created  # a creation: every field
    # Narrowed to one kind of object; an unknown kind lists everything.
    only_users = client.get("/admin/audit?type=user").get_data(as_text=True)
    assert "user.updated" in only_users and "membership.set" not in only_users
    assert '<option value="user" selected>Người dùng</option>' in only_users
    everything = client.get("/admin/audit?type=nonsense").get_data(as_text=True)
    assert "user.updated" in everything and "membership.set" in everything


def _audited_models():
    """The models whose whole records the log keeps (audit.services.snapshot of every column): the portal
    endpoints and the royalty rate tables (audited_save)."""
    from bbt_workflow.publishing.models import PortalEndpoint
    from bbt_workflow.royalties import models as royalty_models
    rate_tables = {"royalty_regulations", "royalty_genres", "royalty_adjustment_types", "royalty_national_caps",
                   "royalty_site_factors", "royalty_base_salaries", "royalty_tax_rules", "royalty_fee_rules"}
    rates = [m.class_ for m in db.Model.registry.mappers if m.local_table.name in rate_tables]
    assert len(rates) == len(rate_tables) and royalty_models
    return [PortalEndpoint, *rates]


def test_every_field_the_log_keeps_is_named_in_words(client, make):
    """The admin page names each changed field as the forms do ("Có hiệu lực từ", not effective_from): every
    field of the records kept whole, and every field the demo installation's changes wrote."""
    from sqlalchemy import inspect

    from bbt_workflow.admin.audit_display import FIELD_LABELS
    from bbt_workflow.audit.services import HIDDEN_FIELDS
    from bbt_workflow.demo_data import load_demo_data
    from bbt_workflow.secret_box import is_sealed

    kept = {attr.key for model in _audited_models() for attr in inspect(model).column_attrs
            if not any(is_sealed(col) for col in attr.columns)} - HIDDEN_FIELDS
    load_demo_data()
    admin = make.user("quantri", is_admin=True)
    site = make.site("tinh")
    create_category(admin, site, code="chuyen-de", name="Chuyên đề")
    ketoan = make.user("ketoan2", roles={site: ["accountant"]})
    payee = create_payee(ketoan, {"full_name": "Trần Văn B", "pen_name": "TVB", "tax_code": "8123456789"})
    update_payee(ketoan, payee, {"bank_account": "9704001122334455", "labour_contract": True})
    endpoint, _secret = create_endpoint(admin, site, name="Cổng", kind="webhook", url="http://127.0.0.1:9/hook")
    update_endpoint(admin, endpoint, active=False)
    rotate_secret(admin, endpoint)
    db.session.commit()
    written = {name for e in _entries() for name in {**(e.before or {}), **(e.after or {})}}
    kinds = {e.target_type for e in _entries()}
    assert {"user", "site", "membership", "unit", "category", "payee", "endpoint", "plan_target"} <= kinds, kinds
    unnamed = (kept | written) - FIELD_LABELS.keys()
    assert not unnamed, sorted(unnamed)

    # On the page: the field in Vietnamese, its code beside it, a yes/no in words.
    login(client, "quantri")
    html = client.get("/admin/audit?type=endpoint").get_data(as_text=True)
    assert 'Đang hoạt động <code class="text-body-secondary fw-normal">active</code>' in html
    assert "<del>Có</del> → <ins>Không</ins>" in html
    assert "Khóa bí mật cũ còn hiệu lực đến" in html
    # An id of another record reads as that record's code: a user's unit, a rate's site.
    make.unit("so-xd", "Sở Xây dựng")
    hong = make.user("hong")
    update_user(admin, hong, unit="so-xd")
    db.session.commit()
    users = client.get("/admin/audit?type=user").get_data(as_text=True)
    assert re.search(r'Đơn vị <code[^>]*>unit_id</code></dt>\s*<dd><del>—</del> → <ins>so-xd</ins>', users)
    # Days and instants as the app shows them (dd/mm/yyyy, local time), not as stored (ISO, UTC).
    rotated = client.get("/admin/audit?type=endpoint").get_data(as_text=True)
    until = endpoint.previous_secret_valid_until
    assert until is not None and until.isoformat() not in rotated
    assert re.search(r"Khóa bí mật cũ còn hiệu lực đến <code[^>]*>previous_secret_valid_until</code></dt>\s*"
                     r"<dd>\d\d/\d\d/\d{4} \d\d:\d\d</dd>", rotated)
    # A list of codes reads as a list, not as JSON.
    sites = client.get("/admin/audit?type=site").get_data(as_text=True)
    assert "<dd>tin-tuc-su-kien, chi-dao-dieu-hanh, " in sites and '["tin-tuc-su-kien"' not in sites


def test_days_and_instants_read_as_the_app_shows_them(app):
    from bbt_workflow.admin.audit_display import changes

    with app.test_request_context():
        shown = {c.field: (c.before, c.after) for c in changes(
            {"effective_from": "2024-07-01", "updated_at": "2026-12-04T17:30:00+00:00", "source_text": "2024-07-01"},
            {"effective_from": "2026-01-01", "updated_at": "2026-12-05T01:05:00+00:00", "source_text": "x"})}
    assert shown["effective_from"] == ("01/07/2024", "01/01/2026")
    assert shown["updated_at"] == ("05/12/2026 00:30", "05/12/2026 08:05")  # Asia/Ho_Chi_Minh, UTC+7
    assert shown["source_text"] == ("2024-07-01", "x")  # a text field is left as written


def test_fields_read_in_the_records_order_not_the_alphabets(client, make):
    # A new site reads as its form does (code, name, kind, levels, ...), not sorted by code
    # (active, approval_levels, code, ...): the order of the snapshot the service wrote.
    from bbt_workflow.accounts.services import create_site

    admin = make.user("admin", is_admin=True)
    create_site(admin, code="huyen", name="Huyện Lộc Ninh", kind="component", approval_levels=1)
    db.session.commit()
    entry = _entries("site.created")[-1]
    login(client, "admin")
    html = client.get("/admin/audit").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>\s*<td class=\"text-nowrap\">(.*?)</tr>", html, re.S) if "site.created" in r)
    shown = re.findall(r'<code class="text-body-secondary fw-normal">(\w+)</code>', row)
    assert shown == list(entry.after) and shown[:2] == ["code", "name"] and shown != sorted(shown)
