"""Default taxonomy (chuyên mục) of a new site, from the portal categories in the seed reports."""

DEFAULT_CATEGORIES = (
    ("tin-tuc-su-kien", "Tin tức – sự kiện"),
    ("chi-dao-dieu-hanh", "Chỉ đạo điều hành"),
    ("van-ban", "Văn bản"),
    ("chien-luoc-quy-hoach-ke-hoach", "Chiến lược – quy hoạch – kế hoạch"),
    ("du-an-dau-tu-dau-thau", "Dự án – đầu tư – đấu thầu"),
    ("lay-y-kien-gop-y", "Lấy ý kiến góp ý dự thảo văn bản"),
    ("pho-bien-phap-luat", "Tuyên truyền phổ biến pháp luật"),
    ("chuyen-doi-so", "Chuyển đổi số"),
    ("cai-cach-hanh-chinh", "Cải cách hành chính – dịch vụ công"),
    ("thong-bao", "Thông báo"),
    ("english", "English"),
)
