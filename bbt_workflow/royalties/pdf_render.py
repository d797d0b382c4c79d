"""HTML to PDF for the accountants' papers (WeasyPrint), with a font that has the Vietnamese glyphs.

The font is DejaVu Sans from Debian's fonts-dejavu-core (PDF_FONT_DIR, default
/usr/share/fonts/truetype/dejavu), embedded by @font-face so the PDF reads the same everywhere;
without it the export fails with a message naming the package, rather than printing boxes for
"ơ", "ư" and the stacked tone marks. WeasyPrint may read only those font files: the documents
carry names and titles users typed (escaped by Jinja already; this is the second lock).
The PDF's dates are the caller's (`moment`), so the same document gives the same bytes.
"""
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import current_app
from flask_babel import lazy_gettext as _l
from weasyprint import HTML, URLFetcher

from ..errors import ServiceError

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
PDF_MIMETYPE = "application/pdf"


class PdfFontMissing(ServiceError):
    status = 503
    code = "pdf_font_missing"


def font_files():
    """{"regular": Path, "bold": Path} of the PDF font, or PdfFontMissing naming what to install."""
    folder = Path(current_app.config.get("PDF_FONT_DIR") or DEFAULT_FONT_DIR)
    files = {weight: folder / name for weight, name in FONT_FILES.items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise PdfFontMissing(_l("The PDF cannot be made: the font %(files)s is missing on the server "
                                "(install the Debian package fonts-dejavu-core, or set PDF_FONT_DIR).",
                                files=", ".join(missing)))
    return files


def font_face_css(files):
    """@font-face rules for the family "DejaVu Sans" from the font files."""
    return "".join(
        f'@font-face {{ font-family: "DejaVu Sans"; font-weight: {weight}; font-style: normal; '
        f'src: url("{path.resolve().as_uri()}"); }}\n'
        for weight, path in (("normal", files["regular"]), ("bold", files["bold"])))


class _FontsOnly(URLFetcher):
    """Fetches the font files and nothing else (no network, no other local file)."""

    def __init__(self, allowed):
        super().__init__(allowed_protocols=("file",))
        self._allowed = {path.resolve() for path in allowed}

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme != "file" or Path(unquote(parsed.path)).resolve() not in self._allowed:
            raise ValueError(f"not fetched in a PDF: {url}")
        return super().fetch(url, headers)


def html_to_pdf(html, files):
    """The PDF (bytes) of an HTML string whose CSS uses font_face_css(files)."""
    return HTML(string=html, base_url=None, url_fetcher=_FontsOnly(files.values())).write_pdf(
        pdf_identifier=b"bbt-workflow", uncompressed_pdf=False)


def css_string(text):
    """`text` as the inside of a CSS string in an HTML <style>: every character but ASCII letters and
    digits as a six-digit CSS hex escape, so neither the CSS string nor the HTML element can be
    closed. (Spaces too: CSS swallows one space after a hex escape.)"""
    return "".join(ch if ch.isalnum() and ch.isascii() else f"\\{ord(ch):06x}" for ch in text)
