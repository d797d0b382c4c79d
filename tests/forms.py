"""Read a page's form the way a browser would submit it: the fields and their current values."""
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # [(attrs, [(name, value)])]
        self._fields = None
        self._select = None  # [name, first value, selected value]
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = []
            self.forms.append((attrs, self._fields))
        if self._fields is None:
            return
        name = attrs.get("name")
        if "disabled" in attrs:
            name = None  # a browser does not send disabled fields
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in attrs:
                self._select[2] = value
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select is not None:
            name, first, selected = self._select
            self._fields.append((name, selected if selected is not None else (first or "")))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._fields.append(tuple(self._textarea))
            self._textarea = None


def page_forms(html):
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def action_form(html, action):
    """The fields of the item page's form for `action` (forward, approve ...), as a dict."""
    for attrs, fields in page_forms(html):
        if ("action", action) in fields:
            return dict(fields)
    raise AssertionError(f"no form for {action!r} on the page")


def form_with(html, name):
    """The fields of the first form that has a field called `name`."""
    for attrs, fields in page_forms(html):
        if any(field == name for field, _ in fields):
            return dict(fields)
    raise AssertionError(f"no form with a field {name!r}")
