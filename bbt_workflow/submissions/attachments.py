"""Storing and checking uploaded files.

The file is streamed to a temporary name with a size cap, recognised by its
content, checked (images are decoded by Pillow for their dimensions), then moved
under a random name. If anything fails, or the transaction later rolls back,
the file is removed: a refused upload leaves nothing on disk or in the database.
"""
import hashlib
import os
import secrets

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import event, func, select

from ..domain import workflow as wf
from ..domain.uploads import SNIFF_BYTES, UploadRefused, check_allowed, display_name, renamed_from, sniff
from ..errors import Forbidden, ServiceError, ValidationFailed
from ..extensions import db
from ..permissions import submission_actor
from .models import Attachment
from .revisions import record_file_correction

CHUNK = 1024 * 1024

REFUSAL_MESSAGES = {
    "empty": _l("The file is empty."),
    "unrecognised": _l("This kind of file is not accepted (recognised by its content, not its name)."),
    "not_allowed_here": _l("This kind of file is not accepted for this content type."),
    "bad_image": _l("The image cannot be read or its dimensions are out of range."),
}


# What a recognised file is, in words the uploader knows (with the English article).
KIND_NAMES = {
    "image/jpeg": _l("a JPEG image"),
    "image/png": _l("a PNG image"),
    "image/gif": _l("a GIF image"),
    "image/webp": _l("a WebP image"),
    "application/pdf": _l("a PDF document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("a Word document"),
    "video/mp4": _l("an MP4 video"),
    "video/webm": _l("a WebM video"),
}


def upload_notice(attachment):
    """For a file whose name said something else: what it was detected as and its stored name."""
    if attachment.renamed_from is None:
        return None
    return _l("This file is %(kind)s, stored as %(name)s.", kind=KIND_NAMES.get(attachment.mime, attachment.mime),
              name=attachment.filename)


class FileTooLarge(ServiceError):
    status = 413
    code = "too_large"


class StorageFull(ServiceError):
    """The disk refused the write (full, quota, I/O error): nothing of the upload is kept."""
    status = 507
    code = "storage_full"


STORAGE_FULL = _l("There is not enough storage space to keep this file; nothing was saved. "
                  "Try again later or tell the administrator.")


def upload_folder():
    folder = current_app.config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads")
    os.makedirs(folder, exist_ok=True)
    return folder


def attachment_path(attachment):
    return os.path.join(upload_folder(), attachment.stored_name)


def _limit_bytes(kind):
    mb = current_app.config[{"image": "MAX_IMAGE_MB", "document": "MAX_DOCUMENT_MB", "video": "MAX_VIDEO_MB"}[kind]]
    return mb * 1024 * 1024, mb


def _refuse(refusal, **values):
    if refusal.code == "too_large":
        message = _l("The file is larger than %(mb)s MB.", **values)
        return FileTooLarge(message, code="upload_too_large", details={"file": [str(message)]})
    message = REFUSAL_MESSAGES[refusal.code]
    return ValidationFailed(message, code=f"upload_{refusal.code}", details={"file": [str(message)]})


def _image_size(path):
    Image.MAX_IMAGE_PIXELS = current_app.config["MAX_IMAGE_PIXELS"]
    try:
        with Image.open(path) as img:
            img.verify()
        with Image.open(path) as img:  # verify() leaves the image unusable; reopen for the size
            width, height = img.size
    except Exception:  # any decoder error, truncation or decompression bomb
        raise UploadRefused("bad_image")
    if not (1 <= width <= 20000 and 1 <= height <= 20000):
        raise UploadRefused("bad_image")
    return width, height


PREVIEW_BOX = (480, 480)


def preview_path(attachment):
    return attachment_path(attachment) + ".preview.jpg"


def _write_preview(source, target):
    """A small JPEG for pages and lists, so a 20 MB photo is not sent to show a thumbnail."""
    with Image.open(source) as img:
        img.thumbnail(PREVIEW_BOX)
        if img.mode not in ("RGB", "L"):
            # Transparent images go on white; palettes and CMYK become RGB.
            background = Image.new("RGB", img.size, "white")
            rgba = img.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            img = background
        img.save(target, "JPEG", quality=82, optimize=True)


def _remove_on_rollback(path):
    session = db.session()
    session.info.setdefault("bbt_new_files", []).append(path)


@event.listens_for(db.session, "after_rollback")
def _delete_files_of_rolled_back_uploads(session):
    for path in session.info.pop("bbt_new_files", []):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def remove_files_after_commit(attachment):
    """A removed attachment's file (and preview) leave the disk once the removal is committed,
    never before: a rollback keeps the row, so it must keep the file too."""
    path = attachment_path(attachment)
    db.session().info.setdefault("bbt_removed_files", []).extend([path, path + ".preview.jpg"])


@event.listens_for(db.session, "after_rollback")
def _keep_files_of_rolled_back_removals(session):
    session.info.pop("bbt_removed_files", None)


@event.listens_for(db.session, "after_commit")
def _forget_committed_files(session):
    session.info.pop("bbt_new_files", None)
    for path in session.info.pop("bbt_removed_files", []):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def attachment_of(sub, attachment_id):
    """The attachment with this id if it belongs to the item, else None."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.submission_id != sub.id:
        return None
    return attachment


def describe_attachments(sub, details):
    """Captions and the feature image, as the edit form sends them: {"captions": {id: text},
    "feature": id or None}. Only the item's own files; the edit service checks who may edit."""
    captions = {int(k): (v or "").strip()[:500] for k, v in (details.get("captions") or {}).items()
                if str(k).isdigit()}
    feature = details.get("feature")
    feature = int(feature) if str(feature or "").isdigit() else None
    for attachment in sub.attachments:
        if attachment.id in captions:
            attachment.caption = captions[attachment.id]
        if "feature" in details:
            attachment.is_feature = attachment.id == feature and attachment.kind == "image"


def add_attachment(actor, sub, stream, original_name):
    """Store one uploaded file for the submission. `stream` is a binary file object."""
    if not wf.may_edit(sub.state, submission_actor(actor, sub)):
        raise Forbidden(_l("You cannot edit this item in its current state."), code="not_editable")
    folder = upload_folder()
    temp_path = os.path.join(folder, f".upload-{secrets.token_hex(16)}")
    digest, size = hashlib.sha256(), 0
    try:
        head = stream.read(SNIFF_BYTES)
        try:
            mime, kind, extension = sniff(head)
            check_allowed(sub.content_type, kind)
        except UploadRefused as refusal:
            raise _refuse(refusal)
        limit, limit_mb = _limit_bytes(kind)
        with open(temp_path, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise _refuse(UploadRefused("too_large"), mb=limit_mb)
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK)
        width = height = None
        if kind == "image":
            try:
                width, height = _image_size(temp_path)
            except UploadRefused as refusal:
                raise _refuse(refusal)
        stored_name = f"{secrets.token_hex(16)}.{extension}"
        final_path = os.path.join(folder, stored_name)
        os.replace(temp_path, final_path)
    except OSError as exc:  # disk full or an I/O error: the finally removes the partial file
        raise StorageFull(STORAGE_FULL) from exc
    finally:
        if os.path.exists(temp_path):
            os.remove(temp_path)
    _remove_on_rollback(final_path)
    if kind == "image":
        _remove_on_rollback(final_path + ".preview.jpg")  # first: a half-written preview goes too
        try:
            _write_preview(final_path, final_path + ".preview.jpg")
        except OSError as exc:
            raise StorageFull(STORAGE_FULL) from exc
    attachment = Attachment(
        submission_id=sub.id, filename=display_name(original_name, extension), stored_name=stored_name,
        mime=mime, kind=kind, size=size, sha256=digest.hexdigest(), width=width, height=height,
        uploaded_by_id=actor.id,
    )
    attachment.renamed_from = renamed_from(original_name, extension)
    attachment.notice = upload_notice(attachment)
    db.session.add(attachment)
    db.session.flush()
    if sub.state == wf.PUBLISHED:
        record_file_correction(actor, sub)
    return attachment


def attachment_count(sub):
    return db.session.scalar(select(func.count(Attachment.id)).where(Attachment.submission_id == sub.id))


def serve_attachment(sub, attachment_id, preview=False):
    """The file (or an image's small preview) with headers that stop browsers from running it."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.submission_id != sub.id:
        abort(404)
    if preview:
        if attachment.kind != "image":
            abort(404)
        path = preview_path(attachment)
        if not os.path.exists(path):  # uploaded before previews existed
            _write_preview(attachment_path(attachment), path)
        response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=0)
    else:
        response = send_file(
            attachment_path(attachment), mimetype=attachment.mime, as_attachment=attachment.kind != "image",
            download_name=attachment.filename, conditional=True, max_age=0,
        )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
