"""The receivers' failures on the deliveries page and the item page: in the reader's language, raw text kept."""
import pytest
from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.publishing.models import Delivery
from bbt_workflow.publishing.worker import relay_due_deliveries
from tests.conftest import login
from tests.publishing_helpers import People, add_endpoint, create_approved


@pytest.fixture
def people(make):
    return People(make)


@pytest.mark.parametrize("raw,vi,en", [
    ("Timed out", "Bên nhận không trả lời kịp thời gian chờ.", "The receiver did not answer in time."),
    ("HTTP 503 Service Unavailable", "Bên nhận trả lời lỗi HTTP 503.", "The receiver answered HTTP 503."),
    ("ConnectError: [Errno 111] Connection refused", "Bên nhận từ chối kết nối.", "The receiver refused the connection."),
])
def test_delivery_errors_are_shown_translated_with_the_raw_text(client, people, receiver, raw, vi, en):
    endpoint, receiver.secret = add_endpoint(people.site, receiver.url)
    receiver.fail_next(403, 1)
    sub = create_approved(people, title="Tin lỗi gửi")
    relay_due_deliveries()
    row = db.session.scalar(select(Delivery))
    row.last_error = raw
    db.session.commit()
    login(client, people.approver.username)
    for url in (f"/sites/tinh/deliveries?state={row.state}", f"/submissions/{sub.id}"):
        html = client.get(url + ("&" if "?" in url else "?") + "lang=vi").get_data(as_text=True)
        assert vi in html and raw in html, url
        html = client.get(url + ("&" if "?" in url else "?") + "lang=en").get_data(as_text=True)
        assert en in html and raw in html, url
