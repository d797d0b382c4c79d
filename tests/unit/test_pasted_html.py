"""Pasting from Word: the clipboard's HTML dialect becomes the body's allowed HTML (issue 14)."""
from pathlib import Path

from bbt_workflow.domain.pasted_html import clean_pasted_html

# What Word 2016 puts on the clipboard (text/html) for a heading, a paragraph with italic and a link,
# a spacing paragraph, a bulleted list, a numbered list and a table.
WORD = (Path(__file__).parent.parent / "data" / "word_clipboard.html").read_text(encoding="utf-8")


def test_word_clipboard_keeps_bold_italic_links_lists_and_tables():
    cleaned = clean_pasted_html(WORD)
    assert cleaned == (
        "<p><strong>Hội nghị chuyển đổi số</strong></p>"
        '<p>Sáng nay, <em>UBND tỉnh</em> tổ chức  hội nghị. Xem <a href="https://example.vn/tin">chi tiết</a>.</p>'
        "<ul><li>Dịch vụ công trực tuyến</li><li>Chữ ký số</li></ul>"
        "<ol><li>Bước một</li><li>Bước hai</li></ol>"
        "<table><tbody><tr><td><p>Xã A</p></td><td><p>12</p></td></tr></tbody></table>")


def test_word_dialect_leaves_no_trace():
    cleaned = clean_pasted_html(WORD)
    for trace in ("mso-", "<o:p", "<span", "class=", "style", "Symbol", "·", "Normal", "[if", "StartFragment"):
        assert trace not in cleaned


def test_pasted_html_still_goes_through_the_allow_list():
    cleaned = clean_pasted_html('<p onclick="x()">Chào<script>alert(1)</script> <a href="javascript:alert(1)">bấm</a>'
                                '<img src="data:image/png;base64,AAAA" onerror="x()"></p>')
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript:" not in cleaned
    assert "onerror" not in cleaned and "data:" not in cleaned
    assert cleaned.startswith("<p>Chào")


def test_a_web_page_fragment_keeps_its_plain_formatting():
    assert clean_pasted_html("<div><b>Đậm</b> và <i>nghiêng</i></div><ul><li>một</li></ul>") == (
        "<strong>Đậm</strong> và <em>nghiêng</em><ul><li>một</li></ul>")
