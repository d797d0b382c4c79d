"""What the create/edit form's scripts get back (static/js/editor.js, static/js/uploads.js).

The same views answer the plain form (HTML, redirects, flashes) and its scripts: an autosave, a file
sent with its progress shown, a paste to clean. A script says so with `Accept: application/json`;
without JavaScript nothing here is used.
"""
from flask import jsonify, request, url_for

from ..db_types import utcnow
from .queries import LOCAL


def wants_json():
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json" \
        and "application/json" in request.headers.get("Accept", "")


def saved(sub):
    """After an autosave: the version the next save must carry, and where the form lives now."""
    at = (sub.updated_at or utcnow()).astimezone(LOCAL)
    return jsonify({"id": sub.id, "version": sub.version, "revision": sub.revision, "saved_at": at.strftime("%H:%M"),
                    "edit_url": url_for("submissions_web.edit", submission_id=sub.id),
                    "upload_url": url_for("submissions_web.upload", submission_id=sub.id),
                    "detail_url": url_for("submissions_web.detail", submission_id=sub.id)})


def refused(message, status, errors=None):
    return jsonify({"message": str(message), "errors": {k: [str(m) for m in v] for k, v in (errors or {}).items()
                                                        if isinstance(v, list)}}), status


def form_errors(form):
    return {name: [str(e) for e in field.errors] for name, field in form._fields.items() if field.errors
            and all(isinstance(e, str) for e in field.errors)}


def attachment_json(sub, attachment):
    image = attachment.kind == "image"
    return {"id": attachment.id, "filename": attachment.filename, "kind": attachment.kind, "size": attachment.size,
            "caption": attachment.caption, "is_feature": attachment.is_feature,
            "notice": str(attachment.notice) if attachment.notice else None,
            "url": url_for("submissions_web.attachment", submission_id=sub.id, attachment_id=attachment.id),
            "preview_url": url_for("submissions_web.attachment_preview", submission_id=sub.id,
                                   attachment_id=attachment.id) if image else None}


def attachment_details(form_data):
    """Captions ("caption-<id>") and the chosen feature image ("feature") as the edit service takes them."""
    details = {"captions": {key.split("-", 1)[1]: value for key, value in form_data.items()
                            if key.startswith("caption-") and key.split("-", 1)[1].isdigit()}}
    if "feature" in form_data:
        details["feature"] = form_data.get("feature")
    return details
