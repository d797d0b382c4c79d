"""The body HTML allow-list (API.md, Bad input), applied with bleach on the way in."""
import html as html_lib
from functools import lru_cache
from urllib.parse import urlsplit

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

_IMG_ATTRIBUTES = frozenset(ALLOWED_ATTRIBUTES["img"])


def image_source_allowed(src, image_hosts):
    """An <img src> may point at this app (a relative URL: the item's own attachments) or at an
    https/http host on the allow-list; any other remote image is a tracking pixel on an editor's
    screen (issue 16, finding 4)."""
    parts = urlsplit(src.strip())
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme == "https" and (parts.hostname or "") in image_hosts


@lru_cache(maxsize=8)
def _cleaner(image_hosts):
    def img_attribute(tag, name, value):
        if name == "src":
            return image_source_allowed(value, image_hosts)
        return name in _IMG_ATTRIBUTES

    attributes = dict(ALLOWED_ATTRIBUTES, img=img_attribute)
    return bleach.Cleaner(
        tags=ALLOWED_TAGS, attributes=attributes, protocols=ALLOWED_PROTOCOLS, strip=True,
        strip_comments=True,
    )


def sanitize_html(html, image_hosts=()):
    """Allow-listed HTML only: no script, style, event handlers, javascript:/data: URLs, and
    remote images only from `image_hosts` (the IMAGE_HOSTS setting)."""
    return _cleaner(tuple(sorted(h.lower() for h in image_hosts))).clean(html or "")


def html_to_text(html):
    """Plain text of sanitized HTML, for search and required-field checks."""
    return html_lib.unescape(bleach.clean(html or "", tags=set(), strip=True))
