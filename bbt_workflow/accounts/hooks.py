"""What account changes announce, and who listens.

Every user can be paid, so royalties keeps a payee record per user (API.md); accounts knows nothing of
royalties: it calls the handlers registered here when a user is created or changed, in the same
transaction. Royalties registers them in its `init_app`; `check_complete()` (end of `create_app`)
refuses to start without them.
"""
from dataclasses import dataclass, field


@dataclass
class AccountSteps:
    user_saved: list = field(default_factory=list)  # (user, created: bool) -> None


steps = AccountSteps()


def on_user_saved(handler):
    if handler not in steps.user_saved:
        steps.user_saved.append(handler)
    return handler


def announce_user_saved(user, *, created):
    for handler in steps.user_saved:
        handler(user, created=created)


def check_complete():
    if not steps.user_saved:
        raise RuntimeError("BBT Workflow cannot start: nobody keeps the payee records of users "
                           "(no handler registered in bbt_workflow/accounts/hooks.py)")
