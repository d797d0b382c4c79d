"""A real WordPress for the tests: Debian's `wordpress` package served by `php -S` on the local MariaDB.

The session fixture `wordpress_site` builds a fresh site each test session:

- a new MariaDB database and user (MariaDB's root over the unix socket creates them);
- `/etc/wordpress/config-<name>.php` (Debian's `wp-config.php` loads the host-specific file; the
  server picks ours through `$_SERVER['WORDPRESS_CONFIG']`, set by an `auto_prepend_file`, so two
  sessions never share a config) with `WP_ENVIRONMENT_TYPE=local`, which lets WordPress accept
  Application Passwords over plain http;
- `wp_install()` from a PHP CLI script, pretty permalinks (so `/wp-json/` routes), an Editor user and
  an Application Password for it (`WP_Application_Passwords::create_new_application_password`);
- `php -S 127.0.0.1:<free port>` serving /usr/share/wordpress (a few workers, so WordPress calling
  itself cannot dead-lock the server).

Teardown stops the server and drops the database, the user, the config file and the uploads.
Where the packages or MariaDB are missing the fixture skips, naming exactly what is missing.
"""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

WORDPRESS_DIR = Path(os.environ.get("BBT_WORDPRESS_DIR", "/usr/share/wordpress"))
WORDPRESS_CONFIG_DIR = Path("/etc/wordpress")
PACKAGES_HINT = "apt-get install -y wordpress php-cli php-mysql mariadb-server"

_MU_PLUGIN = r"""<?php
// Test site only: never send mail, never call out to wordpress.org.
add_filter('pre_wp_mail', '__return_false');
add_filter('pre_http_request', function ($pre, $args, $url) {
    return new WP_Error('http_request_blocked', 'Outgoing HTTP is disabled on the test site');
}, 10, 3);
// The tests can make the REST API fail like an overloaded site: option bbt_test_fail = [status, retry_after].
add_action('rest_api_init', function () {
    $fail = get_option('bbt_test_fail');
    if (is_array($fail) && $fail) {
        status_header((int) $fail[0]);
        if (!empty($fail[1])) { header('Retry-After: ' . $fail[1]); }
        header('Content-Type: text/html; charset=utf-8');
        echo '<h1>Service unavailable (test)</h1>';
        exit;
    }
});
"""

_INSTALL = r"""<?php
// php install.php <config-name> <host:port> <json settings>
$_SERVER['WORDPRESS_CONFIG'] = $argv[1];
$_SERVER['HTTP_HOST'] = $argv[2];
$_SERVER['REQUEST_URI'] = '/';
$settings = json_decode($argv[3], true);
define('WP_INSTALLING', true);
require_once '__WORDPRESS_DIR__/wp-load.php';
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {}
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$result = wp_install('BBT test portal', 'admin', 'admin@example.test', false, '', $settings['admin_password'], 'en_US');
update_option('upload_path', $settings['uploads']);
update_option('timezone_string', 'Asia/Ho_Chi_Minh');
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
flush_rewrite_rules(false);
$editor_id = wp_insert_user([
    'user_login' => $settings['editor'], 'user_pass' => $settings['editor_password'],
    'user_email' => 'editor@example.test', 'role' => 'editor', 'display_name' => 'BBT Workflow',
]);
if (is_wp_error($editor_id)) { fwrite(STDERR, $editor_id->get_error_message()); exit(1); }
if (!wp_is_application_passwords_available()) { fwrite(STDERR, "Application Passwords are not available"); exit(1); }
$created = WP_Application_Passwords::create_new_application_password($editor_id, ['name' => 'BBT Workflow tests']);
if (is_wp_error($created)) { fwrite(STDERR, $created->get_error_message()); exit(1); }
echo json_encode(['editor_id' => $editor_id, 'app_password' => $created[0], 'admin_id' => $result['user_id']]);
"""

_RUN_PHP = r"""<?php
// php run.php <config-name> <host:port> <file with PHP code to run inside WordPress>
$_SERVER['WORDPRESS_CONFIG'] = $argv[1];
$_SERVER['HTTP_HOST'] = $argv[2];
$_SERVER['REQUEST_URI'] = '/';
require_once '__WORDPRESS_DIR__/wp-load.php';
require $argv[3];
"""


def missing_requirements() -> list[str]:
    """What this machine lacks to run a WordPress test site; empty when everything is there."""
    missing = []
    php = shutil.which("php")
    if not php:
        missing.append("the `php` command (Debian package php-cli)")
    elif subprocess.run([php, "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"], capture_output=True).returncode:
        missing.append("PHP's mysqli extension (Debian package php-mysql)")
    if not (WORDPRESS_DIR / "wp-load.php").is_file():
        missing.append(f"WordPress in {WORDPRESS_DIR} (Debian package wordpress)")
    if not os.access(WORDPRESS_CONFIG_DIR, os.W_OK):
        missing.append(f"write access to {WORDPRESS_CONFIG_DIR} (run as root with the wordpress package installed)")
    if not shutil.which("mysql"):
        missing.append("the `mysql` client (Debian package mariadb-client)")
    else:
        probe = subprocess.run(["mysql", "-e", "select 1"], capture_output=True, text=True)
        if probe.returncode:
            missing.append("a running MariaDB that root can reach over the unix socket "
                           f"(`mysql -e 'select 1'` said: {probe.stderr.strip()[:200]})")
    return missing


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_sites() -> None:
    """Remove what a killed test session left behind: its config, database, user, server and files."""
    for config in WORDPRESS_CONFIG_DIR.glob("config-bbt-test-*.php"):
        match = re.fullmatch(r"config-bbt-test-(\d+)-([0-9a-f]+)\.php", config.name)
        if not match or _alive(int(match[1])):
            continue
        text = config.read_text(errors="replace")
        workdir = re.search(r"^// workdir: (.+)$", text, re.M)
        server = re.search(r"^// server: (\d+)$", text, re.M)
        if server and workdir and _alive(int(server[1])):
            cmdline = Path(f"/proc/{server[1]}/cmdline").read_bytes().decode(errors="replace")
            if workdir[1] in cmdline:  # still our php -S, not a recycled pid
                os.killpg(int(server[1]), 15)
        name = f"bbt_wp_{match[1]}_{match[2]}"
        subprocess.run(["mysql", "-e", f"DROP DATABASE IF EXISTS `{name}`; DROP USER IF EXISTS '{name}'@'localhost';"],
                       capture_output=True)
        if workdir and workdir[1].startswith(tempfile.gettempdir() + "/bbt-wordpress-"):
            shutil.rmtree(workdir[1], ignore_errors=True)
        config.unlink(missing_ok=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mysql(sql: str) -> None:
    subprocess.run(["mysql", "-e", sql], check=True, capture_output=True, text=True)


@dataclass
class WordPressSite:
    """A running test WordPress and the means to read it back through its own REST API."""

    url: str
    editor: str
    app_password: str
    uploads: Path
    config_name: str
    workdir: Path
    _http: requests.Session = field(default_factory=requests.Session, repr=False)

    def rest(self, method: str, route: str, *, auth=True, **kwargs) -> requests.Response:
        """Call WordPress's REST API (plain `?rest_route=`, so it works whatever the permalinks)."""
        params = {"rest_route": route, **kwargs.pop("params", {})}
        if auth:
            kwargs.setdefault("auth", (self.editor, self.app_password))
        return self._http.request(method, self.url + "/", params=params, timeout=30, **kwargs)

    def post(self, post_id) -> dict:
        """A post as the editor sees it (context=edit: drafts and scheduled posts, raw fields)."""
        response = self.rest("GET", f"/wp/v2/posts/{post_id}", params={"context": "edit"})
        assert response.status_code == 200, response.text[:500]
        return response.json()

    def posts(self, **params) -> list[dict]:
        response = self.rest("GET", "/wp/v2/posts", params={"context": "edit", "status": "any", "per_page": 100, **params})
        assert response.status_code == 200, response.text[:500]
        return response.json()

    def media(self, media_id) -> dict:
        response = self.rest("GET", f"/wp/v2/media/{media_id}", params={"context": "edit"})
        assert response.status_code == 200, response.text[:500]
        return response.json()

    def create_category(self, name: str) -> int:
        response = self.rest("POST", "/wp/v2/categories", json={"name": name})
        assert response.status_code == 201, response.text[:500]
        return response.json()["id"]

    def fail_rest_api(self, status: int | None, retry_after: str = "") -> None:
        """Make every REST request answer `status` (None: answer normally again)."""
        if status is None:
            self.run_php("delete_option('bbt_test_fail');")
        else:
            self.run_php(f"update_option('bbt_test_fail', [{int(status)}, {json.dumps(retry_after)}]);")

    def run_php(self, code: str) -> str:
        """Run PHP inside WordPress (e.g. to change an option the REST API does not expose)."""
        script = self.workdir / f"snippet-{secrets.token_hex(4)}.php"
        script.write_text("<?php\n" + code)
        host = self.url.removeprefix("http://")
        done = subprocess.run(["php", str(self.workdir / "run.php"), self.config_name, host, str(script)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr or done.stdout
        return done.stdout


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"php -S exited with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            if requests.get(url + "/?rest_route=/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"WordPress at {url} did not answer within 30 s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def wordpress_site():
    missing = missing_requirements()
    if missing:
        pytest.skip("no WordPress test site: missing " + "; ".join(missing) + f" (try: {PACKAGES_HINT})")

    clean_stale_sites()
    token = secrets.token_hex(4)
    name = f"bbt-test-{os.getpid()}-{token}"
    db_name = db_user = f"bbt_wp_{os.getpid()}_{token}"
    db_password = secrets.token_urlsafe(18)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="bbt-wordpress-"))
    uploads = workdir / "uploads"
    mu_plugins = workdir / "mu-plugins"
    uploads.mkdir()
    mu_plugins.mkdir()
    (mu_plugins / "bbt-test-site.php").write_text(_MU_PLUGIN)
    config = WORDPRESS_CONFIG_DIR / f"config-{name}.php"
    salts = "\n".join(f"define('{key}', '{secrets.token_hex(32)}');" for key in (
        "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
        "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"))
    server = None
    try:
        _mysql(f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
               f"CREATE USER '{db_user}'@'localhost' IDENTIFIED BY '{db_password}';"
               f"GRANT ALL PRIVILEGES ON `{db_name}`.* TO '{db_user}'@'localhost';")
        config.write_text(f"""<?php
// BBT Workflow test site, removed at the end of the test session.
// workdir: {workdir}
define('DB_NAME', '{db_name}');
define('DB_USER', '{db_user}');
define('DB_PASSWORD', '{db_password}');
define('DB_HOST', 'localhost');
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WPMU_PLUGIN_DIR', '{mu_plugins}');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
{salts}
$table_prefix = 'wp_';
""")
        (workdir / "prepend.php").write_text(f"<?php $_SERVER['WORDPRESS_CONFIG'] = '{name}';\n")
        (workdir / "install.php").write_text(_INSTALL.replace("__WORDPRESS_DIR__", str(WORDPRESS_DIR)))
        (workdir / "run.php").write_text(_RUN_PHP.replace("__WORDPRESS_DIR__", str(WORDPRESS_DIR)))
        editor, editor_password = "bbt-editor", secrets.token_urlsafe(16)
        settings = {"admin_password": secrets.token_urlsafe(16), "uploads": str(uploads),
                    "editor": editor, "editor_password": editor_password}
        installed = subprocess.run(["php", str(workdir / "install.php"), name, f"127.0.0.1:{port}", json.dumps(settings)],
                                   capture_output=True, text=True, timeout=120)
        if installed.returncode:
            raise RuntimeError(f"wp_install failed: {installed.stderr or installed.stdout}")
        credentials = json.loads(installed.stdout.strip().splitlines()[-1])

        log = workdir / "php-server.log"
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        with open(log, "wb") as log_file:
            server = subprocess.Popen(
                ["php", "-d", f"auto_prepend_file={workdir / 'prepend.php'}", "-d", "upload_max_filesize=16M",
                 "-d", "post_max_size=20M", "-S", f"127.0.0.1:{port}", "-t", str(WORDPRESS_DIR)],
                cwd=WORDPRESS_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        with open(config, "a") as config_file:  # so a later session can stop it if this one is killed
            config_file.write(f"// server: {server.pid}\n")
        _wait_until_up(url, server, log)
        yield WordPressSite(url=url, editor=editor, app_password=credentials["app_password"],
                            uploads=uploads, config_name=name, workdir=workdir)
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, 15)  # php -S with workers: stop the whole group it leads
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
                server.wait(10)
        config.unlink(missing_ok=True)
        subprocess.run(["mysql", "-e", f"DROP DATABASE IF EXISTS `{db_name}`; DROP USER IF EXISTS '{db_user}'@'localhost';"],
                       capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
