"""The authorization matrix, generated from the URL map.

Every route of the app (every blueprint; Flask's static files aside) is called by every kind of
caller: anonymous; on site A the author of the item (contributor), another contributor
(contributor2), the editor who holds the item's claim (editor), another editor (editor2), an
approver and an accountant; a member of site B only with every role (outsider); an admin.

What each caller may do is written down per endpoint in EXPECTED (endpoint -> (rule, policy)):
the rule is the one the route declares (@requires, `view.bbt_rule`), the policy says who gets
through and who is refused how. A route absent from EXPECTED, or whose declared rule changed,
fails `test_url_map_matches_expected_table` (naming it), and its matrix case fails too.

Routes about objects are also called with site B's objects (an item, an attachment, a sheet, an
endpoint, a delivery of B): site A's roles get 404 there, as for anything they may not see; and
with a site-A container holding a site-B object (site A's URL with B's delivery, A's item with
B's attachment): 404 for everyone who passes the rule.

The world is built once per module and restored before each route (SQLite: the database file;
PostgreSQL: every table's rows), so a route's calls may change data without touching the next.
"""
import io
import os
import re
import shutil

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

from bbt_workflow import create_app
from bbt_workflow.accounts.models import Membership
from bbt_workflow.api.blueprint import MULTIPART_ENDPOINTS
from bbt_workflow.extensions import db
from config import TestConfig
from tests.conftest import Factory, IsolatedClient, _clean_tables, _test_database, api_token, bearer, csrf_from

SITE_ROLES = ("contributor", "editor", "approver", "accountant")
# Admin last: its calls may change data (e.g. delete the membership). The outsider holds every
# role on site B only.
CALLERS = ("anonymous", "contributor", "contributor2", "editor", "editor2", "approver", "accountant",
           "outsider", "admin")
SITE_A = ("contributor", "contributor2", "editor", "editor2", "approver", "accountant")
PASSWORD = "Matkhau-2026"

# --- outcomes -------------------------------------------------------------------------------------
# ALLOW: through the permission layer and not refused (any status but 401/403/404; a redirect
# elsewhere than the login page). REFUSE: through the permission layer, but the workflow refuses
# in the item's state (API: 403 with a workflow code; pages: 403 or a redirect back to the item
# with a message). EITHER: one or the other (an empty body may be refused before or after the
# state is checked). PUBLIC: anyone, signed in or not (no 401/403; an unknown object may 404).
# A set of status codes: a denial with one of them.
# SIGNED_OUT: signing out (a redirect to the login page). REFUSE_OR_404: refused for the item before
# the object inside it is looked up (the refusal is the same for any object: it reveals nothing).
ALLOW, REFUSE, EITHER, PUBLIC = "allow", "refuse", "either", "public"
SIGNED_OUT, REFUSE_OR_404 = "signed out", "refuse or 404"
WORKFLOW_CODES = ("not_editable", "not_allowed", "four_eyes")


def policy(default, **callers):
    """{caller: outcome} for every signed-in caller: `default`, except those named."""
    table = {caller: default for caller in CALLERS if caller != "anonymous"}
    for caller, outcome in callers.items():
        assert caller in table, caller
        table[caller] = outcome
    return table


def allow(callers, denied, **more):
    """ALLOW for `callers` (unless named in `more`), `denied` for the others."""
    table = policy(denied, **more)
    for caller in callers:
        table[caller] = more.get(caller, ALLOW)
    return table


D403, D404 = {403}, {404}
EVERYONE = policy(ALLOW)
ADMIN = allow(("admin",), D403)
# Payees' personal data and the tax year: accountants of any site (the outsider is one on B), admins.
ACCOUNTING = allow(("accountant", "outsider", "admin"), D403)
# Site A's members; a role on site B grants nothing on A (404, as for a site that does not exist).
MEMBER = allow(SITE_A + ("admin",), D404)
# The review queue: editors and approvers; other members 403.
QUEUE = allow(("editor", "editor2", "approver", "admin"), D404, contributor=D403, contributor2=D403,
              accountant=D403)
# Creating items: contributors, editors, approvers; accountants only read.
CREATE_PAGE = allow(("contributor", "contributor2", "editor", "editor2", "approver", "admin"), D404,
                    accountant=D403)
# The API names site A in a valid body: to outsiders site A answers like an unknown site (422, API.md).
CREATE_API = dict(CREATE_PAGE, outsider={422})
# Site A's deliveries (and replaying them): its approvers and admins; other members 403.
DELIVERIES = allow(("approver", "admin"), D404, **{c: D403 for c in SITE_A if c != "approver"})
# Site A's sheets list: approvers and accountants read it; only accountants create sheets.
SHEETS_LIST = allow(("approver", "accountant", "admin"), D404, contributor=D403, contributor2=D403,
                    editor=D403, editor2=D403)
SHEETS_CREATE = dict(SHEETS_LIST, approver=D403)
# One sheet of site A: its approvers and accountants (and admins); anyone else 404.
SHEET = allow(("approver", "accountant", "admin"), D404)
# One delivery (the API's retry): the delivery's site's approvers and admins.
DELIVERY = allow(("approver", "admin"), D404)
# Reports: the list of dashboards opens for whoever may read one (the outsider reads B's).
REPORTS_INDEX = allow(("approver", "accountant", "outsider", "admin"), D403)
# Site A's dashboard: its approvers and accountants; other members 403; others 404.
REPORT_SITE = allow(("approver", "accountant", "admin"), D404, contributor=D403, contributor2=D403,
                    editor=D403, editor2=D403)
# The item of site A, written by `contributor`, in review and claimed by `editor`: its author, the
# site's editors and approvers, admins see it; another contributor, the accountant (not approved
# yet) and the outsider get 404.
ITEM_VISIBLE = ("contributor", "editor", "editor2", "approver", "admin")
ITEM = allow(ITEM_VISIBLE, D404)
# Editing it (a new revision, attachments): the claim holder, approvers and admins; the author
# (no longer a draft) and the other editor (no claim) are refused by the workflow.
ITEM_EDIT = allow(ITEM_VISIBLE, D404, contributor=REFUSE, editor2=REFUSE)
# The item's royalty figures (incentives): those who read the site's sheets; other readers 403.
ITEM_FIGURES = allow(ITEM_VISIBLE, D404, contributor=D403, editor=D403, editor2=D403)
# Actions with an empty body (transitions, grading, incentives): refused one way or another.
ITEM_ACT = allow(ITEM_VISIBLE, D404, **{c: EITHER for c in ITEM_VISIBLE})
# An incentive royalty from the item page: approvers, once published; this item is in review.
ITEM_AWARD = allow(ITEM_VISIBLE, D404, **{c: REFUSE for c in ITEM_VISIBLE})
# A background task (the accountant's export of sheet A): its requester and admins; the file only
# to its requester (it is their view of the sheet).
TASK = allow(("accountant", "admin"), D404)
TASK_FILE = allow(("accountant",), D404)
PUBLIC_ALL = policy(PUBLIC)

# endpoint -> (declared rule, policy, or {method: policy}). Every endpoint of the URL map but
# Flask's static files. A new route must be added here (test_url_map_matches_expected_table).
EXPECTED = {
    # core
    "core.home": ("authenticated", EVERYONE),
    "core.site_overview": ("site_member", MEMBER),
    "core.favicon": ("public", PUBLIC_ALL),
    "core.healthz": ("public", PUBLIC_ALL),
    # auth
    "auth.login": ("public", PUBLIC_ALL),
    "auth.logout": ("authenticated", policy(SIGNED_OUT)),
    "auth.forgot_password": ("public", PUBLIC_ALL),
    "auth.reset_password": ("public", PUBLIC_ALL),
    "auth.change_password": ("authenticated", EVERYONE),
    "auth.set_language": ("public", PUBLIC_ALL),
    # admin pages
    **{f"admin.{name}": ("admin", ADMIN) for name in (
        "index", "audit_log", "membership_delete", "sites", "site_detail", "category_create", "category_toggle",
        "site_form", "target_set", "units", "unit_form", "users", "user_detail", "user_form", "membership_set",
        "users_import")},
    # royalty administration
    "royalty_admin.payees": ("accounting", ACCOUNTING),
    "royalty_admin.payee_form": ("accounting", ACCOUNTING),
    **{f"royalty_admin.{name}": ("admin", ADMIN) for name in (
        "rates_index", "rule_list", "rule_confirm", "rule_form", "adjustment_form", "genre_form", "regulation")},
    # submissions pages
    "submissions_web.mine": ("authenticated", EVERYONE),
    "submissions_web.notifications": ("authenticated", EVERYONE),
    "submissions_web.notifications_read": ("authenticated", EVERYONE),
    "submissions_web.notification_settings": ("authenticated", EVERYONE),
    "submissions_web.clean_html": ("authenticated", EVERYONE),
    "submissions_web.queue": ("site_member", QUEUE),
    "submissions_web.queue_claim": ("site_member", QUEUE),
    "submissions_web.create": ("site_member", CREATE_PAGE),
    "submissions_web.detail": ("submission_visible", ITEM),
    "submissions_web.diff": ("submission_visible", ITEM),
    "submissions_web.attachment": ("submission_visible", ITEM),
    "submissions_web.attachment_preview": ("submission_visible", ITEM),
    "submissions_web.edit": ("submission_visible", ITEM_EDIT),
    "submissions_web.upload": ("submission_visible", ITEM_EDIT),
    "submissions_web.remove_attachment": ("submission_visible", ITEM_EDIT),
    "submissions_web.act": ("submission_visible", ITEM_ACT),
    # royalties pages
    "royalties_web.sheets": ("site_member", {"GET": SHEETS_LIST, "POST": SHEETS_CREATE}),
    "royalties_web.sheet": ("sheet_visible", SHEET),
    "royalties_web.act": ("sheet_visible", SHEET),
    "royalties_web.export_task": ("sheet_visible", SHEET),
    "royalties_web.export": ("sheet_visible", SHEET),
    "royalties_web.payment_date": ("sheet_visible", SHEET),
    "royalties_web.award": ("submission_visible", ITEM_AWARD),
    "royalties_web.my_royalties": ("authenticated", EVERYONE),
    "royalties_web.my_statement": ("authenticated", EVERYONE),
    "royalties_web.tax_year_page": ("accounting", ACCOUNTING),
    "royalties_web.tax_year_download": ("accounting", ACCOUNTING),
    "royalties_web.payee_statement": ("accounting", ACCOUNTING),
    "royalties_web.import_view": ("admin", ADMIN),
    "royalties_web.task_page": ("authenticated", TASK),
    "royalties_web.task_status": ("authenticated", TASK),
    "royalties_web.task_file": ("authenticated", TASK_FILE),
    # publishing pages and public feeds
    "publishing_web.endpoints": ("admin", ADMIN),
    "publishing_web.endpoint_rotate": ("admin", ADMIN),
    "publishing_web.endpoint_test": ("admin", ADMIN),
    "publishing_web.endpoint_toggle": ("admin", ADMIN),
    "publishing_web.deliveries": ("site_member", DELIVERIES),
    "publishing_web.delivery_replay": ("site_member", DELIVERIES),
    "publishing_public.atom": ("public", PUBLIC_ALL),
    "publishing_public.json_list": ("public", PUBLIC_ALL),
    "publishing_public.media": ("public", PUBLIC_ALL),
    # reports pages
    "reports_web.index": ("authenticated", REPORTS_INDEX),
    "reports_web.dashboard": ("report_site", REPORT_SITE),
    "reports_web.export": ("report_site", REPORT_SITE),
    # API
    "api-docs.openapi_json": ("public", PUBLIC_ALL),
    "api_v1.create_token": ("public", PUBLIC_ALL),
    "api_v1.revoke_current_token": ("authenticated", EVERYONE),
    "api_v1.me": ("authenticated", EVERYONE),
    "api_v1.list_content_types": ("authenticated", EVERYONE),
    "api_v1.list_sites": ("authenticated", EVERYONE),
    "api_v1.list_categories": ("site_member", MEMBER),
    "api_v1.list_deliveries": ("authenticated", EVERYONE),
    "api_v1.retry_delivery": ("delivery_watcher", DELIVERY),
    "api_v1.reports_summary": ("authenticated", EVERYONE),
    "api_v1.reports_export": ("authenticated", EVERYONE),
    **{f"api_v1.{name}": ("authenticated", EVERYONE) for name in (
        "fund_check", "my_lines", "my_tax_year", "my_statement_pdf", "royalty_quote", "royalty_rates",
        "list_sheets", "create_sheet", "list_submissions")},
    **{f"api_v1.{name}": ("accounting", ACCOUNTING) for name in (
        "list_payees", "create_payee", "get_payee", "update_payee", "payee_statement_pdf", "tax_summary",
        "tax_summary_xlsx")},
    **{f"api_v1.{name}": ("sheet_visible", SHEET) for name in (
        "get_sheet", "update_sheet", "export_sheet_csv", "export_sheet_pdf", "export_sheet_xlsx", "transition_sheet")},
    "api_v1.create_submission": ("authenticated", CREATE_API),
    **{f"api_v1.{name}": ("submission_visible", ITEM) for name in (
        "get_submission", "download_attachment", "submission_diff", "submission_history", "submission_revisions",
        "submission_revision")},
    "api_v1.list_incentives": ("submission_visible", ITEM_FIGURES),
    **{f"api_v1.{name}": ("submission_visible", ITEM_EDIT) for name in (
        "update_submission", "upload_attachment", "delete_attachment")},
    **{f"api_v1.{name}": ("submission_visible", ITEM_ACT) for name in (
        "regrade_submission", "award_incentive", "transition_submission")},
    **{f"api_v1.{name}": ("admin", ADMIN) for name in (
        "admin_list_memberships", "admin_create_membership", "admin_delete_membership", "admin_list_sites",
        "admin_create_site", "admin_update_site", "admin_create_category", "admin_update_category",
        "admin_list_endpoints", "admin_create_endpoint", "admin_update_endpoint", "admin_rotate_endpoint_secret",
        "admin_test_endpoint", "import_published_items", "admin_set_target", "admin_list_units",
        "admin_create_unit", "admin_update_unit", "admin_list_users", "admin_create_user", "admin_get_user",
        "admin_update_user")},
}

# The rules whose routes load an object of one site (or name a site): they are also called with
# site B's objects.
SITE_SCOPED_RULES = {"site_member", "report_site", "submission_visible", "sheet_visible", "delivery_watcher"}
# Site A's container with a site-B object inside: (the container's parameter, the object's).
MIXED = (("site", "delivery_id"), ("site", "endpoint_id"), ("submission_id", "attachment_id"))
OBJECT_PARAMS = ("site", "submission_id", "attachment_id", "sheet_id", "delivery_id", "endpoint_id")


def _url_map():
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(Cfg)
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            rows.append((rule.rule, method, rule.endpoint, getattr(view, "bbt_rule", None)))
    return app, rows


APP_FOR_MAP, URL_MAP = _url_map()


def _params(path):
    return set(re.findall(r"<(?:\w+:)?(\w+)>", path))


def _cases():
    cases = []
    for path, method, endpoint, rule in URL_MAP:
        cases.append(pytest.param(path, method, endpoint, rule, "a", id=f"{method} {path}"))
        params = _params(path)
        if rule in SITE_SCOPED_RULES and params & set(OBJECT_PARAMS):
            cases.append(pytest.param(path, method, endpoint, rule, "b", id=f"{method} {path} [site B]"))
        for outer, inner in MIXED:
            if {outer, inner} <= params:
                cases.append(pytest.param(path, method, endpoint, rule, f"mixed:{inner}",
                                          id=f"{method} {path} [A's {outer}, B's {inner}]"))
    return cases


CASES = _cases()


def test_every_route_declares_its_rule():
    """Every route of every blueprint (Flask's static files and the OpenAPI document included, see
    permissions.FRAMEWORK_RULES) declares its rule with @requires, "public" included."""
    missing = sorted(f"{method} {path} ({endpoint})" for path, method, endpoint, rule in URL_MAP if rule is None)
    static = APP_FOR_MAP.view_functions["static"]
    assert getattr(static, "bbt_rule", None) == "public"
    assert missing == [], "routes without @requires: " + ", ".join(missing)


def test_url_map_matches_expected_table():
    """The URL map's endpoints and their declared rules are those of EXPECTED: a new route, a removed
    one or a changed rule must be reviewed here (who may call it) before the suite passes."""
    declared = {endpoint: rule for _path, _method, endpoint, rule in URL_MAP}
    new = sorted(f"{e} (rule {declared[e]!r})" for e in declared.keys() - EXPECTED.keys())
    gone = sorted(EXPECTED.keys() - declared.keys())
    changed = sorted(f"{e}: declared {declared[e]!r}, expected {EXPECTED[e][0]!r}"
                     for e in declared.keys() & EXPECTED.keys() if declared[e] != EXPECTED[e][0])
    assert not new, "routes missing from EXPECTED in test_permission_matrix.py: " + ", ".join(new)
    assert not gone, "EXPECTED names endpoints the app no longer has: " + ", ".join(gone)
    assert not changed, "declared rules differ from EXPECTED: " + "; ".join(changed)
    for endpoint, (_rule, table) in EXPECTED.items():
        tables = table.values() if set(table) <= {"GET", "POST", "PUT", "PATCH", "DELETE"} else [table]
        for one in tables:
            assert set(one) == set(CALLERS) - {"anonymous"}, endpoint


# --- the world, built once per module -----------------------------------------------------------

def _build_world(make):
    from bbt_workflow.publishing.endpoints import create_endpoint
    from bbt_workflow.publishing.outbox import enqueue
    from bbt_workflow.royalties.payees.services import payee_for_user
    from bbt_workflow.royalties.sheets.background import enqueue_export
    from bbt_workflow.royalties.sheets.task_files import keep_task_file
    from bbt_workflow.royalties.sheets.transitions import create_sheet
    from bbt_workflow.submissions import services
    from bbt_workflow.submissions.attachments import add_attachment
    from tests.functional.test_uploads import png_bytes

    site_a = make.site("a", kind="portal")
    site_b = make.site("b")
    unit = make.unit("unit-a")
    users = {role: make.user(role, roles={site_a: [role]}) for role in SITE_ROLES}
    users["contributor2"] = make.user("contributor2", roles={site_a: ["contributor"]})
    users["editor2"] = make.user("editor2", roles={site_a: ["editor"]})
    users["outsider"] = make.user("outsider", roles={site_b: list(SITE_ROLES)})
    users["admin"] = make.user("admin", is_admin=True)
    membership = db.session.query(Membership).filter_by(user_id=users["contributor"].id).one()
    category = site_a.categories[0]

    def item(author, site, editor=None):  # submitted with an image; claimed if an editor is given
        sub = services.create_submission(author, site, {
            "content_type": "tin", "title": "Tin", "category": site.categories[0].code, "body_html": "<p>x</p>"})
        db.session.commit()
        attachment = add_attachment(author, sub, io.BytesIO(png_bytes()), "a.png")
        services.transition_submission(author, sub, "submit", sub.version)
        db.session.commit()
        if editor is not None:
            services.transition_submission(editor, sub, "claim", sub.version)
            db.session.commit()
        return sub, attachment

    # Site A's item: written by `contributor`, in review, claimed by `editor`. Site B's: the outsider's.
    sub, attachment = item(users["contributor"], site_a, users["editor"])
    sub_b, attachment_b = item(users["outsider"], site_b)
    # Publishing: a portal endpoint per site and one dead delivery to each.
    endpoint, _secret = create_endpoint(None, site_a, name="Cổng", kind="webhook", url="http://127.0.0.1:9/hook")
    endpoint_b, _secret = create_endpoint(None, site_b, name="Cổng B", kind="webhook", url="http://127.0.0.1:9/hook")
    [delivery] = enqueue(sub, "article.published", [endpoint])
    [delivery_b] = enqueue(sub_b, "article.published", [endpoint_b])
    delivery.state = delivery_b.state = "dead"
    db.session.commit()
    # Royalties: a sheet per site; the accountant's finished export of sheet A, its file kept.
    sheet = create_sheet(users["accountant"], site_a, "2025-03")
    sheet_b = create_sheet(users["outsider"], site_b, "2025-03")
    db.session.commit()
    task = enqueue_export(users["accountant"], sheet)
    task.state, task.result = "done", "bang-nhuan-but.xlsx"
    db.session.commit()
    keep_task_file(task.id, b"PK\x03\x04 a kept export")
    base = {
        "payee_id": str(payee_for_user(users["contributor"]).id), "number": "1", "unit_id": str(unit.id),
        "user_id": str(users["contributor"].id), "membership_id": str(membership.id), "year": "2026",
        "code": category.code, "category_id": str(category.id), "task_id": str(task.id), "token": "not-a-token",
        "fmt": "xlsx", "key": attachment.sha256[:16],
        # Rate administration: rows of the default rate data (installed with the schema).
        "kind": "caps", "row_id": "1", "regulation_id": "1", "genre_id": "1", "adjustment_id": "1",
    }
    objects = {
        "a": {"site": "a", "submission_id": str(sub.id), "version": str(sub.version), "attachment_id": str(attachment.id),
              "sheet_id": str(sheet.id), "delivery_id": str(delivery.id), "endpoint_id": str(endpoint.id)},
        "b": {"site": "b", "submission_id": str(sub_b.id), "version": str(sub_b.version), "attachment_id": str(attachment_b.id),
              "sheet_id": str(sheet_b.id), "delivery_id": str(delivery_b.id), "endpoint_id": str(endpoint_b.id)},
    }
    return base, objects


class _Snapshot:
    """The database and the upload folder as the world left them, put back before each route."""

    def __init__(self, url, uploads, folder):
        self.url, self.uploads, self.folder = url, uploads, folder
        self.sqlite = url.startswith("sqlite:///")
        db.session.remove()
        db.engine.dispose()  # SQLite: the last connection closed checkpoints the WAL into the file
        if self.sqlite:
            self.path = url.removeprefix("sqlite:///")
            shutil.copyfile(self.path, folder / "world.sqlite3")
        else:
            self.tables = [t for t in db.metadata.sorted_tables]
            self.rows = {}
            for table in self.tables:
                columns = [c for c in table.columns if c.computed is None]
                self.rows[table.name] = [dict(row._mapping) for row in
                                         db.session.execute(select(*columns)).all()]
            self.sequences = {}
            for table in self.tables:
                for column in table.primary_key.columns:
                    seq = db.session.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                            {"t": table.name, "c": column.name})
                    if seq:
                        self.sequences[seq] = db.session.scalar(text(f"SELECT last_value FROM {seq}"))
            db.session.commit()
        shutil.copytree(uploads, folder / "uploads", dirs_exist_ok=True)

    def restore(self):
        db.session.remove()
        if self.sqlite:
            db.engine.dispose()
            for suffix in ("-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    os.remove(self.path + suffix)
            shutil.copyfile(self.folder / "world.sqlite3", self.path)
        else:
            names = ", ".join(t.name for t in reversed(self.tables))
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            for table in self.tables:
                if self.rows[table.name]:
                    db.session.execute(table.insert(), self.rows[table.name])
            for seq, value in self.sequences.items():
                db.session.execute(text("SELECT setval(:s, :v)"), {"s": seq, "v": value})
            db.session.commit()
        shutil.rmtree(self.uploads, ignore_errors=True)
        shutil.copytree(self.folder / "uploads", self.uploads)


@pytest.fixture(scope="module")
def matrix(_migrated, tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    url, needs_cleaning = _test_database(_migrated, folder)

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Cfg)
    uploads = folder / "uploads-live"
    app.config["UPLOAD_FOLDER"] = str(uploads)
    app.test_client_class = IsolatedClient
    with app.app_context():
        if needs_cleaning:
            _clean_tables()
        base, objects = _build_world(Factory(app))
        os.makedirs(uploads, exist_ok=True)
        snapshot = _Snapshot(url, uploads, folder)
    yield app, base, objects, snapshot
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def world(matrix):
    app, base, objects, snapshot = matrix
    with app.app_context():
        snapshot.restore()
        yield app, base, objects, snapshot.restore
        db.session.remove()


# --- calling ---------------------------------------------------------------------------------------

def _values(base, objects, variant):
    if variant in ("a", "b"):
        return {**base, **objects[variant]}
    inner = variant.removeprefix("mixed:")
    return {**base, **objects["a"], inner: objects["b"][inner]}


def _fill(path, values):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)


def _web_login(client, caller):
    page = client.get("/login")
    response = client.post("/login", data={"username": caller, "password": PASSWORD,
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302, (caller, response.status_code)


def _call(client, caller, method, url, is_api, endpoint, variant, values):
    headers = {}
    if is_api:
        if caller != "anonymous":
            headers = bearer(api_token(client, caller))
        if endpoint in MULTIPART_ENDPOINTS:
            from tests.functional.test_uploads import png_bytes

            return client.open(url, method=method, headers=headers, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(png_bytes()), "a.png")})
        body = {} if method in ("POST", "PUT", "PATCH") else None
        if endpoint == "api_v1.update_submission":
            # A valid change: the claim holder makes it, others are refused by the workflow.
            body = {"version": int(values["version"]), "title": "Tin sửa"}
        if endpoint == "api_v1.create_submission":
            body = {"site": variant if variant in ("a", "b") else "a", "content_type": "tin", "title": "Tin",
                    "body_html": "<p>x</p>"}
        return client.open(url, method=method, json=body, headers=headers)
    data = None
    if caller != "anonymous":
        _web_login(client, caller)
    if method == "POST":
        page = client.get("/" if caller != "anonymous" else "/login").get_data(as_text=True)
        data = {"csrf_token": csrf_from(page)}
    return client.open(url, method=method, data=data)


def _to_login(response):
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def _expected(caller, rule, table, method, variant):
    if isinstance(table.get("GET", table.get("POST")), dict):
        table = table[method]
    if rule == "public":
        return PUBLIC
    if caller == "anonymous":
        return "anonymous"
    outcome = table[caller]
    if variant == "a":
        return outcome
    if variant == "b":
        # Site B's objects: site A's roles see nothing of B (404); the outsider (every role on B)
        # and admins pass the rule, the workflow may still refuse.
        return EITHER if caller in ("outsider", "admin") else D404
    # Site A's container never holds site B's object: 404 to whoever passes the rule (and for the
    # site-scoped rules, before any role check of the view: the object is looked up first).
    if isinstance(outcome, set) and rule not in SITE_SCOPED_RULES:
        return outcome
    return REFUSE_OR_404 if outcome == REFUSE else D404


def _check(caller, expected, response, is_api, where):
    status = response.status_code
    assert status < 500, (where, response.get_data(as_text=True)[:500])
    if expected == SIGNED_OUT:
        assert _to_login(response), where
        return
    if expected == PUBLIC:
        assert status not in (401, 403), where
        return
    if expected == "anonymous":
        if is_api:
            assert status == 401 and response.get_json()["error"]["code"], where
        else:
            assert _to_login(response), where
        return
    if isinstance(expected, set):
        assert status in expected, where
        if is_api:
            assert response.get_json()["error"]["code"], where
        return
    refused = False
    if status == 403:
        if is_api:
            refused = response.get_json()["error"]["code"] in WORKFLOW_CODES
        else:
            refused = True
    elif not is_api and status == 302 and expected != ALLOW:
        refused = not _to_login(response)
    if expected == REFUSE_OR_404 and status == 404:
        return
    assert status not in (401, 404) and not _to_login(response), where
    if expected == ALLOW:
        assert status != 403, where
        if not is_api and response.request.method == "GET":
            assert status != 302, where  # an allowed page answers itself (a refusal redirects to the item)
    elif expected in (REFUSE, REFUSE_OR_404):
        assert refused, where
    else:
        assert status != 403 or refused, where


@pytest.mark.parametrize("path,method,endpoint,rule,variant", CASES)
def test_matrix(world, path, method, endpoint, rule, variant):
    app, base, objects, world_restore = world
    assert endpoint in EXPECTED, f"{endpoint} ({method} {path}) is missing from EXPECTED"
    declared, table = EXPECTED[endpoint]
    assert declared == rule, f"{endpoint} declares {rule!r}, EXPECTED says {declared!r}"
    is_api = path.startswith("/api/")
    values = _values(base, objects, variant)
    url = _fill(path, values)
    changed = False
    for caller in CALLERS:
        client = app.test_client()
        if changed:
            world_restore()  # the previous caller may have changed the objects (e.g. removed the attachment)
        response = _call(client, caller, method, url, is_api, endpoint, variant, values)
        changed = method != "GET" and response.status_code < 400
        expected = _expected(caller, rule, table, method, variant)
        _check(caller, expected, response, is_api, (caller, method, url, response.status_code, expected))
