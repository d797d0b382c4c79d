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


def _pages_with_a_failed_delivery(client, people, receiver, raw):
    """The deliveries page and the item page of an item whose delivery failed with `raw`, the approver signed in."""
    endpoint, receiver.secret = add_endpoint(people.site, receiver.url)
    receiver.fail_next(403, 1)
    sub = create_approved(people, title="Tin lỗi gửi")
    relay_due_deliveries()
    row = db.session.scalar(select(Delivery))
    row.last_error = raw
    db.session.commit()
    login(client, people.approver.username)
    return f"/sites/tinh/deliveries?state={row.state}", f"/submissions/{sub.id}"


@pytest.mark.parametrize("raw,vi,en", [
    ("Timed out", "Bên nhận không trả lời kịp thời gian chờ.", "The receiver did not answer in time."),
    ("HTTP 503 Service Unavailable", "Bên nhận trả lời lỗi HTTP 503.", "The receiver answered HTTP 503."),
    ("ConnectError: [Errno 111] Connection refused", "Bên nhận từ chối kết nối.", "The receiver refused the connection."),
])
def test_delivery_errors_are_shown_translated_with_the_raw_text(client, people, receiver, raw, vi, en):
    for url in _pages_with_a_failed_delivery(client, people, receiver, raw):
        html = client.get(url + ("&" if "?" in url else "?") + "lang=vi").get_data(as_text=True)
        assert vi in html and raw in html, url
        html = client.get(url + ("&" if "?" in url else "?") + "lang=en").get_data(as_text=True)
        assert en in html and raw in html, url


@pytest.mark.parametrize("raw,label_vi,label_en", [
    ("HTTP 503 Service Unavailable", "Câu trả lời của bên nhận:", "Receiver's answer:"),
    ("secret_unreadable", "Mã lỗi:", "Code:"),
    ("retries_exhausted", "Mã lỗi:", "Code:"),
    ("refused", "Mã lỗi:", "Code:"),
])
def test_the_raw_text_is_called_the_receivers_answer_only_when_it_is(client, people, receiver, raw, label_vi, label_en):
    # The system's own codes (an unreadable secret: no receiver was even contacted) are not the receiver's words.
    for url in _pages_with_a_failed_delivery(client, people, receiver, raw):
        for lang, label, other in (("vi", label_vi, {"Mã lỗi:", "Câu trả lời của bên nhận:"} - {label_vi}),
                                   ("en", label_en, {"Code:", "Receiver's answer:"} - {label_en})):
            html = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}").get_data(as_text=True)
            assert f"({label} <code>{raw}</code>)" in html.replace("&#39;", "'"), (url, lang)
            assert not any(f"({o} <code>" in html.replace("&#39;", "'") for o in other), (url, lang)
