"""What the workflow announces, and who listens.

The workflow service (`services.py`) knows nobody downstream: it calls the steps registered here.
Publishing and royalties fill the registry in their `init_app`; `check_complete()` runs at the end of
`create_app`, so an installation whose required step has no handler refuses to start instead of
approving items without a grading.

The steps, in the order a transition runs them:

| step | when | registered by | required |
|---|---|---|---|
| `grading` | before a transition that needs a royalty grading (forward, approve) | royalties | yes |
| `after_transition` | after the state change, its history row and the workflow's notifications, same transaction | publishing (outbox) | no |
| `after_edit` | after a content change made a new revision, same transaction | publishing (corrections) | no |

The workflow's own notifications (notifications.py) are not a registered step: they are part of the
workflow itself (no arrow to another area) and need the action's comment, which the announcement
does not carry; `transition_submission` calls them directly, just before the after_transition steps.

Handlers run inside the caller's transaction and must only flush: anything leaving the database
(mail, HTTP) goes through the outbox or the mail queue, sent after commit.
"""
from dataclasses import dataclass, field


@dataclass
class WorkflowSteps:
    grading: object = None  # (actor, sub, action, grading, publish_at) -> the stored grading
    after_transition: list = field(default_factory=list)  # (sub, action, now, actor) -> None
    after_edit: list = field(default_factory=list)  # (sub, now) -> None

    REQUIRED = ("grading",)


steps = WorkflowSteps()


def register_grading(handler):
    """The required step before forward/approve: check and store the grading sent (or the current one)."""
    steps.grading = handler
    return handler


def on_transition(handler):
    if handler not in steps.after_transition:
        steps.after_transition.append(handler)
    return handler


def on_edit(handler):
    if handler not in steps.after_edit:
        steps.after_edit.append(handler)
    return handler


def missing_steps():
    return [name for name in WorkflowSteps.REQUIRED if getattr(steps, name) is None]


def check_complete():
    missing = missing_steps()
    if missing:
        raise RuntimeError("BBT Workflow cannot start: no handler for the workflow step(s) "
                           + ", ".join(missing) + " (see bbt_workflow/submissions/hooks.py)")
