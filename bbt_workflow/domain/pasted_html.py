"""HTML pasted into the editor (from Word, LibreOffice or a web page), made into what the body keeps.

Word's clipboard HTML carries its own dialect: mso- styles, <o:p>, conditional comments, <b>/<i>
instead of <strong>/<em>, and lists as paragraphs styled `mso-list` whose bullet or number is a
span marked `mso-list:Ignore`. This turns that dialect into plain HTML first (so bold, italic and
lists survive), then the body's allow-list (html_policy.sanitize_html) decides what stays.
"""
import html as html_lib
import re
from html.parser import HTMLParser

from .html_policy import sanitize_html

# Content that is never text: Word's style sheets, XML islands and document properties.
_DROP_WITH_CONTENT = frozenset({"style", "script", "xml", "head", "title", "meta", "link"})
_RENAME = {"b": "strong", "i": "em", "strike": "s", "del": "s", "h1": "h2", "h5": "h4", "h6": "h4"}
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input"})
_ORDERED_MARK = re.compile(r"^\s*([0-9]+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]")
_EMPTY_PARAGRAPH = re.compile(r"<p>(\s|&nbsp;|\u00a0|<br>)*</p>")


def _style(attrs):
    return (dict(attrs).get("style") or "").replace(" ", "").lower()


class _WordToHtml(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []           # finished chunks
        self.skip = 0           # depth inside content that is dropped
        self.skip_stack = []    # tags that opened a dropped region
        self.list_items = []    # the list being gathered: [(ordered, html, list name)]
        self.item = None        # the list paragraph being read: {"ordered", "chunks"}
        self.in_marker = 0      # depth inside a bullet/number span (mso-list:Ignore)
        self.marker_text = []

    # --- where text goes: into the list item being read, or out
    def _emit(self, text):
        if self.item is not None:
            self.item["chunks"].append(text)
        elif self.list_items and not text.strip():
            return  # the line break between two list paragraphs does not end the list
        else:
            self._flush_list()
            self.out.append(text)

    def _flush_list(self):
        if not self.list_items:
            return
        tag = "ol" if self.list_items[0][0] else "ul"
        self.out.append(f"<{tag}>" + "".join(f"<li>{h}</li>" for _, h, _ in self.list_items) + f"</{tag}>")
        self.list_items = []

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if self.skip:
            if tag not in _VOID:
                self.skip += 1
            return
        if tag in _DROP_WITH_CONTENT or ":" in tag and tag != "o:p":
            if tag not in _VOID:
                self.skip = 1
            return
        style = _style(attrs)
        if self.in_marker:
            if tag not in _VOID:
                self.in_marker += 1
            return
        if "mso-list:ignore" in style:
            self.in_marker = 1
            self.marker_text = []
            return
        if tag == "p" and "mso-list:" in style:
            # "mso-list:l0 level1 lfo1": l0 names the list; another name starts another list.
            name = style.split("mso-list:", 1)[1].split("level", 1)[0]
            if self.list_items and self.list_items[-1][2] != name:
                self._flush_list()
            self.item = {"chunks": [], "ordered": None, "list": name}
            return
        if tag == "o:p":
            return
        tag = _RENAME.get(tag, tag)
        kept = "".join(f' {name}="{html_lib.escape(value or "", quote=True)}"' for name, value in attrs
                       if name in ("href", "title", "src", "alt", "colspan", "rowspan", "scope"))
        self._emit(f"<{tag}{kept}>")

    def handle_endtag(self, tag):
        tag = tag.lower()
        if self.skip:
            self.skip -= 1
            return
        if self.in_marker:
            self.in_marker -= 1
            if self.in_marker == 0 and self.item is not None:
                self.item["ordered"] = bool(_ORDERED_MARK.match("".join(self.marker_text)))
            return
        if tag == "p" and self.item is not None:
            item, self.item = self.item, None
            self.list_items.append((bool(item["ordered"]), "".join(item["chunks"]).strip(), item["list"]))
            return
        if tag == "o:p" or tag in _VOID:
            return
        self._emit(f"</{_RENAME.get(tag, tag)}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag.lower() not in _VOID and not self.skip:
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_marker:
            self.marker_text.append(data)
            return
        self._emit(html_lib.escape(data, quote=False))

    # Comments (<!--[if ...]-->) and Word's <![if ...]> declarations carry no text.
    def handle_comment(self, data):
        pass

    def unknown_decl(self, data):
        pass

    def close(self):
        super().close()
        if self.item is not None:
            self.list_items.append((bool(self.item["ordered"]), "".join(self.item["chunks"]).strip(),
                                    self.item["list"]))
            self.item = None
        self._flush_list()
        return "".join(self.out)


def clean_pasted_html(html):
    """Pasted HTML as the body keeps it: Word's dialect undone, then the allow-list applied."""
    parser = _WordToHtml()
    parser.feed(html or "")
    plain = parser.close()
    cleaned = sanitize_html(plain)
    # Word's spacing paragraphs (<p>&nbsp;</p>) and whitespace between blocks are not content.
    cleaned = _EMPTY_PARAGRAPH.sub("", cleaned.replace("\r\n", "\n"))
    cleaned = re.sub(r">\s*\n\s*<", "><", cleaned)
    return re.sub(r"\s*\n\s*", " ", cleaned).strip()
