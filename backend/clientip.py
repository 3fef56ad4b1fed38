"""Which client a request comes from, for the per-IP rate limits.

The peer address is the TCP peer, or the client named in ``X-Forwarded-For`` when the peer is
one of the proxies listed in ``--forwarded-allow-ips`` (IPs or networks, comma-separated; ``*``
trusts every peer, for a server only a proxy can reach). `backend.app` installs uvicorn's
`ProxyHeadersMiddleware` for that list, which rewrites the ASGI ``client`` for those peers only,
taking the right-most address that is not itself a trusted proxy, so a client cannot prepend a
fake one. The app applies it itself, whatever server runs it, and the server's own proxy
handling is turned off (`backend.serving`), so the header is read exactly once.

`client_key` turns the address into a bucket key: an IPv4 address as is, an IPv4-mapped IPv6
address as its IPv4 address, any other IPv6 address as its /64, because one subscriber
usually gets a whole /64 (or more) and could otherwise take a fresh key per request.
"""

from __future__ import annotations

import ipaddress

from .logsafe import printable

IPV6_PREFIX = 64


def client_key(host: str | None) -> str:
    """The rate-limit key of a client address (see the module docstring)."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # Not an IP (a Unix socket path, or a trusted proxy forwarding junk): one bucket per
        # value, bounded in size.
        return printable(host, 64)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        prefix = int(address) >> (128 - IPV6_PREFIX) << (128 - IPV6_PREFIX)  # drops a %zone too
        return str(ipaddress.IPv6Network((prefix, IPV6_PREFIX)))
    return str(address)
