"""ninjs documents, Standard Webhooks signatures and the delivery policy (pure domain code)."""
import base64
import json
import random
from datetime import datetime, timedelta, timezone

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bbt_workflow.domain import delivery_policy as policy
from bbt_workflow.domain import webhook_signing
from bbt_workflow.domain.content_types import CONTENT_TYPES
from bbt_workflow.domain.ninjs import FeatureImage, Item, build_ninjs, envelope
from tests.shared_data import NINJS_SCHEMA

SCHEMA_PATH = NINJS_SCHEMA
NOW = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def validator():
    with open(SCHEMA_PATH) as fh:
        schema = json.load(fh)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _item(content_type, **kw):
    values = dict(site_code="tinh", submission_id=42, revision=3, content_type=content_type,
                  title="Khai mạc Lễ hội", summary="Tóm tắt", body_html="<p>Nội dung</p>", by="Nguyễn Văn A",
                  category_name="Văn hóa", category_code="van-hoa", first_created=NOW,
                  version_created=NOW + timedelta(hours=1))
    values.update(kw)
    return Item(**values)


IMAGE = FeatureImage(media_id=7, href="https://bbt.example.vn/feeds/media/7/abc", content_type="image/jpeg",
                     width=1920, height=1080, title="anh.jpg")


@pytest.mark.parametrize("content_type", sorted(CONTENT_TYPES))
@pytest.mark.parametrize("variant", ["plain", "image", "scheduled", "canceled", "bare"])
def test_every_document_validates(validator, content_type, variant):
    kw = {"image": {"feature_image": IMAGE}, "scheduled": {"embargoed_until": NOW + timedelta(days=1)},
          "canceled": {"canceled": True, "feature_image": IMAGE},
          "bare": {"summary": "", "body_html": "", "by": None, "category_code": None}, "plain": {}}[variant]
    doc = build_ninjs(_item(content_type, **kw))
    errors = sorted(validator.iter_errors(doc), key=str)
    assert errors == [], [e.message for e in errors]
    assert doc["uri"] == "urn:bbt:tinh:submission:42"
    assert doc["version"] == "3"
    assert doc["type"] == CONTENT_TYPES[content_type].ninjs_type
    assert doc["pubStatus"] == ("canceled" if variant == "canceled" else "usable")
    assert ("embargoedUntil" in doc) == (variant == "scheduled")
    assert ("associations" in doc) == (variant in ("image", "canceled"))
    assert doc["firstCreated"] == "2026-06-01T08:00:00+07:00"
    assert doc["versionCreated"] == "2026-06-01T09:00:00+07:00"


def test_document_shape():
    doc = build_ninjs(_item("anh", feature_image=IMAGE))
    assert doc["type"] == "picture"
    assert doc["headlines"] == [{"role": "main", "value": "Khai mạc Lễ hội"}]
    assert doc["subjects"] == [{"name": "Văn hóa", "uri": "urn:bbt:tinh:category:van-hoa"}]
    assoc = doc["associations"][0]
    assert assoc["name"] == "featureimage" and assoc["uri"] == "urn:bbt:tinh:media:7"
    assert assoc["renditions"][0] == {"name": "original", "href": IMAGE.href, "contentType": "image/jpeg",
                                      "width": 1920, "height": 1080}


def test_unknown_top_level_fields_are_rejected_by_the_schema(validator):
    """The validator really checks: ninjs 3 refuses fields it does not know."""
    doc = build_ninjs(_item("tin"))
    doc["headline"] = "ninjs 1.x name"
    assert list(validator.iter_errors(doc))


def test_secret_format():
    for nbytes in (24, 32, 64):
        secret = webhook_signing.generate_secret(nbytes)
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret[6:])) == nbytes
    assert webhook_signing.generate_secret() != webhook_signing.generate_secret()
    with pytest.raises(ValueError):
        webhook_signing.generate_secret(16)


def test_signatures_verify_with_the_standardwebhooks_package():
    secret = webhook_signing.generate_secret()
    body = json.dumps(envelope("article.published", NOW, build_ninjs(_item("tin"))), ensure_ascii=False).encode()
    ts = int(datetime.now(timezone.utc).timestamp())
    headers = webhook_signing.headers([secret], "msg_1", ts, body)
    assert Webhook(secret).verify(body, headers)["type"] == "article.published"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)  # the bytes sent are exactly the bytes signed
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook_signing.generate_secret()).verify(body, headers)


def test_rotation_sends_two_signatures_either_secret_verifies():
    old, new = webhook_signing.generate_secret(), webhook_signing.generate_secret()
    body = b'{"type":"article.updated"}'
    ts = int(datetime.now(timezone.utc).timestamp())
    headers = webhook_signing.headers([new, old], "msg_2", ts, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(body, headers) == {"type": "article.updated"}
    assert Webhook(old).verify(body, headers) == {"type": "article.updated"}


class FixedRandom:
    def uniform(self, a, b):
        return 0.0


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_delivered(status):
    assert policy.decide(status, 1, NOW).kind == policy.DELIVERED


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 301, 302])
def test_refusals_are_dead_at_once(status):
    outcome = policy.decide(status, 1, NOW)
    assert outcome.kind == policy.DEAD and not outcome.disable_endpoint


def test_410_is_dead_and_disables_the_endpoint():
    outcome = policy.decide(410, 1, NOW)
    assert outcome.kind == policy.DEAD and outcome.disable_endpoint


@pytest.mark.parametrize("status", [None, 408, 429, 500, 502, 503, 504])
def test_retry_schedule_then_dead(status):
    expected = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    for attempt, seconds in enumerate(expected, start=1):
        outcome = policy.decide(status, attempt, NOW, rng=FixedRandom())
        assert outcome.kind == policy.RETRY
        assert outcome.next_attempt_at - NOW == timedelta(seconds=seconds)
    assert policy.decide(status, len(expected) + 1, NOW).kind == policy.DEAD


def test_jitter_stays_within_ten_percent():
    rng = random.Random(1)
    delays = {(policy.decide(503, 2, NOW, rng=rng).next_attempt_at - NOW).total_seconds() for _ in range(200)}
    assert min(delays) >= 270 and max(delays) <= 330 and len(delays) > 100


def test_retry_after_is_honoured():
    assert policy.decide(503, 1, NOW, retry_after="120", rng=FixedRandom()).next_attempt_at == NOW + timedelta(seconds=120)
    http_date = "Mon, 01 Jun 2026 02:00:00 GMT"
    assert policy.decide(429, 1, NOW, retry_after=http_date, rng=FixedRandom()).next_attempt_at == NOW + timedelta(hours=1)
    # A shorter Retry-After does not shorten the schedule; nonsense is ignored.
    assert policy.decide(503, 2, NOW, retry_after="1", rng=FixedRandom()).next_attempt_at == NOW + timedelta(minutes=5)
    assert policy.decide(503, 1, NOW, retry_after="soon", rng=FixedRandom()).next_attempt_at == NOW + timedelta(seconds=5)
