"""Where endpoints may send: not to the app's own network (issue 16, finding 10).

An endpoint URL whose host is, or resolves to, a loopback, link-local, private, shared, reserved or
unspecified address (IPv4 or IPv6, IPv4-mapped included) is refused when saved and again just before
each send, since DNS can change in between. An installation whose portal really is on the internal
network sets ALLOW_PRIVATE_ENDPOINTS (config.py); the test suite's receiver on 127.0.0.1 does.
"""
import ipaddress
import socket
from urllib.parse import urlsplit


def internal_address(url):
    """The first non-public address the URL's host stands for, as text; None when every address is
    public, or when the name does not resolve (then the send fails on its own)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    for address in _addresses(host):
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return str(address)
    return None


def _addresses(host):
    try:
        return [ipaddress.ip_address(host.split("%", 1)[0])]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    found = []
    for info in infos:
        try:
            found.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return found
