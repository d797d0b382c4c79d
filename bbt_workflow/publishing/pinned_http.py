"""HTTP sessions that connect to one checked address (issue 16, DNS rebinding).

requests (through urllib3) resolves a URL's host when it connects, after the address policy has
checked it: a rebinding DNS answer could give the check a public address and the connection a private
one. A pinned session is built for one host and the address the policy checked: the urllib3 pool is
opened on that address, while the URL's host stays what the receiver sees and what TLS checks:

- the pool key's host is the address, so urllib3 connects there and never looks the name up;
- `server_hostname` (a documented urllib3 pool setting) is the host: TLS SNI names it, and urllib3
  verifies the certificate against it (`assert_hostname` defaults to it);
- the Host header is the URL's host (http.client would otherwise write the address).

Only public requests.HTTPAdapter hooks are overridden (build_connection_pool_key_attributes and
add_headers, requests >= 2.32.2); nothing global (socket, urllib3) is patched. A request for any other
host through a pinned session is refused, so a followed redirect could not reach an unchecked host
either (the adapters do not follow redirects in the first place).
"""
import ipaddress
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter


class PinnedAdapter(HTTPAdapter):
    def __init__(self, host, address, **kwargs):
        self.host = host.lower()
        self.address = address
        super().__init__(**kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        if (urlsplit(request.url).hostname or "").lower() != self.host:
            raise requests.exceptions.InvalidURL(f"{request.url}: this session only sends to {self.host}",
                                                 request=request)
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params = {**host_params, "host": self.address}
        if host_params.get("scheme") == "https":
            # Part of urllib3's pool key: a pool (and its kept-alive connections) serves one name and address.
            pool_kwargs = {**pool_kwargs, "server_hostname": self.host}
        return host_params, pool_kwargs

    def add_headers(self, request, **kwargs):
        super().add_headers(request, **kwargs)
        request.headers["Host"] = urlsplit(request.url).netloc.rpartition("@")[2]


def pinned_session(url, address=None):
    """A session that sends to the host of `url` only, connecting to `address` (checked by the caller).
    Without an address the host must be an IP literal (then it is its own address): a name is never
    resolved here, where no policy would check the answer."""
    host = urlsplit(url).hostname
    if not host:
        raise ValueError(f"no host in {url!r}")
    if address is None:
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError:
            raise ValueError(f"{host} is a name: give the address the policy checked") from None
    session = requests.Session()
    session.trust_env = False  # no proxies (they would resolve the name themselves) nor .netrc credentials
    adapter = PinnedAdapter(host, address)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
