"""A realistic installation as rows: sites, units, users, items with their whole life, sheets, outbox.

Shape (issue 15): the provincial portal and 35 component sites, ~2,000 users, `items` items spread over
`years` years ending now (ids grow with creation time), so one calendar year holds about 1/`years` of
them; the portal gets 16.5 parts of the flow for a component site's ~3 (16,500 and ~3,000 a year at
1.2 M items). Items older than the go-live (8 years ago) were imported from the old portal (external_id,
one "import" history row, royalties settled); younger ones went through the workflow: ~5 history rows,
2–3 revisions, a grading, returns and rejections with reasons, and — for the last 30 days — every
waiting state. A year of monthly royalty sheets per site (paid, then approved, then this month's draft)
with a line per published item and an editor's fee on half of them; an outbox delivery per item
published in the last year. All from one seeded Random: the same arguments give the same rows.
"""
import bisect
import json
from datetime import date, datetime, timedelta, timezone

from bbt_workflow.domain.text_search import fold
from bbt_workflow.secret_box import encrypt
from config import DEV_SECRETS_KEY

from vietnamese_text import (
    CATEGORIES, REJECT_REASONS, RETURN_REASONS, SITE_NAMES, UNPUBLISH_REASONS, TextPools, person_name,
)

HOUR = 3600.0
DAY = 86400.0
VN_OFFSET = 7 * HOUR
CONTENT_TYPES = [("tin", 55), ("bai", 15), ("anh", 12), ("video", 4), ("infographic", 3), ("banner", 1),
                 ("van_ban", 5), ("thong_bao", 5)]
GENRE_FOR_TYPE = {"tin": ["tin_anh", "tin_ngan", "tin_tong_hop"], "bai": ["bai_phan_anh", "binh_luan"],
                  "anh": ["anh_dong_bang", "anh_mien_nui"], "video": ["truc_tuyen_media"],
                  "infographic": ["infographic"], "banner": ["infographic"], "van_ban": ["tin_ngan"],
                  "thong_bao": ["tin_ngan"]}
# Final states of workflow items: older ones, and the last 30 days (the live queue).
OLD_STATES = [("published", 930), ("rejected", 35), ("withdrawn", 10), ("unpublished", 10), ("draft", 15)]
RECENT_STATES = [("published", 600), ("approved", 30), ("pending_approval", 50), ("in_review", 30),
                 ("submitted", 80), ("returned", 50), ("draft", 80), ("rejected", 40), ("withdrawn", 20),
                 ("unpublished", 20)]
PASSWORD = "Matkhau-2026"


def _cumulative(weighted):
    total, cum = 0, []
    for _, w in weighted:
        total += w
        cum.append(total)
    return [v for v, _ in weighted], cum, total


def _pick(rng, table):
    values, cum, total = table
    return values[bisect.bisect_right(cum, rng.random() * total)]


def _acronym(name):
    words = [w for w in fold(name).replace("-", " ").replace(",", " ").split() if w]
    return "".join(w[0] for w in words)


class Installation:
    def __init__(self, rng, items, years, now, refs, password_hash):
        self.rng, self.items, self.years, self.now = rng, items, years, now
        self.refs = refs  # ids read after the migrations: regulation, genres, base salary, site factors
        self.password_hash = password_hash
        self.start = now - years * 365.25 * DAY
        self.golive = now - 8 * 365.25 * DAY
        self.text = TextPools(rng)
        self.types = _cumulative(CONTENT_TYPES)
        self.old_states = _cumulative(OLD_STATES)
        self.recent_states = _cumulative(RECENT_STATES)
        self.counts = {}

    # ---- reference data -------------------------------------------------------------------------

    def reference(self, sink):
        rng, t0 = self.rng, self.start - 30 * DAY
        sink.columns("units", ["id", "code", "name", "active", "created_at"])
        sink.columns("sites", ["id", "code", "name", "kind", "approval_levels", "parent_id", "active", "created_at"])
        sink.columns("categories", ["id", "site_id", "code", "name", "active", "position"])
        sink.columns("plan_targets", ["id", "site_id", "year", "plan_items", "royalty_budget"])
        sink.columns("users", ["id", "username", "email", "full_name", "password_hash", "unit_id", "pen_name",
                               "phone", "active", "is_admin", "preferred_language", "failed_logins",
                               "password_changed_at", "created_at"])
        sink.columns("memberships", ["id", "user_id", "site_id", "created_at"])
        sink.columns("membership_roles", ["membership_id", "role"])
        sink.columns("payees", ["id", "user_id", "full_name", "pen_name", "unit_id", "search_name",
                                "labour_contract", "created_at", "updated_at"])
        sink.columns("portal_endpoints", ["id", "site_id", "name", "kind", "url", "active", "secret",
                                          "created_at", "updated_at"])

        # Units: the board of the portal, one per component site, 20 communes.
        units = [("bbt", "Ban Biên tập Cổng Thông tin điện tử tỉnh")]
        self.sites = [{"id": 1, "code": "tinh", "name": "Cổng Thông tin điện tử tỉnh", "kind": "portal",
                       "levels": 2, "weight": 16.5}]
        codes = {"tinh", "bbt"}
        for index, name in enumerate(SITE_NAMES):
            code = _acronym(name)
            while code in codes:
                code += str(index)
            codes.add(code)
            weight = 3.0 if index == 0 else round(rng.uniform(1.5, 4.5), 2)
            self.sites.append({"id": index + 2, "code": code, "name": name, "kind": "component",
                               "levels": 1 if rng.random() < 0.4 else 2, "weight": weight})
            units.append((code, name))
        for k in range(20):
            units.append((f"xa{k + 1:02d}", f"UBND xã {rng.choice(['Phước', 'Nhơn', 'Lợi', 'Vĩnh', 'Xuân'])} "
                                            f"{rng.choice(['Hải', 'Sơn', 'Thuận', 'Hà', 'Minh', 'Tân'])} {k + 1}"))
        self.unit_ids = list(range(1, len(units) + 1))
        for uid, (code, name) in enumerate(units, start=1):
            sink.add("units", (uid, code, name, True, t0))
        site_unit = {s["id"]: (1 if s["kind"] == "portal" else s["id"]) for s in self.sites}
        for s in self.sites:
            sink.add("sites", (s["id"], s["code"], s["name"], s["kind"], s["levels"],
                               None if s["kind"] == "portal" else 1, True, t0))

        cat_id = 0
        self.site_categories = {}
        for s in self.sites:
            chosen = CATEGORIES if s["kind"] == "portal" else rng.sample(CATEGORIES, rng.randint(6, 10))
            ids = []
            for position, (code, name) in enumerate(chosen):
                cat_id += 1
                ids.append(cat_id)
                sink.add("categories", (cat_id, s["id"], code, name, True, position))
            self.site_categories[s["id"]] = ids

        # Plan targets: the expected flow of the year plus 10 %, for every year of data and the next one.
        total_weight = sum(s["weight"] for s in self.sites)
        per_year = self.items / self.years
        current_year = datetime.fromtimestamp(self.now, timezone.utc).year
        target_id = 0
        for s in self.sites:
            plan = int(per_year * s["weight"] / total_weight * 1.1)
            for year in range(current_year - self.years, current_year + 2):
                target_id += 1
                sink.add("plan_targets", (target_id, s["id"], year, plan, plan * 350_000))

        # Users: per site approvers, editors and an accountant with known usernames; contributors after.
        self.user_unit, self.user_name = {}, {}
        self.site_editors, self.site_approvers, self.site_authors = {}, {}, {}
        self.logins = {}
        users = []  # (username, full_name, unit, is_admin)
        memberships = []  # (user index, site id, roles)
        users.append(("admin", "Quản trị hệ thống", 1, True))
        for s in self.sites:
            portal = s["kind"] == "portal"
            for role, prefix, count in (("approver", "pd", 4 if portal else 2), ("editor", "bt", 10 if portal else 4),
                                        ("accountant", "kt", 1)):
                for k in range(count):
                    users.append((f"{prefix}.{s['code']}.{k + 1}", person_name(rng), site_unit[s["id"]], False))
                    memberships.append((len(users) - 1, s["id"], (role,)))
        contributors = 2000 - len(users)
        site_ids = [s["id"] for s in self.sites]
        site_table = _cumulative([(s["id"], s["weight"]) for s in self.sites])
        for k in range(contributors):
            users.append((f"ctv{k + 1:04d}", person_name(rng), rng.choice(self.unit_ids), False))
            first = _pick(rng, site_table)
            memberships.append((len(users) - 1, first, ("contributor",)))
            if rng.random() < 0.2:
                second = rng.choice(site_ids)
                if second != first:
                    memberships.append((len(users) - 1, second, ("contributor",)))
        for index, (username, name, unit, admin) in enumerate(users):
            uid = index + 1
            pen = f"{name.split()[-1]} {username[-2:]}" if rng.random() < 0.3 else None
            sink.add("users", (uid, username, f"{username}@bench.bbt.vn", name, self.password_hash, unit, pen,
                               None, True, admin, None, 0, t0, t0))
            sink.add("payees", (uid, uid, name, pen, unit, fold(f"{name} {pen or ''}")[:520], False, t0, t0))
            self.user_unit[uid] = unit
            self.user_name[uid] = name
        self.admin_id = 1
        for mid, (index, site_id, roles) in enumerate(memberships, start=1):
            uid = index + 1
            sink.add("memberships", (mid, uid, site_id, t0))
            for role in roles:
                sink.add("membership_roles", (mid, role))
                if role == "editor":
                    self.site_editors.setdefault(site_id, []).append(uid)
                elif role == "approver":
                    self.site_approvers.setdefault(site_id, []).append(uid)
                if role in ("contributor", "editor"):
                    self.site_authors.setdefault(site_id, []).append(uid)
        for s in self.sites:
            sink.add("portal_endpoints", (s["id"], s["id"], f"Cổng {s['code']}", "webhook",
                                          f"https://{s['code']}.bench.gov.vn/bbt-webhook", True,
                                          # stored encrypted (migration 0016), under the dev key the
                                          # generator's TestConfig uses
                                          encrypt(f"secret-{s['code']}", keys=[DEV_SECRETS_KEY]), t0, t0))
        self.site_table = site_table
        self.site_by_id = {s["id"]: s for s in self.sites}
        self.counts.update(sites=len(self.sites), users=len(users), memberships=len(memberships),
                           categories=cat_id)

    # ---- items ----------------------------------------------------------------------------------

    def _path(self, rng, state, site, author, editor, approver):
        """The actions that bring a new item to `state`: [(action, from, to, actor, comment, hours_after)]."""
        steps = [("create", None, "draft", author, None, 0.0)]
        if state == "draft":
            return steps
        if state == "withdrawn":
            if rng.random() < 0.5:
                steps.append(("submit", "draft", "submitted", author, None, rng.uniform(0.1, 8)))
                steps.append(("withdraw", "submitted", "withdrawn", author, None, rng.uniform(0.1, 8)))
            else:
                steps.append(("withdraw", "draft", "withdrawn", author, None, rng.uniform(1, 48)))
            return steps
        steps.append(("submit", "draft", "submitted", author, None, rng.uniform(0.1, 6)))
        if state == "submitted":
            return steps
        steps.append(("claim", "submitted", "in_review", editor, None, rng.uniform(0.2, 20)))
        if state == "in_review":
            return steps
        if state == "returned" or rng.random() < 0.12:
            steps.append(("return", "in_review", "returned", editor, rng.choice(RETURN_REASONS), rng.uniform(0.3, 6)))
            if state == "returned":
                return steps
            steps.append(("submit", "returned", "submitted", author, None, rng.uniform(1, 30)))
            steps.append(("claim", "submitted", "in_review", editor, None, rng.uniform(0.2, 12)))
        if state == "rejected":
            steps.append(("reject", "in_review", "rejected", editor, rng.choice(REJECT_REASONS), rng.uniform(0.3, 6)))
            return steps
        if site["levels"] == 2:
            steps.append(("forward", "in_review", "pending_approval", editor, None, rng.uniform(0.3, 8)))
            if state == "pending_approval":
                return steps
            steps.append(("approve", "pending_approval", "approved", approver, None, rng.uniform(0.3, 20)))
        else:
            steps.append(("approve", "in_review", "approved", editor, None, rng.uniform(0.3, 8)))
        if state in ("approved", "pending_approval"):
            return steps
        steps.append(("publish", "approved", "published", None, None, rng.uniform(0.0, 2)))
        if state == "unpublished":
            steps.append(("unpublish", "published", "unpublished", approver, rng.choice(UNPUBLISH_REASONS),
                          rng.uniform(2, 200)))
        return steps

    def item_columns(self, sink):
        sink.columns("submissions", [
            "id", "site_id", "category_id", "content_type", "title", "summary", "body_html", "language", "state",
            "version", "revision", "author_id", "unit_id", "assignee_id", "claimed_at", "last_activity_at",
            "publish_at", "first_submitted_at", "approved_at", "published_at", "portal_url", "external_id",
            "royalty_settled", "search_text", "created_at", "updated_at", "state_entered_at"])
        sink.columns("submission_authors", ["id", "submission_id", "user_id", "name", "pen_name", "share"])
        sink.columns("revisions", ["id", "submission_id", "number", "title", "summary", "body_html", "category_id",
                                   "content_type", "language", "created_by_id", "created_at"])
        sink.columns("submission_history", ["id", "submission_id", "site_id", "action", "from_state", "to_state",
                                            "actor_id", "comment", "revision", "at"])
        sink.columns("gradings", ["id", "submission_id", "regulation_id", "graded_by_id", "action",
                                  "provider_payee_id", "is_current", "graded_at"])
        sink.columns("grading_parts", ["id", "grading_id", "position", "genre_code", "coefficient"])
        sink.columns("grading_payees", ["id", "part_id", "payee_id", "share"])
        sink.columns("royalty_lines", [
            "id", "sheet_id", "kind", "payee_id", "submission_id", "grading_part_id", "regulation_id",
            "base_salary_id", "site_factor_id", "fee_role", "genre_code", "genre_label", "coefficient", "unit_value",
            "site_factor", "factors_json", "share", "amount", "published_at", "note"])
        sink.columns("outbox_deliveries", [
            "id", "webhook_id", "site_id", "submission_id", "endpoint_id", "event", "item_version", "body", "state",
            "attempts", "next_attempt_at", "last_status", "portal_url", "remote_id", "created_at", "delivered_at",
            "dead_at"])
        sink.columns("outbox_attempts", ["id", "delivery_id", "attempt", "started_at", "duration_ms", "status",
                                         "outcome"])

    def _sheet_months(self):
        """The 13 months of sheets (a year back to this month), as (year, month) → index 0..12."""
        local_now = datetime.fromtimestamp(self.now + VN_OFFSET, timezone.utc)
        months = []
        y, m = local_now.year, local_now.month
        for _ in range(13):
            months.append((y, m))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        months.reverse()
        return {ym: i for i, ym in enumerate(months)}

    def generate_items(self, sink, progress):
        rng, refs = self.rng, self.refs
        self.item_columns(sink)
        months = self._sheet_months()
        self.sheet_months = months
        self.sheet_totals = {}  # sheet id -> gross
        self.sheet_payees = {}  # (sheet id, payee id) -> gross
        n_months = len(months)
        genre_info = refs["genres"]  # code -> (label, default coefficient)
        base_salary_id, base_salary = refs["base_salary"]
        unit_value = base_salary // 10
        factor_of = {"portal": refs["site_factors"]["portal"], "component": refs["site_factors"]["component"]}
        span = (self.now - HOUR) - self.start
        ids = dict(rev=0, hist=0, grading=0, line=0, delivery=0)
        last_year = self.now - 365 * DAY
        recent_from = self.now - 30 * DAY
        for i in range(self.items):
            sid = i + 1
            created = self.start + (i + rng.random()) * span / self.items
            site = self.site_by_id[_pick(rng, self.site_table)]
            site_id = site["id"]
            ctype = _pick(rng, self.types)
            category = rng.choice(self.site_categories[site_id])
            authors = self.site_authors.get(site_id) or self.site_editors[site_id]
            author = rng.choice(authors)
            unit = self.user_unit[author]
            editor = rng.choice(self.site_editors[site_id])
            approver = rng.choice(self.site_approvers[site_id])
            title, summary, body, search = self.text.item_text(rng, sid)
            imported = created < self.golive
            if imported:
                at = self.golive + i * 0.001
                steps = [("import", None, "published", self.admin_id, f"external_id=old-{sid}", None)]
                times = [at]
                state = "published"
            else:
                table = self.recent_states if created >= recent_from else self.old_states
                state = _pick(rng, table)
                path = self._path(rng, state, site, author, editor, approver)
                steps, times, t = [], [], created
                for step in path:
                    t += step[5] * HOUR
                    if t > self.now:  # the rest has not happened yet
                        break
                    steps.append(step)
                    times.append(t)
                state = steps[-1][2]
            # Revisions: the author's first text, the editor's edit when claimed, the author's fix after a return.
            revisions = [(author, created)]
            first_submit = claimed = approved = published = None
            history_rows = []
            assignee = None
            for (action, frm, to, actor, comment, _), t in zip(steps, times):
                if action == "submit":
                    first_submit = first_submit or t
                    if frm == "returned":
                        revisions.append((author, t - 60))
                elif action == "claim":
                    claimed, assignee = t, actor
                    if len(revisions) < 3:
                        revisions.append((actor, t + 600))
                elif action in ("return",):
                    assignee = None
                elif action == "approve":
                    approved = t
                elif action in ("publish", "import"):
                    published = t
                history_rows.append((action, frm, to, actor, comment, t))
            if imported:
                first_submit = approved = published = created
                created_at = created
            else:
                created_at = created
            revisions = [r for r in revisions if r[1] <= self.now]
            rev_number = len(revisions)
            last_t = times[-1]
            if state not in ("in_review", "pending_approval", "approved", "published", "unpublished", "rejected"):
                assignee = None
            external_id = f"old-{sid}" if imported else None
            portal_url = f"https://{site['code']}.bench.gov.vn/tin/{sid}" if published else None
            sink.add("submissions", (
                sid, site_id, category, ctype, title, summary, body, "vi", state, len(history_rows) + rev_number,
                rev_number, author, unit, assignee, claimed if state == "in_review" else None, last_t,
                approved if state == "approved" else None, first_submit, approved, published, portal_url,
                external_id, imported, search, created_at, last_t, last_t))  # each generated step moves the item
            sink.add("submission_authors", (sid, sid, author, self.user_name[author], None, "100.00"))
            for number, (by, t) in enumerate(revisions, start=1):
                ids["rev"] += 1
                sink.add("revisions", (ids["rev"], sid, number, title, summary, body, category, ctype, "vi", by, t))
            revision_at = 1
            for action, frm, to, actor, comment, t in history_rows:
                ids["hist"] += 1
                while revision_at < rev_number and revisions[revision_at][1] <= t:
                    revision_at += 1
                sink.add("submission_history",
                         (ids["hist"], sid, site_id, action, frm, to, actor, comment, revision_at, t))
            # Grading: decided when forwarded (two levels) or approved (one level), or at import.
            grading_step = next(((a, actor, t) for (a, _, _, actor, _, _), t in zip(steps, times)
                                 if a in ("forward", "import") or (a == "approve" and site["levels"] == 1)), None)
            part_id = None
            if grading_step:
                ids["grading"] += 1
                part_id = ids["grading"]
                action, actor, t = grading_step
                genre = rng.choice(GENRE_FOR_TYPE[ctype])
                label, coefficient = genre_info[genre]
                sink.add("gradings", (part_id, sid, refs["regulation_id"], actor, action, None, True, t))
                sink.add("grading_parts", (part_id, part_id, 0, genre, coefficient))
                sink.add("grading_payees", (part_id, part_id, author, "100.00"))
            # Royalty lines: items published in the sheets' year, on their site's sheet of the month.
            if published and part_id and not imported and state in ("published", "unpublished"):
                local = datetime.fromtimestamp(published + VN_OFFSET, timezone.utc)
                month_index = months.get((local.year, local.month))
                if month_index is not None:
                    sheet_id = (site_id - 1) * n_months + month_index + 1
                    factor_id, factor = factor_of[site["kind"]]
                    amount = int(float(coefficient) * unit_value * float(factor))
                    ids["line"] += 1
                    sink.add("royalty_lines", (
                        ids["line"], sheet_id, "royalty", author, sid, part_id, refs["regulation_id"],
                        base_salary_id, factor_id, None, genre, label, coefficient, unit_value, factor, "[]",
                        "100.00", amount, published, ""))
                    self._sheet_add(sheet_id, author, amount)
                    if rng.random() < 0.5:
                        ids["line"] += 1
                        fee = 20_000
                        sink.add("royalty_lines", (
                            ids["line"], sheet_id, "fee", editor, sid, None, None, None, None, "editor", None,
                            "Phí biên tập", None, None, None, "[]", None, fee, published, ""))
                        self._sheet_add(sheet_id, editor, fee)
            # Outbox: a delivery per item published in the last year.
            if published and published >= last_year and not imported:
                ids["delivery"] += 1
                did = ids["delivery"]
                roll = rng.random()
                dstate = "dead" if roll < 0.005 else ("pending" if roll < 0.01 and published > self.now - DAY
                                                      else "delivered")
                payload = json.dumps({"uri": f"bbt:{sid}", "version": 1, "headline": title,
                                      "site": site["code"]}, ensure_ascii=False).encode("utf-8")
                sink.add("outbox_deliveries", (
                    did, f"{rng.getrandbits(128):032x}", site_id, sid, site_id, "article.published", 1, payload,
                    dstate, 1, published + 60, 200 if dstate == "delivered" else 503, portal_url,
                    str(sid) if dstate == "delivered" else None, published, published + 2 if dstate == "delivered"
                    else None, published + 3600 if dstate == "dead" else None))
                sink.add("outbox_attempts", (did, did, 1, published + 1, rng.randint(40, 900),
                                             200 if dstate == "delivered" else 503,
                                             "delivered" if dstate == "delivered" else "retry"))
            if (i + 1) % 50_000 == 0:
                progress(i + 1)
        self.counts.update(items=self.items, revisions=ids["rev"], history=ids["hist"], gradings=ids["grading"],
                           royalty_lines=ids["line"], deliveries=ids["delivery"])

    def _sheet_add(self, sheet_id, payee, amount):
        self.sheet_totals[sheet_id] = self.sheet_totals.get(sheet_id, 0) + amount
        key = (sheet_id, payee)
        self.sheet_payees[key] = self.sheet_payees.get(key, 0) + amount

    def sheets(self, sink):
        """The year of sheets: paid up to two months ago, approved last month, this month's draft."""
        sink.columns("royalty_sheets", [
            "id", "site_id", "period_start", "period_end", "payment_date", "state", "version", "number",
            "regulation_label", "gross", "tax", "net", "warnings", "computed_at", "created_by_id", "approved_by_id",
            "approved_at", "paid_by_id", "paid_at", "created_at"])
        sink.columns("royalty_sheet_payees", ["sheet_id", "payee_id", "unit_name", "gross", "tax", "net", "staff",
                                              "commitment"])
        # The sheet's tax is its payees' tax (withheld per payee from 2,000,000 đ a month): the exports check
        # that the figures add up and refuse a sheet whose total tax is not the sum of its payees'.
        payee_tax = {key: (gross // 10 if gross >= 2_000_000 else 0) for key, gross in self.sheet_payees.items()}
        sheet_tax = {}
        for (sheet_id, _payee), tax in payee_tax.items():
            sheet_tax[sheet_id] = sheet_tax.get(sheet_id, 0) + tax
        n = len(self.sheet_months)
        for s in self.sites:
            for (y, m), index in self.sheet_months.items():
                sheet_id = (s["id"] - 1) * n + index + 1
                start = date(y, m, 1)
                end = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1))
                state = "draft" if index == n - 1 else ("approved" if index == n - 2 else "paid")
                gross = self.sheet_totals.get(sheet_id, 0)
                tax = sheet_tax.get(sheet_id, 0)
                end_epoch = datetime(end.year, end.month, end.day, tzinfo=timezone.utc).timestamp()
                done = min(end_epoch + 5 * DAY, self.now - HOUR)
                approver = self.site_approvers[s["id"]][0]
                sink.add("royalty_sheets", (
                    sheet_id, s["id"], start.isoformat(), end.isoformat(), (end + timedelta(days=10)).isoformat(),
                    state, 1, f"{m:02d}/{y}-{s['code']}", "Quy chế nhuận bút", gross, tax, gross - tax, "", done,
                    approver, approver if state != "draft" else None, done if state != "draft" else None,
                    approver if state == "paid" else None, done if state == "paid" else None, done))
        for (sheet_id, payee), gross in self.sheet_payees.items():
            tax = payee_tax[(sheet_id, payee)]
            sink.add("royalty_sheet_payees", (sheet_id, payee, "", gross, tax, gross - tax, False, False))
        self.counts.update(royalty_sheets=len(self.sites) * n, sheet_payees=len(self.sheet_payees))
