"""Validation messages in the reader's language: WTForms' own on pages, marshmallow's in API errors."""
import pytest

from tests.conftest import api_token, bearer, csrf_from, login


@pytest.fixture
def site(make):
    site = make.site("huyen", approval_levels=1)
    make.user("ctv", roles={site: ["contributor"]})
    return site


def _new_submission(client, lang, **over):
    page = client.get(f"/sites/huyen/submissions/new?lang={lang}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "content_type": "tin", "category": "chuyen-doi-so", "title": "Tin mới",
            "summary": "", "body_html": "<p>Nội dung</p>", "language": "vi", "publish_at": ""}
    data.update(over)
    return client.post(f"/sites/huyen/submissions/new?lang={lang}", data=data).get_data(as_text=True)


def test_length_messages_on_the_submission_form_in_both_languages(client, site):
    login(client, "ctv")
    page = _new_submission(client, "vi", title="x" * 501, summary="y" * 5001)
    assert "Trường này không được dài quá 500 ký tự." in page
    assert "Trường này không được dài quá 5.000 ký tự." in page or "Trường này không được dài quá 5000 ký tự." in page
    assert "Field cannot be longer than" not in page
    page = _new_submission(client, "en", title="x" * 501)
    assert "Field cannot be longer than 500 characters." in page


def _errors(client, headers, body, lang=None, accept=None):
    url = "/api/v1/submissions" + (f"?lang={lang}" if lang else "")
    if accept:
        headers = dict(headers, **{"Accept-Language": accept})
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    return response.get_json()["error"]


def test_api_validation_messages_follow_lang_and_accept_language(client, site):
    h = bearer(api_token(client, "ctv"))
    body = {"site": "huyen", "content_type": "khong-co", "title": "x" * 501, "summary": None,
            "body_html": "y", "publish_at": "02/12/2026", "extra": 1}
    vi = _errors(client, h, body, lang="vi")
    assert vi["message"] == "Dữ liệu vào vi phạm một quy tắc." or "quy tắc" in vi["message"]
    assert vi["details"]["title"] == ["Tối đa 500 ký tự (hoặc phần tử)."]
    assert vi["details"]["content_type"][0].startswith("Phải là một trong:")
    assert vi["details"]["summary"] == ["Trường này không được để trống (null)."]
    assert vi["details"]["publish_at"][0].startswith("Không phải là ngày giờ hợp lệ")
    assert vi["details"]["extra"] == ["Trường không được biết đến."]
    en = _errors(client, h, body, accept="en-US,en;q=0.9")
    assert en["details"]["title"] == ["At most 500 characters or items."]
    assert en["details"]["summary"] == ["Field may not be null."]
    assert en["details"]["extra"] == ["Unknown field."]
    assert en["message"] == "The input breaks a rule."
    missing = _errors(client, h, {"site": "huyen"}, accept="vi")
    assert missing["details"]["content_type"] == ["Thiếu dữ liệu cho trường bắt buộc."]
    wrong_type = _errors(client, h, {"site": "huyen", "content_type": "tin", "title": 5}, lang="vi")
    assert wrong_type["details"]["title"] == ["Không phải là chuỗi ký tự hợp lệ."]
    # Numbers in messages are in the reader's format.
    long = _errors(client, h, {"site": "huyen", "content_type": "tin", "summary": "y" * 5001}, lang="vi")
    assert long["details"]["summary"] == ["Tối đa 5.000 ký tự (hoặc phần tử)."]
    long = _errors(client, h, {"site": "huyen", "content_type": "tin", "summary": "y" * 5001}, lang="en")
    assert long["details"]["summary"] == ["At most 5,000 characters or items."]
