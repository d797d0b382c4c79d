"""What may be uploaded: types recognised by their content (magic bytes), never by name."""
import re
import unicodedata

import filetype

# MIME type -> (kind, extension we store it under)
RECOGNISED = {
    "image/jpeg": ("image", "jpg"),
    "image/png": ("image", "png"),
    "image/gif": ("image", "gif"),
    "image/webp": ("image", "webp"),
    "application/pdf": ("document", "pdf"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("document", "docx"),
    "video/mp4": ("video", "mp4"),
    "video/webm": ("video", "webm"),
}

# Content type -> kinds of file it accepts.
ALLOWED_KINDS = {
    "tin": {"image", "document"},
    "bai": {"image", "document"},
    "anh": {"image"},
    "video": {"video", "image"},
    "infographic": {"image", "document"},
    "banner": {"image"},
    "van_ban": {"document", "image"},
    "thong_bao": {"document", "image"},
}

# Bytes the sniffer needs (filetype reads at most this much, docx needs the zip's first entries).
SNIFF_BYTES = 8192


class UploadRefused(Exception):
    """code: empty, unrecognised, not_allowed_here, too_large, bad_image"""

    def __init__(self, code, **info):
        super().__init__(code)
        self.code, self.info = code, info


def sniff(head):
    """(mime, kind, extension) from the file's first bytes, or raise UploadRefused."""
    if not head:
        raise UploadRefused("empty")
    guess = filetype.guess(head)
    if guess is None or guess.mime not in RECOGNISED:
        raise UploadRefused("unrecognised", mime=guess.mime if guess else None)
    kind, extension = RECOGNISED[guess.mime]
    return guess.mime, kind, extension


def check_allowed(content_type, kind):
    if kind not in ALLOWED_KINDS.get(content_type, set()):
        raise UploadRefused("not_allowed_here", kind=kind)


def display_name(original, extension):
    """A safe name to show and offer for download: no path, no control characters."""
    name = (original or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")[:200]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or 'tep'}.{extension}"


# Names a file may carry for the extension we store it under, beside that extension itself.
SAME_EXTENSIONS = {"jpg": {"jpeg", "jpe", "jfif"}}


def renamed_from(original, extension):
    """The uploaded name (made safe) when its extension does not say what the content is
    (a PDF called fake.jpg), else None: the contributor is told what was detected."""
    shown = display_name(original, extension)
    name = (original or "").replace("\\", "/").rsplit("/", 1)[-1].strip(" .")
    given = name.rsplit(".", 1)[1].lower() if "." in name else ""
    if given == extension or given in SAME_EXTENSIONS.get(extension, ()):
        return None
    safe = display_name(original, given) if given else shown.rsplit(".", 1)[0]
    return safe
