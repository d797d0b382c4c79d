"""Stylesheets and scripts are addressed by their content and kept by browsers for a year, so a page
load does not revalidate them one by one; an old or missing version is served as before (revalidated)."""
import hashlib
import os
import re

from bbt_workflow.static_versions import YEAR_SECONDS
from tests.conftest import login

STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]+)"')


def _file_digest(app, url_path):
    with open(os.path.join(app.static_folder, url_path.removeprefix("/static/")), "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def test_pages_link_static_files_by_their_content(app, client, make):
    make.user("ctv", roles={make.site("s"): ["contributor"]})
    login(client, "ctv")
    html = client.get("/").get_data(as_text=True)
    links = STATIC_URL.findall(html)
    # The layout's stylesheets and scripts (Bootstrap, the app's own CSS and JS) all carry a version.
    assert len(links) >= 3, html[:2000]
    unversioned = re.findall(r'(?:href|src)="(/static/[^"?]+)"', html)
    assert unversioned == []
    for path, version in links:
        assert version == _file_digest(app, path), path


def test_the_current_version_is_cached_for_a_year_and_immutable(app, client):
    html = client.get("/login").get_data(as_text=True)
    path, version = STATIC_URL.findall(html)[0]
    response = client.get(f"{path}?v={version}")
    assert response.status_code == 200
    assert response.cache_control.max_age == YEAR_SECONDS
    assert response.cache_control.public and response.cache_control.immutable
    assert not response.cache_control.no_cache
    # The security headers still apply to the file.
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_old_or_missing_version_is_revalidated_as_before(app, client):
    html = client.get("/login").get_data(as_text=True)
    path, _version = STATIC_URL.findall(html)[0]
    for url in (path, f"{path}?v=000000000000", f"{path}?v="):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cache_control.max_age in (None, 0), url
        assert not response.cache_control.immutable, url


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    from bbt_workflow.static_versions import digest

    (tmp_path / "a.css").write_text("body { color: #000 }")
    first = digest(str(tmp_path), "a.css")
    (tmp_path / "a.css").write_text("body { color: #111111 }")
    assert digest(str(tmp_path), "a.css") not in (None, first)
    assert digest(str(tmp_path), "missing.css") is None
    assert digest(str(tmp_path), "../../etc/passwd\x00") is None


def test_a_missing_static_file_is_still_a_404(client):
    assert client.get("/static/css/none.css?v=abc").status_code == 404
