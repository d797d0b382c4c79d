from bbt_workflow.domain.html_policy import html_to_text, sanitize_html
from bbt_workflow.domain.text_search import fold
from tests.xss_check import dangerous_parts, payloads


def test_every_public_xss_payload_is_neutralised():
    corpus = payloads()
    assert len(corpus) > 6000
    survivors = [(p, sanitize_html(p)) for p in corpus if dangerous_parts(sanitize_html(p))]
    assert survivors == []


def test_allowed_markup_survives():
    html = ('<h2>Tiêu đề</h2><p>Đoạn <strong>đậm</strong> <em>nghiêng</em> <a href="https://binhphuoc.gov.vn" '
            'title="Cổng">liên kết</a></p><figure><img src="https://x.vn/a.jpg" alt="Ảnh" width="10" height="5">'
            '<figcaption>Chú thích</figcaption></figure><table><tbody><tr><td>1</td></tr></tbody></table>')
    # A remote image stays when its host is on the IMAGE_HOSTS allow-list (issue 16, finding 4).
    assert sanitize_html(html, image_hosts=("x.vn",)) == html


def test_forbidden_things_go():
    cleaned = sanitize_html('<p style="color:red" onclick="x()">a</p><a href="javascript:alert(1)">b</a>'
                            '<img src="data:image/png;base64,AAAA"><iframe src="https://evil"></iframe>')
    assert "style" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    assert "data:" not in cleaned and "iframe" not in cleaned


def test_text_and_folding():
    assert html_to_text("<p>Sở TT&amp;TT</p>") == "Sở TT&TT"
    assert fold("  Chuyển   ĐỔI số  ") == "chuyen doi so"
