"""Issue 16, DNS rebinding: a send resolves the endpoint's host once, checks every address it got against
the address policy, and connects to exactly the checked address (the URL's host stays in the Host header,
TLS SNI and certificate checks). A name that answers a public address to the check and a private one to
the connection must not reach the private one.
"""
import datetime
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import urllib3.util.connection
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bbt_workflow.domain.webhook_signing import generate_secret
from bbt_workflow.publishing.pinned_http import PinnedAdapter, pinned_session
from bbt_workflow.publishing.relay import Job, send
from tests.conftest import api_token, bearer
from tests.publishing_helpers import People

PUBLIC = "93.184.215.14"  # a public address: passes the policy (the connections to it are faked below)
REAL_GETADDRINFO = socket.getaddrinfo
REAL_CREATE_CONNECTION = urllib3.util.connection.create_connection


class FakeDNS:
    """getaddrinfo with scripted answers for some names: each lookup takes the next answer, the last repeats."""

    def __init__(self):
        self.answers = {}
        self.asked = []

    def __call__(self, host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        self.asked.append(name)
        queue = self.answers[name]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port or 0)) for a in addresses]


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def connects(monkeypatch):
    """Where the HTTP client opens its connections; the public address is refused (no real network)."""
    seen = []

    def create_connection(address, *args, **kwargs):
        seen.append(address[0])
        if address[0] == PUBLIC:
            raise ConnectionRefusedError(111, "Connection refused (test: the public address)")
        return REAL_CREATE_CONNECTION(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return seen


def _job(url, *, kind="webhook", allow_private=False, secret=None):
    return Job(delivery_id=1, token="t", attempt=1, webhook_id="msg_1", event="article.published",
               body=b'{"type":"article.published","data":{"uri":"urn:bbt:tinh:submission:1"}}', kind=kind, url=url,
               secrets=[secret or generate_secret()], username="bbt", app_password="abcd efgh",
               allow_private=allow_private)


def _port(receiver):
    return receiver.server.server_address[1]


def test_a_name_that_rebinds_to_loopback_is_connected_at_the_checked_address(receiver, dns, connects):
    dns.answers["rebind.example"] = [[PUBLIC], ["127.0.0.1"]]
    result = send(_job(f"http://rebind.example:{_port(receiver)}/hook"))
    assert receiver.requests == 0
    assert dns.asked == ["rebind.example"]  # resolved once, for the check
    assert connects == [PUBLIC]  # and connected there
    assert result.status is None and "refused" in result.error.lower()


def test_a_wordpress_send_is_pinned_too(receiver, dns, connects):
    dns.answers["rebind.example"] = [[PUBLIC], ["127.0.0.1"]]
    result = send(_job(f"http://rebind.example:{_port(receiver)}", kind="wordpress"))
    assert receiver.requests == 0 and dns.asked == ["rebind.example"]
    assert set(connects) == {PUBLIC} and result.status is None


def test_every_resolved_address_is_checked(receiver, dns, connects):
    dns.answers["rebind.example"] = [[PUBLIC, "127.0.0.1"]]
    result = send(_job(f"http://rebind.example:{_port(receiver)}/hook"))
    assert "private address 127.0.0.1" in result.error
    assert connects == [] and receiver.requests == 0


def test_an_unresolvable_name_fails_as_dns_and_is_not_resolved_again(dns, connects):
    dns.answers["gone.example"] = [[]]
    result = send(_job("http://gone.example/hook"))
    assert result.status is None and connects == [] and dns.asked == ["gone.example"]


def test_the_loopback_receiver_gets_signed_webhooks_when_private_addresses_are_allowed(receiver, dns, connects):
    receiver.secret = generate_secret()
    dns.answers["portal.internal"] = [["127.0.0.1"], [PUBLIC]]
    url = f"http://portal.internal:{_port(receiver)}/hook"
    result = send(_job(url, allow_private=True, secret=receiver.secret))
    assert result.status == 200 and len(receiver.accepted) == 1 and receiver.bad_signatures == 0
    assert connects == ["127.0.0.1"] and dns.asked == ["portal.internal"]
    assert receiver.hosts == [f"portal.internal:{_port(receiver)}"]  # the URL's host, not the address


def test_the_test_event_is_pinned(app, client, make, receiver, dns, connects):
    app.config["ALLOW_PRIVATE_ENDPOINTS"] = False
    people = People(make)
    headers = bearer(api_token(client, people.admin.username))
    # Public when saved, public when the test event is checked, loopback when connecting.
    dns.answers["rebind.example"] = [[PUBLIC], [PUBLIC], ["127.0.0.1"]]
    created = client.post("/api/v1/admin/sites/tinh/endpoints", headers=headers, json={
        "name": "Cổng", "kind": "webhook", "url": f"http://rebind.example:{_port(receiver)}/hook"})
    assert created.status_code == 201, created.get_json()
    tested = client.post(f"/api/v1/admin/sites/tinh/endpoints/{created.get_json()['id']}/test", headers=headers,
                         json={})
    assert tested.status_code == 200 and tested.get_json()["accepted"] is False
    assert receiver.requests == 0 and connects == [PUBLIC]


def test_redirects_are_not_followed(receiver):
    receiver.fail_next(302, 1, Location="http://127.0.0.1:9/elsewhere")
    result = send(_job(receiver.url, allow_private=True))
    assert result.status == 302 and receiver.requests == 1


def test_a_pinned_session_sends_nowhere_but_its_host():
    session = pinned_session("http://portal.example/hook", PUBLIC)
    with pytest.raises(requests.exceptions.InvalidURL):
        session.get("http://other.example/")


def test_https_connects_to_the_address_and_names_the_host_for_sni_and_certificates():
    adapter = PinnedAdapter("portal.example", PUBLIC)
    request = requests.Request("POST", "https://portal.example/hook", data=b"{}").prepare()
    pool = adapter.get_connection_with_tls_context(request, verify=True)
    assert (pool.host, pool.port) == (PUBLIC, 443)
    connection = pool._new_conn()  # built, not connected
    assert connection.host == PUBLIC and connection.server_hostname == "portal.example"
    assert connection.assert_hostname in (None, "portal.example")  # None: urllib3 checks server_hostname
    adapter.add_headers(request)
    assert request.headers["Host"] == "portal.example"


# --- a real TLS handshake against a certificate for the name, served on 127.0.0.1 ------------------

def _certificates(tmp_path, name):
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "BBT test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(hours=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_file, cert_file, key_file


@pytest.fixture
def tls_server(tmp_path):
    ca_file, cert_file, key_file = _certificates(tmp_path, "portal.test")
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get("Host"))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], str(ca_file), seen
    server.shutdown()
    server.server_close()


def test_https_to_a_pinned_address_verifies_the_certificate_against_the_url_s_host(tls_server):
    port, ca_file, seen = tls_server
    url = f"https://portal.test:{port}/"  # portal.test resolves nowhere: only the pin leads to the server
    response = pinned_session(url, "127.0.0.1").get(url, verify=ca_file, timeout=5)
    assert response.status_code == 204 and seen == [f"portal.test:{port}"]
    # The same address under another name: the certificate does not match, nothing is sent.
    other = f"https://other.test:{port}/"
    with pytest.raises(requests.exceptions.SSLError):
        pinned_session(other, "127.0.0.1").get(other, verify=ca_file, timeout=5)
    assert len(seen) == 1
