"""What a queue page's row shows, as text: the queue is the page editors keep open all day.

The template used to translate and format each cell itself: five translations, two filters, a macro and
a URL built per row, 50 rows a page, ~9 ms of a 22 ms page at 1,000,000 items (bench/RESULTS.md). Here the
words are translated once per language and each row is a few string formats; the template only places them
(and escapes them: every value here is plain text).
"""
from dataclasses import dataclass
from functools import lru_cache

from flask import url_for
from flask_babel import get_locale, gettext

from ..domain.content_types import CONTENT_TYPES
from ..domain.workflow import IN_REVIEW, PENDING_APPROVAL, SUBMITTED
from ..formatting import app_zone, format_datetime, format_waited, waited_formats
from ..templating import STATE_LABELS

# An item waiting on the board longer than this is marked in the "Waited" column.
LONG_WAIT_SECONDS = 24 * 3600
_WAITING_ON_BOARD = (SUBMITTED, IN_REVIEW, PENDING_APPROVAL)


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    version: int
    url: str
    title: str
    state: str
    state_label: str
    type_label: str
    category: str
    author: str
    holder: str | None  # who holds an item in review (a finished item's assignee is history)
    held_since: str
    waited: str
    waited_since: str
    waited_long: bool
    claimable: bool
    select_label: str
    claim_label: str


@dataclass(frozen=True, slots=True)
class _Words:
    """The page's words in the reader's language, translated once."""
    untitled: str
    select: str
    claim: str
    since: str
    held_since: str
    waited: tuple
    states: dict
    types: dict

    @classmethod
    def for_reader(cls):
        return _words_in(str(get_locale()))


@lru_cache(maxsize=None)
def _words_in(locale):
    """The page's words in one language (the key; the current request reads that language): the catalogs do not
    change while the app runs, and translating ~35 words on every queue page was ~0.3 ms of it."""
    return _Words(untitled=gettext("(untitled)"), select=gettext("Select %(title)s"),
                  claim=gettext("Claim %(title)s"), since=gettext("Since %(at)s"),
                  held_since=gettext("since %(at)s"), waited=waited_formats(),
                  states={code: str(label) for code, label in STATE_LABELS.items()},
                  types={code: str(kind.name) for code, kind in CONTENT_TYPES.items()})


def queue_rows(items, *, claimable, now):
    """QueueRows for a page of queries.ListedItem; claimable: the ids the viewer may claim now."""
    if not items:
        return []
    words, zone = _Words.for_reader(), app_zone()
    # One URL built, the others by its pattern: building 50 through the URL map is 0.5 ms a page.
    first_url = url_for("submissions_web.detail", submission_id=items[0].id)
    url_prefix = first_url[:len(first_url) - len(str(items[0].id))]
    rows = []
    for item in items:
        title = item.title or words.untitled
        waited = (now - item.state_entered_at).total_seconds()
        held = item.state == IN_REVIEW and item.assignee_id is not None
        can_claim = item.id in claimable
        rows.append(QueueRow(
            id=item.id, version=item.version, url=f"{url_prefix}{item.id}", title=title, state=item.state,
            state_label=words.states.get(item.state, item.state),
            type_label=words.types.get(item.content_type, item.content_type),
            category=item.category.name if item.category else "—", author=item.author_name,
            holder=item.assignee_name if held else None,
            held_since=(words.held_since % {"at": format_datetime(item.claimed_at, zone)}
                        if held and item.claimed_at else ""),
            waited=format_waited(waited, words.waited),
            waited_since=words.since % {"at": format_datetime(item.state_entered_at, zone)},
            waited_long=waited > LONG_WAIT_SECONDS and item.state in _WAITING_ON_BOARD,
            claimable=can_claim,
            # The checkbox's and the button's names: only a row the reader may claim has them.
            select_label=words.select % {"title": title} if can_claim else "",
            claim_label=words.claim % {"title": title} if can_claim else ""))
    return rows
