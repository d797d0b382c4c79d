"""Submissions, transitions, history and revisions (API.md)."""

from ..auth.current import current_actor
from ..domain.content_types import CONTENT_TYPES
from ..extensions import db
from ..permissions import requires
from ..royalties.grading import services as grading
from ..royalties.grading.services import prefetch_current_gradings
from ..submissions import services
from ..submissions.attachments import add_attachment, serve_attachment
from ..submissions.queries import filtered_submissions, history_of, revisions_of
from .blueprint import BEARER, blp
from .pagination import seek
from .site_references import visible_site
from .schemas import page_of
from .submission_schemas import (
    AttachmentSchema, ContentTypeSchema, RegradeRequestSchema, DiffArgs, DiffSchema, HistorySchema, RevisionSchema, RevisionSummarySchema, SubmissionCreateSchema,
    SubmissionListArgs, SubmissionSchema, SubmissionUpdateSchema, TransitionRequestSchema, UploadSchema,
)


@blp.route("/content-types", methods=["GET"])
@requires("authenticated")
@blp.response(200, ContentTypeSchema(many=True))
@blp.doc(security=BEARER)
def list_content_types():
    """Content types and the fields each needs before it can be submitted."""
    return list(CONTENT_TYPES.values())


@blp.route("/submissions", methods=["POST"])
@requires("authenticated")
@blp.arguments(SubmissionCreateSchema)
@blp.response(201, SubmissionSchema)
@blp.doc(security=BEARER)
def create_submission(data):
    """Create a draft (version 1) on a site where the caller is a member."""
    site = visible_site(data.pop("site"))
    sub = services.create_submission(current_actor(), site, data)
    db.session.commit()
    return sub


@blp.route("/submissions", methods=["GET"])
@requires("authenticated")
@blp.arguments(SubmissionListArgs, location="query")
@blp.response(200, page_of(SubmissionSchema))
@blp.doc(security=BEARER)
def list_submissions(args):
    """Submissions the caller may see, filtered; `q` ignores Vietnamese diacritics."""
    page = seek(filtered_submissions(current_actor(), args), args)
    prefetch_current_gradings(page["items"])
    return page


@blp.route("/submissions/<int:submission_id>", methods=["GET"])
@requires("submission_visible")
@blp.response(200, SubmissionSchema)
@blp.doc(security=BEARER)
def get_submission(submission_id):
    return services.get_visible_submission(current_actor(), submission_id)


@blp.route("/submissions/<int:submission_id>", methods=["PATCH"])
@requires("submission_visible")
@blp.arguments(SubmissionUpdateSchema)
@blp.response(200, SubmissionSchema)
@blp.doc(security=BEARER)
def update_submission(data, submission_id):
    """Change content fields: a new revision. `version` must be the one the caller saw."""
    sub = services.get_visible_submission(current_actor(), submission_id)
    version = data.pop("version")
    services.edit_submission(current_actor(), sub, version, data)
    db.session.commit()
    return sub


@blp.route("/submissions/<int:submission_id>/transitions", methods=["POST"])
@requires("submission_visible")
@blp.arguments(TransitionRequestSchema)
@blp.response(200, SubmissionSchema)
@blp.doc(security=BEARER)
def transition_submission(data, submission_id):
    """Apply a workflow action (WORKFLOW.md)."""
    sub = services.get_visible_submission(current_actor(), submission_id)
    services.transition_submission(
        current_actor(), sub, data["action"], data["version"], comment=data.get("comment"),
        grading=data.get("grading"), publish_at=data.get("publish_at"),
    )
    db.session.commit()
    return sub


@blp.route("/submissions/<int:submission_id>/grading", methods=["PUT"])
@requires("submission_visible")
@blp.arguments(RegradeRequestSchema)
@blp.response(200, SubmissionSchema)
@blp.doc(security=BEARER)
def regrade_submission(data, submission_id):
    """Approvers: correct the royalty grading of an approved or published item (a paid one gets an
    adjustment line on the next sheet)."""
    sub = services.get_visible_submission(current_actor(), submission_id)
    grading.regrade_submission(current_actor(), sub, data["version"], data["grading"])
    db.session.commit()
    return sub


@blp.route("/submissions/<int:submission_id>/attachments", methods=["POST"])
@requires("submission_visible")
@blp.arguments(UploadSchema, location="files")
@blp.response(201, AttachmentSchema)
@blp.doc(security=BEARER)
def upload_attachment(files, submission_id):
    """Upload one file (multipart field `file`); checked by its content, size and dimensions."""
    sub = services.get_visible_submission(current_actor(), submission_id)
    upload = files["file"]
    attachment = add_attachment(current_actor(), sub, upload.stream, upload.filename)
    db.session.commit()
    return attachment


@blp.route("/submissions/<int:submission_id>/attachments/<int:attachment_id>", methods=["GET"])
@requires("submission_visible")
@blp.response(200, description="The file, with safe download headers")
@blp.doc(security=BEARER)
def download_attachment(submission_id, attachment_id):
    sub = services.get_visible_submission(current_actor(), submission_id)
    return serve_attachment(sub, attachment_id)


@blp.route("/submissions/<int:submission_id>/attachments/<int:attachment_id>", methods=["DELETE"])
@requires("submission_visible")
@blp.response(204)
@blp.alt_response(403, description="The caller may not edit the item now (`not_editable`)")
@blp.alt_response(404, description="No such item for the caller, or no such attachment on it")
@blp.doc(security=BEARER)
def delete_attachment(submission_id, attachment_id):
    """Remove a file (who may edit the item now): a new revision and a history entry; on a published
    item a correction pushed to the portal. The stored file is deleted once this is committed."""
    sub = services.get_visible_submission(current_actor(), submission_id)
    services.remove_attachment(current_actor(), sub, attachment_id)
    db.session.commit()
    return None


@blp.route("/submissions/<int:submission_id>/history", methods=["GET"])
@requires("submission_visible")
@blp.response(200, HistorySchema(many=True))
@blp.doc(security=BEARER)
def submission_history(submission_id):
    """Every action on the item, oldest first."""
    sub = services.get_visible_submission(current_actor(), submission_id)
    return history_of(sub)


@blp.route("/submissions/<int:submission_id>/revisions", methods=["GET"])
@requires("submission_visible")
@blp.response(200, RevisionSummarySchema(many=True))
@blp.doc(security=BEARER)
def submission_revisions(submission_id):
    sub = services.get_visible_submission(current_actor(), submission_id)
    return revisions_of(sub)


@blp.route("/submissions/<int:submission_id>/revisions/<int:number>", methods=["GET"])
@requires("submission_visible")
@blp.response(200, RevisionSchema)
@blp.doc(security=BEARER)
def submission_revision(submission_id, number):
    sub = services.get_visible_submission(current_actor(), submission_id)
    return services.revision_of(sub, number)


@blp.route("/submissions/<int:submission_id>/diff", methods=["GET"])
@requires("submission_visible")
@blp.arguments(DiffArgs, location="query")
@blp.response(200, DiffSchema)
@blp.doc(security=BEARER)
def submission_diff(args, submission_id):
    """Word-level changes between revisions `from` and `to` (title, summary, body text)."""
    sub = services.get_visible_submission(current_actor(), submission_id)
    diff = services.diff_revisions(sub, args["from_"], args["to"])
    as_ops = {name: [{"op": op, "text": text} for op, text in ops] for name, ops in diff["fields"].items()}
    return {"from_": diff["from"], "to": diff["to"], "fields_": as_ops}
