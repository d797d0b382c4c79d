"""Demo data for a first look: Bình Phước's portal and three component sites.

Agencies are those named in the seed activity reports (shared/seeds/).
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from .accounts import services
from .accounts.models import User
from .db_types import utcnow
from .domain.royalty_rules import VIETNAM, local_date
from .extensions import db
from .royalties.importing.services import import_items
from .royalties.models import FeeRule
from .submissions import services as workflow

UNITS = (
    ("vp-ubnd", "Văn phòng UBND tỉnh"),
    ("so-tttt", "Sở Thông tin và Truyền thông"),
    ("ttcntt", "Trung tâm Công nghệ thông tin và Truyền thông"),
    ("dai-ptth-bao", "Đài Phát thanh – Truyền hình và Báo Bình Phước"),
    ("cuc-thue", "Cục Thuế tỉnh"),
    ("so-noi-vu", "Sở Nội vụ"),
    ("so-tu-phap", "Sở Tư pháp"),
    ("xtdt", "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch"),
    ("ubnd-bu-dang", "UBND huyện Bù Đăng"),
)

SITES = (
    # code, name, kind, approval levels, parent, plan items per year
    ("binhphuoc", "Cổng Thông tin điện tử tỉnh Bình Phước", "portal", 2, None, 16500),
    ("sotttt", "Trang TTĐT Sở Thông tin và Truyền thông", "component", 2, "binhphuoc", 3000),
    ("sotuphap", "Trang TTĐT Sở Tư pháp", "component", 1, "binhphuoc", 3000),
    ("budang", "Trang TTĐT huyện Bù Đăng", "component", 1, "binhphuoc", 3000),
)

# username, full name, unit, pen name, admin?, {site: roles}, description
USERS = (
    ("admin", "Quản trị hệ thống", "ttcntt", None, True, {}, "administrator"),
    ("ctv", "Nguyễn Thị Hồng", "dai-ptth-bao", "Hồng Nhung", False,
     {"binhphuoc": ["contributor"], "sotttt": ["contributor"]}, "contributor (portal, Sở TT&TT)"),
    ("bientap", "Trần Văn Minh", "ttcntt", "Minh Trần", False,
     {"binhphuoc": ["editor"]}, "editor (portal)"),
    ("lanhdao", "Lê Quang Vinh", "so-tttt", None, False,
     {"binhphuoc": ["approver"], "sotttt": ["approver"]}, "approver (portal, Sở TT&TT)"),
    ("ketoan", "Phạm Thu Hà", "ttcntt", None, False,
     {"binhphuoc": ["accountant"]}, "accountant (portal)"),
    ("tuphap", "Đỗ Văn Khải", "so-tu-phap", "Văn Khải", False,
     {"sotuphap": ["contributor", "editor", "approver"]}, "editor and approver (Sở Tư pháp)"),
    ("budang", "Hoàng Thị Lan", "ubnd-bu-dang", None, False,
     {"budang": ["contributor", "editor"]}, "contributor and editor (huyện Bù Đăng)"),
)


# Known demo passwords, printed once by `flask bbt demo` and listed in README.md.
DEMO_PASSWORDS = {
    "admin": "Hethong@2026",
    "ctv": "Congtac@2026",
    "bientap": "Soanthao@2026",
    "lanhdao": "Pheduyet@2026",
    "ketoan": "Taichinh@2026",
    "tuphap": "Phapche@2026",
    "budang": "Huyenbd@2026",
}


def demo_password(username):
    return DEMO_PASSWORDS[username]


def load_demo_data(year=2026):
    """Create the demo installation; returns [(username, password, description)]."""
    for code, name in UNITS:
        services.create_unit(None, code=code, name=name)
    sites = {}
    for code, name, kind, levels, parent, plan in SITES:
        site = services.create_site(None, code=code, name=name, kind=kind, approval_levels=levels, parent=parent)
        budget = 1_200_000_000 if kind == "portal" else 120_000_000
        services.set_plan_target(None, site, year, plan_items=plan, royalty_budget=budget)
        sites[code] = site
    accounts = []
    for username, full_name, unit, pen_name, is_admin, memberships, description in USERS:
        password = demo_password(username)
        user = services.create_user(
            None, username=username, email=f"{username}@demo-bbt.vn", full_name=full_name,
            password=password, unit=unit, pen_name=pen_name, is_admin=is_admin,
        )
        for site_code, roles in memberships.items():
            services.set_membership(None, user, sites[site_code], roles)
        accounts.append((username, password, description))
    _demo_royalties(sites["binhphuoc"])
    _demo_month(sites)
    return accounts


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def _grading(genre, coefficient, *shares):
    """One part paying (username, share) pairs."""
    return {"parts": [{"genre": genre, "coefficient": coefficient, "factors": [],
                       "payees": [{"username": u, "share": share} for u, share in shares]}]}


# Last month on the provincial portal, as the old portal's export would bring it in: several kinds,
# categories and units, graded, so `ketoan` can compute the month's sheet at once.
# (day, content type, category, unit, title, genre, coefficient, payees, outside author)
LAST_MONTH = (
    (2, "tin", "tin-tuc-su-kien", "vp-ubnd", "Bình Phước đẩy mạnh chuyển đổi số cấp xã",
     "tin_anh", "1.5", [("ctv", "100")], None),
    (3, "bai", "chien-luoc-quy-hoach-ke-hoach", "xtdt", "Hội nghị xúc tiến đầu tư năm 2026: 12 dự án được trao chủ trương",
     "tin_tong_hop", "2.0", [("ctv", "100")], None),
    (6, "bai", "cai-cach-hanh-chinh", "so-tttt", "Phỏng vấn Giám đốc Sở TT&TT về dịch vụ công trực tuyến toàn trình",
     "bai_phan_anh", "2.2", [("ctv", "60"), ("bientap", "40")], None),
    (8, "anh", "tin-tuc-su-kien", "dai-ptth-bao", "Mùa điều chín ở Bù Gia Mập (ảnh)",
     "anh_mien_nui", "1.5", None, ("Nguyễn Văn Sơn", "Sơn Nguyên")),
    (10, "video", "chuyen-doi-so", "dai-ptth-bao", "Video: Người dân Đồng Xoài làm thủ tục trên VNeID",
     "truc_tuyen_media", "4.0", [("ctv", "100")], None),
    (13, "infographic", "cai-cach-hanh-chinh", "so-noi-vu", "Infographic: Chỉ số cải cách hành chính tỉnh năm 2025",
     "infographic", "1.5", [("ctv", "100")], None),
    (15, "van_ban", "van-ban", "vp-ubnd", "Quyết định ban hành Kế hoạch phát triển kinh tế số tỉnh",
     "tin_dang_lai", "0.5", [("bientap", "100")], None),
    (17, "thong_bao", "thong-bao", "cuc-thue", "Thông báo lịch tạm ngừng hệ thống hóa đơn điện tử",
     "tin_ngan", "1.0", [("ctv", "100")], None),
    (20, "tin", "pho-bien-phap-luat", "so-tu-phap", "Tuyên truyền Luật Đất đai 2024 đến đồng bào dân tộc thiểu số",
     "tin_anh", "1.5", [("ctv", "100")], None),
    (24, "bai", "du-an-dau-tu-dau-thau", "xtdt", "Khu công nghiệp Becamex Bình Phước thu hút thêm 3 dự án FDI",
     "binh_luan", "2.5", [("ctv", "50"), ("bientap", "50")], None),
)


def _demo_royalties(portal):
    """Last month's published items on the portal, graded, so the accountant has a sheet to compute,
    and the board's editor fee rule (10% of an item's royalty)."""
    db.session.add(FeeRule(site_id=portal.id, role="editor", kind="percent", value=10,
                           effective_from=date(2020, 1, 1), source_text="Quyết định của Ban Biên tập (mẫu)"))
    admin = _user("admin")
    first_of_month = local_date(utcnow()).replace(day=1)
    last_month = (first_of_month - timedelta(days=1)).replace(day=1)
    items = []
    for day, kind, category, unit, title, genre, coefficient, payees, outsider in LAST_MONTH:
        published = datetime.combine(last_month + timedelta(days=day - 1), time(9, 0), VIETNAM)
        item = {"external_id": f"demo-{last_month:%Y%m}-{day}", "content_type": kind, "category": category,
                "unit": unit, "title": title, "published_at": published.isoformat(),
                "portal_url": f"https://binhphuoc.gov.vn/tin-tuc/demo-{last_month:%Y%m}-{day}",
                "grading": _grading(genre, coefficient, *(payees or []))}
        if outsider:
            item["author_name"], item["author_pen_name"] = outsider
            item["grading"]["parts"][0]["payees"] = [{"name": outsider[0], "pen_name": outsider[1], "share": "100"}]
        else:
            item["author_username"] = payees[0][0]
        items.append(item)
    import_items(admin, portal, items)


def _new(author, site, kind, category, title, summary=None, body=None):
    body = body or f"<p>{title}. Nội dung chi tiết do phóng viên {author.full_name} thực hiện.</p>"
    return workflow.create_submission(author, site, {
        "content_type": kind, "category": category, "title": title,
        "summary": summary or f"{title}.", "body_html": body})


def _act(actor, sub, *actions, **kw):
    for action in actions:
        workflow.transition_submission(actor, sub, action, sub.version, **kw)
    return sub


def _demo_month(sites):
    """This month's work in every state of the workflow, on the portal and the component sites,
    through the workflow service (history, notifications and grading as real use makes them)."""
    ctv, bientap, lanhdao = _user("ctv"), _user("bientap"), _user("lanhdao")
    tuphap, budang = _user("tuphap"), _user("budang")
    portal, sotttt, sotuphap, site_bd = (sites[c] for c in ("binhphuoc", "sotttt", "sotuphap", "budang"))
    two_parts = _grading("tin_tong_hop", "1.8", ("ctv", "100"))

    _new(ctv, portal, "bai", "chuyen-doi-so", "Nông dân Lộc Ninh bán hạt điều qua sàn thương mại điện tử")
    _act(ctv, _new(ctv, portal, "tin", "tin-tuc-su-kien", "Khai mạc Hội chợ thương mại – du lịch Bình Phước"),
         "submit")
    _act(ctv, _new(ctv, portal, "thong_bao", "thong-bao", "Thông báo tuyển dụng viên chức Sở Nội vụ năm 2026"),
         "submit")
    _act(bientap, _act(ctv, _new(ctv, portal, "tin", "chi-dao-dieu-hanh",
                                 "UBND tỉnh chỉ đạo đẩy nhanh giải ngân vốn đầu tư công"), "submit"), "claim")
    returned = _act(bientap, _act(ctv, _new(ctv, portal, "bai", "cai-cach-hanh-chinh",
                                            "Một cửa liên thông cấp huyện: còn nhiều hồ sơ trễ hẹn"), "submit"), "claim")
    _act(bientap, returned, "return", comment="Bổ sung số liệu quý III và ý kiến của Văn phòng UBND tỉnh.")
    pending = _act(bientap, _act(ctv, _new(ctv, portal, "bai", "chien-luoc-quy-hoach-ke-hoach",
                                           "Quy hoạch tỉnh Bình Phước: ba hành lang kinh tế động lực"), "submit"), "claim")
    _act(bientap, pending, "forward", grading=two_parts)
    scheduled = _act(bientap, _act(ctv, _new(ctv, portal, "tin", "tin-tuc-su-kien",
                                             "Lễ hội Sóc Bom Bo sẽ diễn ra vào cuối tuần"), "submit"), "claim")
    _act(bientap, scheduled, "forward", grading=_grading("tin_anh", "1.5", ("ctv", "100")))
    _act(lanhdao, scheduled, "approve", publish_at=utcnow() + timedelta(days=3))
    published = _act(bientap, _act(ctv, _new(ctv, portal, "tin", "chuyen-doi-so",
                                             "Bình Phước ra mắt ứng dụng công dân số"), "submit"), "claim")
    _act(bientap, published, "forward", grading=_grading("tin_anh", "1.5", ("ctv", "100")))
    _act(lanhdao, published, "approve")
    rejected = _act(bientap, _act(ctv, _new(ctv, portal, "tin", "tin-tuc-su-kien",
                                            "Tin trùng: Hội nghị giao ban báo chí tháng này"), "submit"), "claim")
    _act(bientap, rejected, "reject", comment="Trùng với tin đã đăng ngày 05.")
    _act(ctv, _new(ctv, portal, "tin", "tin-tuc-su-kien", "Bản nháp gửi nhầm chuyên mục"), "submit", "withdraw")
    unpublished = _act(bientap, _act(ctv, _new(ctv, portal, "van_ban", "van-ban",
                                               "Công văn về việc tổ chức Ngày Chuyển đổi số"), "submit"), "claim")
    _act(bientap, unpublished, "forward", grading=_grading("tin_dang_lai", "0.5", ("ctv", "100")))
    _act(lanhdao, unpublished, "approve")
    _act(lanhdao, unpublished, "unpublish", comment="Văn bản đã được thay thế, chờ bản mới.")

    # Sở TT&TT (two levels, lãnh đạo approves).
    _act(ctv, _new(ctv, sotttt, "tin", "chuyen-doi-so", "Sở TT&TT tập huấn an toàn thông tin cho cán bộ xã"), "submit")
    _act(lanhdao, _act(ctv, _new(ctv, sotttt, "bai", "chuyen-doi-so",
                                 "Phủ sóng 4G đến 100% thôn, ấp: những việc còn lại"), "submit"),
         "claim", )
    # Sở Tư pháp (one level: the editor who holds the item approves it).
    doc = _act(tuphap, _new(tuphap, sotuphap, "van_ban", "pho-bien-phap-luat",
                            "Kế hoạch phổ biến, giáo dục pháp luật năm 2026"), "submit", "claim")
    _act(tuphap, doc, "approve", grading=_grading("tin_ngan", "1.0", ("tuphap", "100")))
    _act(tuphap, _new(tuphap, sotuphap, "thong_bao", "thong-bao",
                      "Thông báo lịch tiếp công dân tháng này"), "submit", "claim")
    # Huyện Bù Đăng (one level).
    news = _act(budang, _new(budang, site_bd, "tin", "tin-tuc-su-kien",
                             "Bù Đăng tổ chức Ngày hội văn hóa dân tộc S'tiêng"), "submit", "claim")
    _act(budang, news, "approve", grading=_grading("tin_anh", "1.5", ("budang", "100")))
    _new(budang, site_bd, "bai", "cai-cach-hanh-chinh", "Xã Đường 10 về đích nông thôn mới")
