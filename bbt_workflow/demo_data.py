"""Demo data for a first look: Bình Phước's portal and three component sites.

Agencies are those named in the seed activity reports (shared/seeds/).
"""
from .accounts import services

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
    return accounts


def _demo_royalties(portal):
    """Last month's published items on the portal, graded, so the accountant has a sheet to compute,
    and the board's editor fee rule (10% of an item's royalty)."""
    from datetime import date, datetime, time, timedelta

    from .accounts.models import User
    from .domain.royalty_rules import VIETNAM, local_date
    from .db_types import utcnow
    from .extensions import db
    from .royalties.importing import import_items
    from .royalties.models import FeeRule

    db.session.add(FeeRule(site_id=portal.id, role="editor", kind="percent", value=10,
                           effective_from=date(2020, 1, 1), source_text="Quyết định của Ban Biên tập (mẫu)"))
    admin = db.session.scalar(db.select(User).where(User.username == "admin"))
    first_of_month = local_date(utcnow()).replace(day=1)
    last_month = (first_of_month - timedelta(days=1)).replace(day=1)
    items = []
    for day, (title, genre, coefficient, payees) in enumerate((
        ("Bình Phước đẩy mạnh chuyển đổi số cấp xã", "tin_anh", "1.5", [{"username": "ctv", "share": "100"}]),
        ("Hội nghị xúc tiến đầu tư năm 2026", "tin_tong_hop", "2.0", [{"username": "ctv", "share": "100"}]),
        ("Phỏng vấn Giám đốc Sở TT&TT về dịch vụ công", "bai_phan_anh", "2.2",
         [{"username": "ctv", "share": "60"}, {"username": "bientap", "share": "40"}]),
        ("Mùa điều chín ở Bù Gia Mập (ảnh)", "anh_mien_nui", "1.5",
         [{"name": "Nguyễn Văn Sơn", "pen_name": "Sơn Nguyên", "share": "100"}]),
    ), start=3):
        published = datetime.combine(last_month + timedelta(days=day), time(9, 0), VIETNAM)
        items.append({"external_id": f"demo-{last_month:%Y%m}-{day}", "content_type": "tin", "category": "van-ban",
                      "title": title, "author_username": "ctv", "published_at": published.isoformat(),
                      "grading": {"parts": [{"genre": genre, "coefficient": coefficient, "factors": [],
                                             "payees": payees}]}})
    import_items(admin, portal, items)


