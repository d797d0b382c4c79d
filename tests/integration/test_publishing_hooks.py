"""Publishing listens to the workflow (submissions/hooks.py) instead of being called by it."""
import pytest
from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.publishing import outbox
from bbt_workflow.publishing.models import Delivery
from bbt_workflow.publishing.worker import relay_due_deliveries
from bbt_workflow.submissions import hooks, services
from bbt_workflow.submissions.models import Submission
from tests.publishing_helpers import People, add_endpoint, create_approved


@pytest.fixture
def people(make):
    return People(make)


def test_publishing_registers_its_steps_once(app):
    assert hooks.steps.after_transition.count(outbox.after_transition) == 1
    assert hooks.steps.after_edit.count(outbox.after_edit) == 1


def test_one_row_per_endpoint_and_event_through_the_hooks(people, receiver):
    _endpoint, receiver.secret = add_endpoint(people.site, receiver.url)
    sub = create_approved(people)
    assert [(d.event, d.item_version) for d in db.session.scalars(select(Delivery))] == [("article.published", 1)]
    relay_due_deliveries()
    db.session.expire_all()
    sub = db.session.get(Submission, sub.id)
    assert sub.state == "published"
    services.edit_submission(people.approver, sub, sub.version, {"title": "Tin thử (sửa)"})
    db.session.commit()
    assert [(d.event, d.item_version) for d in db.session.scalars(select(Delivery).order_by(Delivery.id))] == [
        ("article.published", 1), ("article.updated", 2)]
