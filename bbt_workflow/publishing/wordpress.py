"""Delivering items to a WordPress site through its REST API (PUBLISHING.md, "Other adapters").

- `article.published` creates a post (`status: publish`, or `future` with `date_gmt` when the ninjs
  document is embargoed until a later time), or updates the post when its id is known;
  `article.updated` updates it; `article.canceled` sets it back to `draft` (the takedown).
- Title, excerpt and content come from the ninjs headlines, descriptions and bodies; categories from
  the endpoint's `category_map` (a subject's uri, `literal` or category code -> WordPress category id;
  subjects not in the map are left out); the feature image is uploaded with `POST media` and set as
  `featured_media`.
- Authentication: Basic with a WordPress Application Password (use HTTPS in production).
- Every call connects to the address the caller checked (address_policy.checked_address,
  pinned_http.py), never to a fresh DNS answer.
- The API root: `<base>/wp-json/` when the site has pretty permalinks, otherwise
  `<base>/?rest_route=/` (what WordPress itself advertises on plain-permalink sites). The adapter
  tries `/wp-json/` first and remembers which one answered.

WordPress has no field for our key, so the relay keeps item -> post id (`remote_id`). Because delivery
is at least once (an answer lost to a timeout is sent again), each post's content ends with an HTML
comment naming the item's ninjs uri, and a create first looks for a post carrying it: a resend updates
that post instead of making a second one. Media are found again the same way, by a slug made from the
association uri.

The adapter only reports what happened on the wire (`DeliveryResult`); it never raises on HTTP or
network errors. The relay decides what a status means (`domain.delivery_policy`).
"""
import html
import re
import time
import unicodedata
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests

from .delivery_result import DeliveryResult
from .media import media_by_uri
from .pinned_http import pinned_session

PUBLISHED, UPDATED, CANCELED = "article.published", "article.updated", "article.canceled"
EVENT_TYPES = (PUBLISHED, UPDATED, CANCELED)
EXCERPT_CHARS = 500
USER_AGENT = "BBT-Workflow (WordPress adapter)"


# ---------------------------------------------------------------- mapping (pure)

def item_marker(uri: str) -> str:
    """The HTML comment that ties a WordPress post to our item."""
    return f"<!-- bbt-item: {uri.replace('--', '')} -->"


def media_slug(uri: str) -> str:
    """A WordPress slug for a media association uri (urn:bbt:qt:media:7 -> bbt-urn-bbt-qt-media-7)."""
    return "bbt-" + re.sub(r"[^a-z0-9]+", "-", uri.lower()).strip("-")


def _entry(document, key, role="main"):
    entries = document.get(key) or []
    for entry in entries:
        if entry.get("role") == role:
            return entry
    return entries[0] if entries else None


def _html_of(entry) -> str:
    if not entry:
        return ""
    value = entry.get("value") or ""
    if (entry.get("contentType") or "text/plain").lower().startswith("text/html"):
        return value
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
    return "\n".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def _parse_time(value):
    if not value:
        return None
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def map_categories(subjects, category_map) -> list[int]:
    """WordPress category ids for the ninjs subjects found in `category_map`, in order, no repeats."""
    found = []
    for subject in subjects or ():
        keys = [subject.get("uri"), subject.get("literal")]
        if subject.get("uri") and ":category:" in subject["uri"]:
            keys.append(subject["uri"].rsplit(":category:", 1)[1])  # urn:bbt:<site>:category:<code>
        for key in keys:
            if key and key in (category_map or {}):
                category = int((category_map or {})[key])
                if category not in found:
                    found.append(category)
                break
    return found


def post_payload(document: dict, category_map=None, *, now: datetime | None = None) -> dict:
    """The WordPress post fields for a ninjs document that should be on the portal."""
    now = now or datetime.now(timezone.utc)
    headline = _entry(document, "headlines")
    title = (headline or {}).get("value") or document.get("title") or ""
    content = _html_of(_entry(document, "bodies"))
    payload = {
        "title": title,
        "content": (content + "\n" if content else "") + item_marker(document["uri"]),
        "excerpt": (_entry(document, "descriptions", "summary") or {}).get("value", ""),
        "status": "publish",
    }
    embargo = _parse_time(document.get("embargoedUntil"))
    if embargo is not None:
        payload["date_gmt"] = embargo.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat()
        if embargo > now:
            payload["status"] = "future"
    categories = map_categories(document.get("subjects"), category_map)
    if categories:
        payload["categories"] = categories
    return payload


def feature_image_association(document: dict):
    for association in document.get("associations") or ():
        if association.get("name") == "featureimage":
            return association
    return None


def upload_filename(filename: str, content_type: str) -> str:
    """An ASCII file name WordPress accepts in Content-Disposition (Vietnamese letters folded)."""
    folded = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", folded).strip("-.") or "image"
    if "." not in safe:
        safe += "." + (content_type.split("/")[-1].replace("jpeg", "jpg") or "bin")
    return safe


# ---------------------------------------------------------------- the adapter

class _Failed(Exception):
    def __init__(self, result: DeliveryResult):
        super().__init__(result.error)
        self.result = result


def _excerpt(response) -> str:
    return (response.text or "")[:EXCERPT_CHARS]


def _json(response):
    try:
        return response.json()
    except ValueError:
        return None


def _nested_auth_status(body):
    """401/403 when WordPress refused a parameter only because of who is asking.

    WordPress treats a wrong Application Password as an anonymous request; asking for posts of
    any status then fails as `400 rest_invalid_param` whose details carry `status: 401`.
    """
    if not isinstance(body, dict) or body.get("code") != "rest_invalid_param":
        return None
    details = ((body.get("data") or {}).get("details") or {}).values()
    statuses = {((d.get("data") or {}).get("status")) for d in details if isinstance(d, dict)}
    return statuses.pop() if len(statuses) == 1 and statuses <= {401, 403} else None


def _failure(response, step: str) -> DeliveryResult:
    body = _json(response)
    status = response.status_code
    if isinstance(body, dict) and body.get("code"):
        reason = f"{body['code']}: {body.get('message', '')}"
        nested = _nested_auth_status(body)
        if nested:
            reason += f" (WordPress: status {nested})"
            status = nested
    elif 300 <= status < 400:
        reason = f"redirect to {response.headers.get('Location', '?')} (not followed)"
    else:
        reason = response.reason or "no reason given"
    if status == 401:
        reason += " - check the user name and the Application Password"
    return DeliveryResult(status=status, error=f"{step}: HTTP {response.status_code} {reason}"[:1000],
                          retry_after=response.headers.get("Retry-After"), response_excerpt=_excerpt(response))


class WordPressAdapter:
    def __init__(self, base_url, username, app_password, category_map=None, timeout=15, *, address=None):
        """`address`: where to connect, checked by the caller; None only for a URL whose host is an IP."""
        base = (base_url or "").strip().rstrip("/")
        base = re.sub(r"/wp-json$", "", base)
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base
        self.auth = (username or "", app_password or "")
        self.category_map = {str(k): v for k, v in (category_map or {}).items()}
        self.timeout = timeout
        self.session = pinned_session(base, address)
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.api_style = None  # "wp-json" or "rest_route", found on the first call

    # -- wire

    def _url(self, route, params, style=None):
        style = style or self.api_style
        if style == "wp-json":
            return f"{self.base_url}/wp-json{route}", params
        return f"{self.base_url}/", {"rest_route": route, **(params or {})}

    def _send(self, method, route, *, style=None, auth=True, params=None, **kwargs):
        url, params = self._url(route, params, style)
        try:
            return self.session.request(method, url, params=params, auth=self.auth if auth else None,
                                        timeout=self.timeout, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            raise _Failed(DeliveryResult(status=None, error=f"{method} {url}: {type(exc).__name__}: {exc}"[:1000])) from exc

    def _call(self, method, route, step, *, ok=(200, 201), **kwargs):
        response = self._send(method, route, **kwargs)
        body = _json(response)
        if response.status_code not in ok or body is None:
            if response.status_code in ok:  # 2xx but not JSON: not WordPress answering
                raise _Failed(DeliveryResult(status=502, error=f"{step}: the answer is not JSON (reported as 502)",
                                             response_excerpt=_excerpt(response)))
            raise _Failed(_failure(response, step))
        return response, body

    def _discover(self):
        """Find the REST API root: /wp-json/ (pretty permalinks) or /?rest_route=/ (any WordPress)."""
        if self.api_style:
            return
        last = None
        for style in ("wp-json", "rest_route"):
            response = self._send("GET", "/", style=style, auth=False, params={"_fields": "name,namespaces"})
            body = _json(response)
            if isinstance(body, dict) and ("namespaces" in body or "routes" in body or "code" in body):
                self.api_style = style
                return
            last = response
        if last.status_code >= 300:  # e.g. a redirect to https://: the admin should configure that URL
            raise _Failed(_failure(last, f"no WordPress REST API at {self.base_url}"))
        raise _Failed(DeliveryResult(
            status=404, response_excerpt=_excerpt(last),
            error=f"no WordPress REST API at {self.base_url}/wp-json/ nor {self.base_url}/?rest_route=/ (reported as 404)"))

    # -- steps

    def _find_post(self, uri):
        """The id of a post carrying the item's marker (any status but trash), or None."""
        marker = item_marker(uri)
        # A quoted phrase is one search term, so submission:4 does not also match submission:40.
        phrase = '"' + marker.removeprefix("<!-- bbt-item: ") + '"'
        _, posts = self._call("GET", "/wp/v2/posts", "look for the item's post",
                              params={"search": phrase, "status": "any", "context": "edit", "per_page": 100,
                                      "_fields": "id,content"})
        for post in posts if isinstance(posts, list) else ():
            if marker in ((post.get("content") or {}).get("raw") or ""):
                return str(post["id"])
        return None

    def _feature_image(self, document, media):
        """The WordPress media id of the item's feature image, uploading it once; None: no change."""
        association = feature_image_association(document)
        if association is None:
            return 0  # no feature image (any more)
        file = media_by_uri(media).get(association.get("uri"))
        if file is None or not file.available():
            return None  # the relay did not give us the bytes: leave the post's image as it is
        slug = media_slug(file.uri)
        _, found = self._call("GET", "/wp/v2/media", "look for the feature image",
                              params={"slug": slug, "context": "edit", "_fields": "id"})
        if isinstance(found, list) and found:
            return found[0]["id"]
        data = file.read()
        if not data:
            return None  # the stored file is gone: leave the post's image as it is
        title = ((_entry(association, "headlines") or {}).get("value")) or file.filename
        _, created = self._call(
            "POST", "/wp/v2/media", "upload the feature image", ok=(201,),
            params={"slug": slug, "title": title, "alt_text": title},
            data=data,
            headers={"Content-Type": file.content_type,
                     "Content-Disposition": f'attachment; filename="{upload_filename(file.filename, file.content_type)}"'})
        return created["id"]

    def _deliver(self, event_type, document, remote_id, media) -> DeliveryResult:
        self._discover()
        uri = document["uri"]
        if not remote_id:
            remote_id = self._find_post(uri)
        if event_type == CANCELED:
            if not remote_id:
                return DeliveryResult(status=200, remote_id=None,
                                      response_excerpt="no WordPress post carries this item: nothing to take down")
            payload = {"status": "draft"}
        else:
            payload = post_payload(document, self.category_map)
            image = self._feature_image(document, media)
            if image or (image == 0 and remote_id):
                payload["featured_media"] = image
        route = f"/wp/v2/posts/{remote_id}" if remote_id else "/wp/v2/posts"
        step = "update the post" if remote_id else "create the post"
        response, post = self._call("POST", route, step, json=payload)
        return DeliveryResult(status=response.status_code, portal_url=post.get("link"),
                              remote_id=str(post.get("id", remote_id)), response_excerpt=_excerpt(response))

    # -- public

    def deliver(self, *, event_type, document, remote_id=None, media=()) -> DeliveryResult:
        """Send one event; `remote_id` is the WordPress post id from an earlier delivery, if any."""
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r}")
        started = time.monotonic()
        try:
            result = self._deliver(event_type, document, remote_id, media)
        except _Failed as failed:
            result = failed.result
        return replace(result, duration_ms=round((time.monotonic() - started) * 1000))

    def test(self) -> DeliveryResult:
        """"Send test event": can we sign in, and may this user publish posts and upload files?"""
        started = time.monotonic()
        try:
            self._discover()
            response, me = self._call("GET", "/wp/v2/users/me", "sign in", ok=(200,), params={"context": "edit"})
            capabilities = me.get("capabilities") or {}
            lacking = [cap for cap in ("publish_posts", "upload_files") if not capabilities.get(cap)]
            summary = f"signed in as {me.get('username') or me.get('name')} (roles: {', '.join(me.get('roles') or []) or '-'})"
            result = DeliveryResult(
                status=response.status_code,
                error=f"{summary}, but the user may not: {', '.join(lacking)}" if lacking else None,
                portal_url=self.base_url, response_excerpt=summary, missing_capabilities=tuple(lacking))
        except _Failed as failed:
            result = failed.result
        return replace(result, duration_ms=round((time.monotonic() - started) * 1000))

    def close(self):
        self.session.close()
