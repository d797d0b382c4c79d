"""IPTC ninjs 3.1 documents from plain values (PUBLISHING.md). Pure: no Flask, no database.

`uri` never changes for an item; `version` is the revision as a string and only goes up;
a takedown is the same document with `pubStatus: "canceled"`. Times are written in
Vietnam time (+07:00), as the portal shows them.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .content_types import CONTENT_TYPES

VIETNAM = timezone(timedelta(hours=7))
STANDARD = {"name": "ninjs", "version": "3.1",
            "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"}


@dataclass(frozen=True)
class FeatureImage:
    media_id: int
    href: str  # absolute URL the portal can fetch
    content_type: str
    width: int | None = None
    height: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class Item:
    site_code: str
    submission_id: int
    revision: int
    content_type: str  # our code: tin, bai, anh, ...
    title: str
    first_created: datetime
    version_created: datetime
    summary: str = ""
    body_html: str = ""
    language: str = "vi"
    by: str | None = None
    category_name: str | None = None
    category_code: str | None = None
    embargoed_until: datetime | None = None  # only when the item is scheduled
    canceled: bool = False
    feature_image: FeatureImage | None = None


def item_uri(site_code, submission_id):
    return f"urn:bbt:{site_code}:submission:{submission_id}"


def vn_time(value):
    """ISO 8601 with the +07:00 offset, whole seconds."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(VIETNAM).replace(microsecond=0).isoformat()


def build_ninjs(item: Item) -> dict:
    doc = {
        "uri": item_uri(item.site_code, item.submission_id),
        "standard": dict(STANDARD),
        "type": CONTENT_TYPES[item.content_type].ninjs_type,
        "version": str(item.revision),
        "firstCreated": vn_time(item.first_created),
        "versionCreated": vn_time(item.version_created),
        "pubStatus": "canceled" if item.canceled else "usable",
        "language": item.language or "vi",
        "headlines": [{"role": "main", "value": item.title or ""}],
    }
    if item.embargoed_until is not None:
        doc["embargoedUntil"] = vn_time(item.embargoed_until)
    if (item.summary or "").strip():
        doc["descriptions"] = [{"role": "summary", "contentType": "text/plain", "value": item.summary}]
    if (item.body_html or "").strip():
        doc["bodies"] = [{"role": "main", "contentType": "text/html", "value": item.body_html}]
    if item.by:
        doc["by"] = item.by
    if item.category_code:
        doc["subjects"] = [{"name": item.category_name or item.category_code,
                            "uri": f"urn:bbt:{item.site_code}:category:{item.category_code}"}]
    if item.feature_image is not None:
        doc["associations"] = [_association("featureimage", item.site_code, item.feature_image)]
    return doc


def _association(name, site_code, image):
    rendition = {"name": "original", "href": image.href, "contentType": image.content_type}
    if image.width:
        rendition["width"] = image.width
    if image.height:
        rendition["height"] = image.height
    assoc = {"name": name, "uri": f"urn:bbt:{site_code}:media:{image.media_id}", "type": "picture",
             "renditions": [rendition]}
    if image.title:
        assoc["headlines"] = [{"role": "main", "value": image.title}]
    return assoc


def envelope(event_type, timestamp, document):
    """The Standard Webhooks body: {type, timestamp, data}."""
    return {"type": event_type, "timestamp": timestamp.astimezone(timezone.utc).isoformat(), "data": document}
