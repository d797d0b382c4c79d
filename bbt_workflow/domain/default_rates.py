"""The rate data a new installation starts with (ROYALTIES.md), as plain values.

An admin replaces the rate table with the province's own decision; rows from
2026 texts not yet checked against an official copy are marked to_verify
("cần kiểm tra"). Installed by the 0004 migration and by `install_default_rates`.
"""
from datetime import date
from decimal import Decimal as D

NATIONAL_CAP_SOURCE = "NĐ 18/2014/NĐ-CP, Điều 7.1"
NATIONAL_CAPS = [
    # cap_group, label, max coefficient
    ("tin", "Tin, trả lời bạn đọc", D("10")),
    ("tranh", "Tranh", D("10")),
    ("anh", "Ảnh", D("10")),
    ("chinh_luan", "Chính luận", D("30")),
    ("phong_su", "Phóng sự, ký, phỏng vấn", D("30")),
    ("van_hoc", "Sáng tác văn học", D("30")),
    ("nghien_cuu", "Nghiên cứu", D("30")),
    ("truc_tuyen_media", "Trực tuyến, media", D("50")),
]
NATIONAL_CAPS_FROM = date(2014, 6, 1)

BASE_SALARIES = [
    # effective from, VND per month, source, to verify
    (date(2019, 7, 1), 1_490_000, "NĐ 38/2019/NĐ-CP", False),
    (date(2023, 7, 1), 1_800_000, "NĐ 24/2023/NĐ-CP", False),
    (date(2024, 7, 1), 2_340_000, "NĐ 73/2024/NĐ-CP", False),
    (date(2026, 7, 1), 2_530_000, "NĐ 161/2026/NĐ-CP (cần kiểm tra)", True),
]

TAX_RULES = [
    # effective from, threshold per payment, rate %, source, to verify
    (date(2014, 6, 1), 2_000_000, D("10"), "TT 111/2013/TT-BTC, Điều 25.1.i", False),
    (date(2026, 7, 1), 5_000_000, D("10"), "NĐ 253/2026/NĐ-CP (cần kiểm tra)", True),
]

SITE_KIND_FACTORS = [
    # site kind, factor, source
    ("portal", D("1"), "Cổng TTĐT tỉnh: 100% mức nhuận bút"),
    ("component", D("0.2"), "QĐ 2157/QĐ-UBND (Ninh Thuận, 07/12/2020): trang thành phần 20%"),
]
SITE_FACTORS_FROM = date(2014, 6, 1)

DEFAULT_REGULATION = {
    "code": "ninh-thuan-23-2020",
    "name": "Bảng hệ số nhuận bút mặc định (theo QĐ 23/2020/QĐ-UBND tỉnh Ninh Thuận)",
    "source_text": "QĐ 23/2020/QĐ-UBND",
    "effective_from": date(2014, 6, 1),
}

GENRES = [
    # code, label, min, max, default, national cap group
    ("tin_ngan", "Tin hoạt động, sự kiện (không ảnh)", D("1.0"), D("1.0"), D("1.0"), "tin"),
    ("tin_anh", "Tin hoạt động, sự kiện có ảnh", D("1.5"), D("1.5"), D("1.5"), "tin"),
    ("tin_tong_hop", "Tin tổng hợp, tin sâu, tường thuật", D("1.2"), D("2.5"), D("1.8"), "tin"),
    ("tin_dang_lai", "Tin đăng lại (có dẫn nguồn)", D("0.5"), D("0.5"), D("0.5"), "tin"),
    ("anh_dong_bang", "Ảnh (đồng bằng, đô thị)", D("1.2"), D("1.5"), D("1.2"), "anh"),
    ("anh_mien_nui", "Ảnh (miền núi, vùng sâu)", D("1.5"), D("1.8"), D("1.5"), "anh"),
    ("bai_phan_anh", "Bài phản ánh, phỏng vấn", D("2.0"), D("2.5"), D("2.0"), "phong_su"),
    ("binh_luan", "Bình luận, chính luận", D("2.5"), D("3.0"), D("2.5"), "chinh_luan"),
    ("nghien_cuu", "Nghiên cứu", D("3.0"), D("4.0"), D("3.0"), "nghien_cuu"),
    ("truc_tuyen_media", "Trực tuyến, media, video", D("4.0"), D("5.0"), D("4.0"), "truc_tuyen_media"),
    # No source names infographics: illustrative, an admin sets the province's own.
    ("infographic", "Infographic, đồ họa", D("1.5"), D("1.5"), D("1.5"), "tranh"),
]

ADJUSTMENTS = [
    # code, label, min, max, default
    ("translation", "Bản dịch", D("0.40"), D("0.65"), D("0.50")),
    ("children_minorities", "Cho thiếu nhi, đồng bào dân tộc thiểu số", D("1.10"), D("1.20"), D("1.10")),
    ("foreign_language", "Viết trực tiếp bằng tiếng nước ngoài, tiếng dân tộc", D("1.30"), D("1.50"), D("1.30")),
    ("hard_conditions", "Điều kiện khó khăn, nguy hiểm", D("1.00"), D("2.00"), D("1.00")),
]
