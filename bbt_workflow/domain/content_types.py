"""Content types (GLOSSARY.md) and what each needs before it can be submitted."""
from dataclasses import dataclass


@dataclass(frozen=True)
class ContentType:
    code: str
    name: str  # Vietnamese name, as editors say it
    ninjs_type: str  # PUBLISHING.md
    required_fields: tuple  # checked on submit


CONTENT_TYPES = {
    ct.code: ct
    for ct in (
        ContentType("tin", "Tin", "text", ("title", "category", "body_html")),
        ContentType("bai", "Bài", "text", ("title", "category", "summary", "body_html")),
        ContentType("anh", "Ảnh", "picture", ("title", "category", "attachment")),
        ContentType("video", "Video/clip", "video", ("title", "category", "attachment")),
        ContentType("infographic", "Infographic", "graphic", ("title", "category", "attachment")),
        ContentType("banner", "Banner", "graphic", ("title", "category", "attachment")),
        ContentType("van_ban", "Văn bản", "text", ("title", "category", "body_or_attachment")),
        ContentType("thong_bao", "Thông báo", "text", ("title", "category", "body_or_attachment")),
    )
}

CONTENT_TYPE_CODES = tuple(CONTENT_TYPES)


def missing_fields(content_type, *, title, category, summary, body_text, attachment_count):
    """Required fields still empty for this content type (field names, in order)."""
    have = {
        "title": bool((title or "").strip()),
        "category": category is not None,
        "summary": bool((summary or "").strip()),
        "body_html": bool((body_text or "").strip()),
        "attachment": attachment_count > 0,
        "body_or_attachment": bool((body_text or "").strip()) or attachment_count > 0,
    }
    return [f for f in CONTENT_TYPES[content_type].required_fields if not have[f]]
