"""Inspect HTML the way a browser would tokenize it and list anything executable."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

from bbt_workflow.domain.html_policy import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS
from tests.shared_data import XSS_PAYLOADS

PAYLOAD_FILE = XSS_PAYLOADS


def payloads():
    return [line for line in PAYLOAD_FILE.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        allowed = ALLOWED_ATTRIBUTES.get(tag, [])
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {tag}[{name}]")
            if name in ("href", "src") and value:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme and scheme not in ALLOWED_PROTOCOLS:
                    self.problems.append(f"url {value[:40]}")


def dangerous_parts(html):
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems
