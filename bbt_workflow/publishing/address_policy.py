"""Where endpoints may send: not to the app's own network (issue 16, finding 10).

An endpoint URL whose host is, or resolves to, a loopback, link-local, private, shared, reserved or
unspecified address (IPv4 or IPv6, IPv4-mapped included) is refused when saved and again for each send,
since DNS can change in between. A send resolves the host once (`checked_address`), checks every address
it got, and connects to exactly the one returned (pinned_http.py): the HTTP client never resolves the name
again, so a rebinding DNS answer (public to the check, private to the connection) cannot slip in.
An installation whose portal really is on the internal network sets ALLOW_PRIVATE_ENDPOINTS (config.py);
the test suite's receiver on 127.0.0.1 does.
"""
import ipaddress
import socket
from urllib.parse import urlsplit


class AddressRefused(Exception):
    """The host stands for an internal address (`address`, as text)."""

    def __init__(self, address):
        super().__init__(address)
        self.address = address


class Unresolvable(Exception):
    """The host's name does not resolve (now): nothing to connect to."""


def internal_address(url):
    """The first non-public address the URL's host stands for, as text; None when every address is
    public, or when the name does not resolve (then the send fails on its own)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    try:
        addresses = _addresses(host)
    except Unresolvable:
        return None
    return next((text for text, address in addresses if _internal(address)), None)


def checked_address(host, allow_private):
    """The address a send to `host` connects to: the host resolved once, every address it stands for
    checked (unless allow_private), the first one returned (the resolver's order of preference).
    Raises AddressRefused or Unresolvable."""
    addresses = _addresses(host)
    if not allow_private:
        for text, address in addresses:
            if _internal(address):
                raise AddressRefused(text)
    return addresses[0][0]


def _internal(address):
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _addresses(host):
    """[(address as text, ip_address)] of a host name or literal; raises Unresolvable when there is none."""
    literal = host.strip("[]")
    try:
        return [(literal, ipaddress.ip_address(literal.split("%", 1)[0]))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(str(exc)) from exc
    found = []
    for info in infos:
        text = str(info[4][0])
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            continue
        if text not in (t for t, _ in found):
            found.append((text, address))
    if not found:
        raise Unresolvable("no address")
    return found
