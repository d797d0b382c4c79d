"""The body HTML allow-list (API.md, Bad input), applied with bleach on the way in."""
import html as html_lib

import bleach

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "u", "s", "a", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
    "figure", "figcaption", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "width", "height"],
    "th": ["colspan", "rowspan", "scope"],
    "td": ["colspan", "rowspan"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True,
    strip_comments=True,
)


def sanitize_html(html):
    """Allow-listed HTML only: no script, style, event handlers, javascript:/data: URLs."""
    cleaned = _cleaner.clean(html or "")
    # <img src> without a scheme would be relative to our app; bleach allows relative URLs,
    # which cannot carry script, so they stay.
    return cleaned


def html_to_text(html):
    """Plain text of sanitized HTML, for search and required-field checks."""
    return html_lib.unescape(bleach.clean(html or "", tags=set(), strip=True))
