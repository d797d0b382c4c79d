"""Issue 16: the audit log also covers the installation's records an administrator (or, for payees,
an accountant) edits: units, sites (with their settings such as four eyes) and their yearly plan
targets, categories, and payees. One entry per save, in the save's transaction, with the values
before and after; a refused save leaves none."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from bbt_workflow.accounts.models import Category, Site, Unit
from bbt_workflow.accounts.services import (
    create_category, create_site, create_unit, set_plan_target, update_category, update_site, update_unit,
)
from bbt_workflow.audit.models import AuditEntry
from bbt_workflow.domain.categories import DEFAULT_CATEGORIES
from bbt_workflow.errors import ServiceError
from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import Payee
from bbt_workflow.royalties.payees.services import create_payee, update_payee
from tests.conftest import api_token, bearer, csrf_from, login
from tests.forms import form_with


def _entries(target_type, target_id=None):
    stmt = select(AuditEntry).where(AuditEntry.target_type == target_type).order_by(AuditEntry.id)
    if target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == str(target_id))
    return db.session.scalars(stmt).all()


def _count():
    return db.session.scalar(text("SELECT count(*) FROM audit_log"))


def _refused(call):
    """A save the service refuses: rolled back as the pages and the API do; no entry is left."""
    before = _count()
    with pytest.raises(ServiceError):
        call()
    db.session.rollback()
    assert _count() == before


def _post_form(client, url, changes, field=None):
    """Open the form page, change some fields as a person would, send it."""
    page = client.get(url)
    assert page.status_code == 200, url
    data = form_with(page.get_data(as_text=True), field or next(iter(changes)))
    data.update(changes)
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


@pytest.fixture
def admin(make):
    return make.user("admin", is_admin=True)


# --- through the services -----------------------------------------------------------------

def test_units_created_renamed_and_deactivated(admin):
    unit = create_unit(admin, code="so-tp", name="Sở Tư pháp")
    db.session.commit()
    update_unit(admin, unit, name="Sở Tư pháp tỉnh")
    db.session.commit()
    update_unit(admin, unit, active=False)
    db.session.commit()
    created, renamed, deactivated = _entries("unit", unit.id)
    assert (created.action, created.actor_id, created.before) == ("unit.created", admin.id, None)
    assert created.after == {"code": "so-tp", "name": "Sở Tư pháp", "active": True}
    assert (renamed.action, renamed.actor_id) == ("unit.updated", admin.id)
    assert (renamed.before["name"], renamed.after["name"]) == ("Sở Tư pháp", "Sở Tư pháp tỉnh")
    assert (deactivated.action, deactivated.before["active"], deactivated.after["active"]) == ("unit.updated", True, False)

    _refused(lambda: update_unit(admin, unit, name="   "))
    _refused(lambda: create_unit(admin, code="so-tp", name="Trùng mã"))
    _refused(lambda: create_unit(admin, code="Sai mã", name="X"))
    assert len(_entries("unit")) == 3


def test_sites_created_and_their_settings_changed(admin, make):
    tinh = make.site("tinh", kind="portal")
    site = create_site(admin, code="sotp", name="Trang Sở Tư pháp", kind="component", parent="tinh")
    db.session.commit()
    update_site(admin, site, four_eyes=False, approval_levels=1)
    db.session.commit()
    update_site(admin, site, active=False, parent=None)
    db.session.commit()
    created, settings, deactivated = _entries("site", site.id)
    assert (created.action, created.actor_id, created.before) == ("site.created", admin.id, None)
    assert created.after == {"code": "sotp", "name": "Trang Sở Tư pháp", "kind": "component", "approval_levels": 2,
                             "four_eyes": True, "parent": "tinh", "active": True,
                             "categories": [code for code, _name in DEFAULT_CATEGORIES]}
    # The default categories come with the site's own entry, not one entry each.
    assert _entries("category") == []
    assert settings.action == "site.updated" and settings.actor_id == admin.id
    assert (settings.before["four_eyes"], settings.after["four_eyes"]) == (True, False)
    assert (settings.before["approval_levels"], settings.after["approval_levels"]) == (2, 1)
    assert "categories" not in settings.after
    assert (deactivated.before["active"], deactivated.after["active"]) == (True, False)
    assert (deactivated.before["parent"], deactivated.after["parent"]) == ("tinh", None)

    _refused(lambda: update_site(admin, site, parent="sotp"))  # its own parent
    _refused(lambda: update_site(admin, site, name=""))
    _refused(lambda: update_site(admin, site, approval_levels=3))
    _refused(lambda: create_site(admin, code="tinh", name="Trùng", kind="portal"))
    assert len(_entries("site", site.id)) == 3 and len(_entries("site", tinh.id)) == 1


def test_plan_targets_set_and_changed(admin, make):
    site = make.site("tinh", kind="portal")
    target = set_plan_target(admin, site, 2026, plan_items=3000, royalty_budget=120_000_000)
    db.session.commit()
    set_plan_target(admin, site, 2026, plan_items=3200, royalty_budget=120_000_000)
    db.session.commit()
    first, second = _entries("plan_target", target.id)
    assert (first.action, first.actor_id, first.before) == ("plan_target.set", admin.id, None)
    assert first.after == {"site": "tinh", "year": 2026, "plan_items": 3000, "royalty_budget": 120_000_000}
    assert (second.before["plan_items"], second.after["plan_items"]) == (3000, 3200)
    _refused(lambda: set_plan_target(admin, site, 1990, plan_items=1, royalty_budget=0))
    _refused(lambda: set_plan_target(admin, site, 2026, plan_items=-1, royalty_budget=0))
    assert len(_entries("plan_target")) == 2


def test_categories_created_renamed_and_deactivated(admin, make):
    site = make.site("tinh", kind="portal")
    category = create_category(admin, site, code="hoi-dap", name="Hỏi đáp")
    db.session.commit()
    update_category(admin, category, name="Hỏi – đáp")
    db.session.commit()
    update_category(admin, category, active=False)
    db.session.commit()
    created, renamed, deactivated = _entries("category", category.id)
    assert (created.action, created.actor_id, created.before) == ("category.created", admin.id, None)
    assert created.after == {"site": "tinh", "code": "hoi-dap", "name": "Hỏi đáp", "active": True,
                             "position": len(DEFAULT_CATEGORIES)}
    assert (renamed.action, renamed.before["name"], renamed.after["name"]) == ("category.updated", "Hỏi đáp", "Hỏi – đáp")
    assert (deactivated.before["active"], deactivated.after["active"]) == (True, False)
    _refused(lambda: create_category(admin, site, code="hoi-dap", name="Trùng"))
    _refused(lambda: update_category(admin, category, name=""))
    assert len(_entries("category")) == 3


def test_payees_created_and_edited_with_their_personal_fields(admin, make):
    site = make.site("tinh", kind="portal")
    make.unit("so-tt", "Sở TT&TT")
    ketoan = make.user("ketoan", roles={site: ["accountant"]})
    payee = create_payee(ketoan, {"full_name": "Trần Văn B", "pen_name": "TVB", "unit": "so-tt",
                                  "tax_code": "8123456789", "bank_account": "0123456789012",
                                  "bank_name": "Vietcombank", "commitment_years": [2026, 2025]})
    db.session.commit()
    update_payee(ketoan, payee, {"bank_account": "9704001122334455", "labour_contract": True})
    db.session.commit()
    created, edited = _entries("payee", payee.id)
    assert (created.action, created.actor_id, created.before) == ("payee.created", ketoan.id, None)
    assert created.after == {"user": None, "full_name": "Trần Văn B", "pen_name": "TVB", "unit": "so-tt",
                             "tax_code": "8123456789", "id_number": None, "bank_account": "0123456789012",
                             "bank_name": "Vietcombank", "labour_contract": False, "commitment_years": [2025, 2026]}
    assert (edited.action, edited.actor_id) == ("payee.updated", ketoan.id)
    # Admins read the log and may read payees' personal fields anyway: the values are kept.
    assert (edited.before["bank_account"], edited.after["bank_account"]) == ("0123456789012", "9704001122334455")
    assert (edited.before["labour_contract"], edited.after["labour_contract"]) == (False, True)
    assert edited.after["tax_code"] == "8123456789"

    _refused(lambda: update_payee(ketoan, payee, {"tax_code": "81-234"}))
    _refused(lambda: create_payee(ketoan, {"full_name": "  "}))
    user_payee = db.session.scalar(select(Payee).where(Payee.user_id == ketoan.id))
    _refused(lambda: update_payee(admin, user_payee, {"full_name": "Tên khác"}))  # a user's name is the account's
    update_payee(admin, user_payee, {"tax_code": "8000000001"})
    db.session.commit()
    (entry,) = _entries("payee", user_payee.id)
    assert entry.actor_id == admin.id and entry.after["user"] == "ketoan"
    assert (entry.before["tax_code"], entry.after["tax_code"]) == (None, "8000000001")
    ctv = make.user("ctv", roles={site: ["contributor"]})
    _refused(lambda: update_payee(ctv, payee, {"tax_code": "1"}))  # not an accountant
    assert len(_entries("payee")) == 3


def test_new_entries_are_append_only_too(admin):
    unit = create_unit(admin, code="so-tp", name="Sở Tư pháp")
    db.session.commit()
    (entry,) = _entries("unit", unit.id)
    for statement in ("UPDATE audit_log SET after = NULL WHERE id = :id", "DELETE FROM audit_log WHERE id = :id"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement), {"id": entry.id})
            db.session.flush()
        db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).after["name"] == "Sở Tư pháp"


# --- through the pages and the API ----------------------------------------------------------

def test_admin_pages_record_units_sites_categories_and_targets(client, make, admin):
    make.site("tinh", kind="portal")
    login(client, "admin")
    assert _post_form(client, "/admin/units/new", {"code": "so-tp", "name": "Sở Tư pháp"}).status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "so-tp"))
    response = _post_form(client, f"/admin/units/{unit.id}/edit", {"name": "Sở Tư pháp tỉnh", "active": None})
    assert response.status_code == 302
    # A form error (a code in use) saves nothing and records nothing.
    count = _count()
    assert _post_form(client, "/admin/units/new", {"code": "so-tp", "name": "Trùng"}).status_code == 200
    assert _post_form(client, f"/admin/units/{unit.id}/edit", {"name": ""}).status_code == 200
    assert _count() == count
    created, edited = _entries("unit", unit.id)
    assert (created.action, created.actor_id, created.after["name"]) == ("unit.created", admin.id, "Sở Tư pháp")
    assert (edited.action, edited.actor_id) == ("unit.updated", admin.id)
    assert (edited.before["name"], edited.after["name"]) == ("Sở Tư pháp", "Sở Tư pháp tỉnh")
    assert (edited.before["active"], edited.after["active"]) == (True, False)

    response = _post_form(client, "/admin/sites/new", {"code": "sotp", "name": "Trang Sở Tư pháp", "kind": "component",
                                                       "approval_levels": "2", "parent": "tinh"})
    assert response.status_code == 302
    site = db.session.scalar(select(Site).where(Site.code == "sotp"))
    response = _post_form(client, "/admin/sites/sotp/edit", {"four_eyes": None}, field="four_eyes")
    assert response.status_code == 302
    count = _count()
    assert _post_form(client, "/admin/sites/sotp/edit", {"parent": "sotp"}).status_code == 200  # its own parent
    assert _count() == count
    created, edited = _entries("site", site.id)
    assert (created.action, created.actor_id, created.after["parent"]) == ("site.created", admin.id, "tinh")
    assert (edited.action, edited.actor_id) == ("site.updated", admin.id)
    assert (edited.before["four_eyes"], edited.after["four_eyes"]) == (True, False)

    token = csrf_from(client.get("/admin/sites/sotp").get_data(as_text=True))
    client.post("/admin/sites/sotp/categories", data={"cat-code": "hoi-dap", "cat-name": "Hỏi đáp", "csrf_token": token})
    client.post("/admin/sites/sotp/categories", data={"cat-code": "hoi-dap", "cat-name": "Trùng", "csrf_token": token})
    category = db.session.scalar(select(Category).where(Category.code == "hoi-dap"))
    client.post(f"/admin/sites/sotp/categories/{category.id}/toggle", data={"csrf_token": token})
    created, toggled = _entries("category", category.id)
    assert (created.action, created.actor_id, created.after["name"]) == ("category.created", admin.id, "Hỏi đáp")
    assert (toggled.action, toggled.actor_id, toggled.before["active"], toggled.after["active"]) == (
        "category.updated", admin.id, True, False)
    assert len(_entries("category")) == 2

    client.post("/admin/sites/sotp/targets", data={"target-year": "2026", "target-plan_items": "3000",
                                                   "target-royalty_budget": "120000000", "csrf_token": token})
    (target,) = _entries("plan_target")
    assert (target.action, target.actor_id, target.after["plan_items"]) == ("plan_target.set", admin.id, 3000)

    # The log page shows them, names readable (not \u escapes), escaped by the template.
    html = client.get("/admin/audit").get_data(as_text=True)
    for action in ("unit.created", "unit.updated", "site.created", "site.updated", "category.created",
                   "category.updated", "plan_target.set"):
        assert action in html
    # An edit shows the field that changed, old → new; names readable (not \u escapes).
    assert '<dt>Tên <code class="text-body-secondary fw-normal">name</code></dt>\n          <dd><del>Sở Tư pháp</del> → <ins>Sở Tư pháp tỉnh</ins></dd>' in html
    assert "\\u" not in html


def test_the_admin_api_records_units_sites_and_categories(client, make, admin):
    make.site("tinh", kind="portal")
    h = bearer(api_token(client, "admin"))
    response = client.post("/api/v1/admin/units", json={"code": "so-tp", "name": "Sở Tư pháp"}, headers=h)
    assert response.status_code == 201
    unit_id = response.get_json()["id"]
    assert client.patch(f"/api/v1/admin/units/{unit_id}", json={"active": False}, headers=h).status_code == 200
    assert client.patch("/api/v1/admin/sites/tinh", json={"four_eyes": False}, headers=h).status_code == 200
    assert client.patch("/api/v1/admin/sites/tinh/categories/thong-bao", json={"name": "Thông báo mới"},
                        headers=h).status_code == 200
    count = _count()
    assert client.patch("/api/v1/admin/sites/tinh", json={"parent": "tinh"}, headers=h).status_code == 422
    assert client.patch("/api/v1/admin/units/%d" % unit_id, json={"name": " "}, headers=h).status_code == 422
    assert client.post("/api/v1/admin/sites/tinh/categories", json={"code": "thong-bao", "name": "Trùng"},
                       headers=h).status_code == 409
    assert _count() == count
    assert [(e.action, e.actor_id) for e in _entries("unit", unit_id)] == [("unit.created", admin.id),
                                                                          ("unit.updated", admin.id)]
    (site_entry,) = [e for e in _entries("site") if e.action == "site.updated"]
    assert (site_entry.actor_id, site_entry.before["four_eyes"], site_entry.after["four_eyes"]) == (admin.id, True, False)
    (category_entry,) = _entries("category")
    assert (category_entry.action, category_entry.before["name"], category_entry.after["name"]) == (
        "category.updated", "Thông báo", "Thông báo mới")


def test_payee_page_and_api_record_the_accountants_changes(client, make, admin):
    site = make.site("tinh", kind="portal")
    ketoan = make.user("ketoan", roles={site: ["accountant"]})
    login(client, "ketoan")
    response = _post_form(client, "/admin/payees/new", {"full_name": "Trần Văn B", "tax_code": "8123456789",
                                                        "bank_account": "0123456789012", "commitment_years": "2026"})
    assert response.status_code == 302
    payee = db.session.scalar(select(Payee).where(Payee.full_name == "Trần Văn B"))
    url = f"/admin/payees/{payee.id}/edit"
    count = _count()
    assert 'id="tax_code-errors"' in _post_form(client, url, {"tax_code": "81-234"}).get_data(as_text=True)
    assert _count() == count
    assert _post_form(client, url, {"bank_account": "9704001122334455"}).status_code == 302
    api = client.application.test_client()  # no session cookie: a bearer token only
    h = bearer(api_token(api, "ketoan"))
    assert api.patch(f"/api/v1/royalty/payees/{payee.id}", json={"tax_code": "8999999999"},
                     headers=h).status_code == 200
    assert api.patch(f"/api/v1/royalty/payees/{payee.id}", json={"id_number": "12ab"},
                     headers=h).status_code == 422
    created, edited, by_api = _entries("payee", payee.id)
    assert [e.actor_id for e in (created, edited, by_api)] == [ketoan.id] * 3
    assert (created.action, created.after["tax_code"], created.after["commitment_years"]) == (
        "payee.created", "8123456789", [2026])
    assert (edited.action, edited.before["bank_account"], edited.after["bank_account"]) == (
        "payee.updated", "0123456789012", "9704001122334455")
    assert (by_api.before["tax_code"], by_api.after["tax_code"]) == ("8123456789", "8999999999")
    other = client.application.test_client()
    login(other, "admin")
    html = other.get("/admin/audit").get_data(as_text=True)
    assert "payee.created" in html and "payee.updated" in html and "<dd>Trần Văn B</dd>" in html
