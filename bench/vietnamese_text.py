"""Vietnamese words for the generated installation: names, titles, summaries and 2–4 KB bodies.

Everything an item carries is drawn from pools built once per run (seeded), each with its folded
form (bbt_workflow.domain.text_search.fold) computed once, so the generator never folds a million
bodies: an item's `search_text` is the folded title + summary + body joined, as the service builds it.
"""
from bbt_workflow.domain.html_policy import html_to_text
from bbt_workflow.domain.text_search import fold

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Mai"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Hoài", "Xuân", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Hùng", "Hương",
         "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Nhung", "Phong", "Phúc", "Quân", "Quỳnh",
         "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Uyên", "Việt", "Yến"]

# Site names: the 35 component sites of a province (departments, districts) besides the portal.
SITE_NAMES = [
    "Sở Thông tin và Truyền thông", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Nội vụ", "Sở Tư pháp",
    "Sở Công Thương", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Giao thông vận tải", "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường", "Sở Lao động - Thương binh và Xã hội", "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ", "Sở Giáo dục và Đào tạo", "Sở Y tế", "Thanh tra tỉnh", "Ban Dân tộc",
    "Ban Quản lý các khu công nghiệp", "Văn phòng UBND tỉnh", "Cục Thuế tỉnh", "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh", "Đài Phát thanh - Truyền hình", "Báo tỉnh", "Trung tâm Xúc tiến đầu tư",
    "Thành phố Phan Rang - Tháp Chàm", "Huyện Ninh Hải", "Huyện Ninh Phước", "Huyện Ninh Sơn",
    "Huyện Bác Ái", "Huyện Thuận Bắc", "Huyện Thuận Nam", "Kho bạc Nhà nước tỉnh", "Bảo hiểm xã hội tỉnh",
    "Trường Cao đẳng nghề",
]

CATEGORIES = [
    ("thoi-su", "Thời sự"), ("chinh-tri", "Chính trị"), ("kinh-te", "Kinh tế"), ("xa-hoi", "Xã hội"),
    ("van-hoa", "Văn hóa - Thể thao"), ("giao-duc", "Giáo dục"), ("y-te", "Y tế"),
    ("chuyen-doi-so", "Chuyển đổi số"), ("nong-nghiep", "Nông nghiệp"), ("du-lich", "Du lịch"),
    ("quoc-phong", "Quốc phòng - An ninh"), ("cai-cach-hanh-chinh", "Cải cách hành chính"),
    ("thong-bao", "Thông báo"), ("van-ban", "Văn bản chỉ đạo điều hành"), ("doanh-nghiep", "Doanh nghiệp"),
]

_TITLE_HEADS = [
    "Hội nghị triển khai", "Tăng cường công tác", "Đẩy mạnh", "Tổ chức lễ phát động", "Kiểm tra tiến độ",
    "Tổng kết năm", "Sơ kết 6 tháng", "Hướng dẫn thực hiện", "Tập huấn", "Ra mắt mô hình",
    "Khánh thành", "Khởi công", "Trao tặng", "Tuyên truyền", "Lấy ý kiến góp ý", "Đối thoại với",
    "Thông báo tuyển dụng", "Kế hoạch", "Phát động thi đua", "Giám sát",
]
_TITLE_TOPICS = [
    "chuyển đổi số", "cải cách hành chính", "xây dựng nông thôn mới", "phòng chống thiên tai",
    "an toàn giao thông", "bảo vệ môi trường", "phát triển du lịch", "thu hút đầu tư",
    "chăm sóc sức khỏe nhân dân", "giảm nghèo bền vững", "đề án 06", "dịch vụ công trực tuyến",
    "phổ biến giáo dục pháp luật", "an sinh xã hội", "văn hóa đọc", "phòng cháy chữa cháy",
    "khởi nghiệp đổi mới sáng tạo", "năng lượng tái tạo", "nước sạch nông thôn", "bình đẳng giới",
]
_TITLE_PLACES = [
    "trên địa bàn tỉnh", "tại huyện Ninh Hải", "ở các xã vùng cao", "tại thành phố", "năm học mới",
    "trong quý", "giai đoạn 2021 - 2025", "cho đồng bào dân tộc thiểu số", "tại các khu công nghiệp",
    "ở huyện Bác Ái", "với doanh nghiệp", "cho cán bộ, công chức", "tại xã Phước Dinh", "dịp Tết Nguyên đán",
]
_SENTENCES = [
    "Sáng nay, Ủy ban nhân dân tỉnh tổ chức hội nghị với sự tham dự của lãnh đạo các sở, ban, ngành.",
    "Theo báo cáo, trong thời gian qua các đơn vị đã tích cực triển khai nhiều giải pháp đồng bộ.",
    "Kết quả bước đầu cho thấy sự chuyển biến rõ nét trong nhận thức của cán bộ và người dân.",
    "Tuy nhiên, vẫn còn một số khó khăn, vướng mắc cần được tháo gỡ kịp thời trong thời gian tới.",
    "Phát biểu chỉ đạo, đồng chí Phó Chủ tịch UBND tỉnh đề nghị các địa phương tập trung nguồn lực.",
    "Đến nay, toàn tỉnh đã có hơn 90% hồ sơ thủ tục hành chính được tiếp nhận trực tuyến.",
    "Người dân có thể tra cứu thông tin và gửi phản ánh, kiến nghị qua Cổng dịch vụ công của tỉnh.",
    "Chương trình nhằm nâng cao chất lượng cuộc sống, bảo đảm an sinh xã hội cho người dân vùng khó khăn.",
    "Các đại biểu đã thảo luận, đóng góp nhiều ý kiến tâm huyết để hoàn thiện dự thảo kế hoạch.",
    "Dịp này, Ban tổ chức đã trao giấy khen cho các tập thể, cá nhân có thành tích xuất sắc.",
    "Sở Thông tin và Truyền thông sẽ phối hợp với các cơ quan báo chí đẩy mạnh công tác tuyên truyền.",
    "Năm nay, sản lượng lúa ước đạt trên 200 nghìn tấn, tăng 5,2% so với cùng kỳ năm trước.",
    "Lực lượng chức năng đã kiểm tra, xử lý nghiêm các trường hợp vi phạm theo quy định của pháp luật.",
    "Tổng vốn đầu tư của dự án khoảng 1.250 tỷ đồng, dự kiến hoàn thành và đưa vào sử dụng trong năm tới.",
    "Đoàn công tác đã đến thăm, tặng quà các gia đình chính sách và hộ nghèo trên địa bàn.",
    "Hội nghị thống nhất giao chỉ tiêu cụ thể cho từng đơn vị, gắn với trách nhiệm người đứng đầu.",
    "Việc ứng dụng công nghệ thông tin giúp rút ngắn thời gian giải quyết hồ sơ, giảm chi phí cho doanh nghiệp.",
    "Nhiều mô hình kinh tế hiệu quả đã được nhân rộng, góp phần tăng thu nhập cho người lao động.",
    "Ngành y tế khuyến cáo người dân chủ động phòng bệnh, giữ gìn vệ sinh môi trường sống.",
    "Học sinh, sinh viên hào hứng tham gia các hoạt động trải nghiệm, sáng tạo do nhà trường tổ chức.",
]
RETURN_REASONS = [
    "Thiếu nguồn tin, đề nghị bổ sung.", "Ảnh chưa đạt chất lượng, đề nghị thay ảnh khác.",
    "Tít bài chưa phù hợp, đề nghị sửa lại.", "Số liệu chưa khớp với báo cáo của đơn vị.",
    "Nội dung trùng với tin đã đăng.", "Đề nghị viết ngắn gọn lại, tập trung vào sự kiện chính.",
    "Chưa ghi rõ tên tác giả ảnh.", "Sai chính tả, đề nghị rà soát lại.",
]
REJECT_REASONS = ["Tin đã cũ, không còn tính thời sự.", "Nội dung không thuộc phạm vi của trang.",
                  "Trùng lặp với bài của cơ quan khác."]
UNPUBLISH_REASONS = ["Gỡ theo đề nghị của cơ quan chủ quản.", "Thông tin cần cập nhật lại số liệu."]


class TextPools:
    """Title pieces, summaries and bodies with their folded forms, drawn by a seeded Random."""

    def __init__(self, rng, bodies=400, summaries=200):
        self.rng = rng
        self.heads = [(t, fold(t)) for t in _TITLE_HEADS]
        self.topics = [(t, fold(t)) for t in _TITLE_TOPICS]
        self.places = [(t, fold(t)) for t in _TITLE_PLACES]
        self.summaries = []
        for _ in range(summaries):
            text = " ".join(rng.sample(_SENTENCES, 2))
            self.summaries.append((text, fold(text)))
        self.bodies = []
        for _ in range(bodies):
            html = self._body(rng.randint(2048, 4096))
            self.bodies.append((html, fold(html_to_text(html))))

    def _body(self, size):
        paragraphs, length = [], 0
        while length < size:
            paragraph = "<p>" + " ".join(self.rng.choice(_SENTENCES) for _ in range(self.rng.randint(3, 6))) + "</p>"
            paragraphs.append(paragraph)
            length += len(paragraph.encode("utf-8"))
        return "".join(paragraphs)

    def item_text(self, rng, number):
        """(title, summary, body_html, search_text) of one item; the number keeps titles distinct."""
        head, fhead = rng.choice(self.heads)
        topic, ftopic = rng.choice(self.topics)
        place, fplace = rng.choice(self.places)
        summary, fsummary = rng.choice(self.summaries)
        body, fbody = rng.choice(self.bodies)
        title = f"{head} {topic} {place} (số {number})"
        search = f"{fhead} {ftopic} {fplace} (so {number}) {fsummary} {fbody}"
        return title, summary, body, search


def person_name(rng):
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
