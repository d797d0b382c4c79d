"""Pull feeds of a site's published items, newest first: Atom 1.0 (RFC 4287) and a JSON list of ninjs.

The ETag is a hash of the exact bytes, so a conditional GET answers 304 exactly when
nothing a reader would see has changed.
"""
import hashlib
import json
from xml.sax.saxutils import escape

from sqlalchemy import select

from ..db_types import utcnow
from ..domain import workflow as wf
from ..domain.ninjs import vn_time
from ..domain.xml_text import without_forbidden_xml_characters
from ..extensions import db
from ..links import absolute_url
from ..submissions.models import Submission
from .outbox import document_for

FEED_SIZE = 50


def published_items(site, limit=FEED_SIZE):
    return db.session.scalars(
        select(Submission).where(Submission.site_id == site.id, Submission.state == wf.PUBLISHED)
        .order_by(Submission.published_at.desc(), Submission.id.desc()).limit(limit)
    ).all()


def json_feed(site):
    items = [document_for(sub) for sub in published_items(site)]
    body = {"site": site.code, "name": site.name, "items": items}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _x(value):
    return escape(without_forbidden_xml_characters(value), {'"': "&quot;"})


def atom_feed(site):
    items = published_items(site)
    self_url = absolute_url("publishing_public.atom", site=site.code)
    updated = max((s.updated_at for s in items), default=None) or site.created_at or utcnow()
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">',
           f"<id>urn:bbt:{_x(site.code)}:feed</id>",
           f"<title>{_x(site.name)}</title>",
           f"<updated>{vn_time(updated)}</updated>",
           f'<link rel="self" type="application/atom+xml" href="{_x(self_url)}"/>']
    for sub in items:
        doc = document_for(sub)
        out.append("<entry>")
        out.append(f"<id>{_x(doc['uri'])}</id>")
        out.append(f"<title>{_x(sub.title)}</title>")
        out.append(f"<updated>{doc['versionCreated']}</updated>")
        out.append(f"<published>{vn_time(sub.published_at or sub.updated_at)}</published>")
        out.append(f"<author><name>{_x(doc.get('by') or site.name)}</name></author>")
        if sub.portal_url:
            out.append(f'<link rel="alternate" type="text/html" href="{_x(sub.portal_url)}"/>')
        if sub.category:
            out.append(f'<category term="{_x(sub.category.code)}" label="{_x(sub.category.name)}"/>')
        if (sub.summary or "").strip():
            out.append(f'<summary type="text">{_x(sub.summary)}</summary>')
        for assoc in doc.get("associations", []):
            rendition = assoc["renditions"][0]
            out.append(f'<link rel="enclosure" type="{_x(rendition["contentType"])}" href="{_x(rendition["href"])}"/>')
        out.append(f'<content type="html">{_x(sub.body_html)}</content>')
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out).encode("utf-8")


def etag_of(body: bytes):
    return hashlib.sha256(body).hexdigest()[:32]
