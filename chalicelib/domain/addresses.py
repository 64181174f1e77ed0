"""Which network addresses a webhook may reach: the server-side request forgery rules.

Pure: the caller resolves the host; this decides about each address it resolved to.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

# Cloud metadata services. The link-local rule covers AWS's IPv4 one; these are named so the
# refusal says what it is, and the others are not link-local at all.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure instance metadata
        "169.254.170.2",  # ECS task metadata
        "fd00:ec2::254",  # AWS IPv6 metadata
        "100.100.100.200",  # Alibaba Cloud metadata
        "168.63.129.16",  # Azure wire server
    )
)


# IPv6 ranges Python's ipaddress calls global that can still reach inside: 6to4 carries any IPv4
# address in its bits (2002:7f00:1:: is 127.0.0.1 through a relay), and site-local is the
# deprecated private range that some networks still route.
TUNNELLED_OR_SITE_LOCAL = (
    (ipaddress.ip_network("2002::/16"), "a 6to4 address"),
    (ipaddress.ip_network("fec0::/10"), "a site-local address"),
)
# Web servers listen on 443; any other port reaches services that were never meant for webhooks.
HTTPS_PORT = 443


def _named_range(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """The forbidden ranges Python's ipaddress does not single out itself."""
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    return next((reason for network, reason in TUNNELLED_OR_SITE_LOCAL if ip in network), None)


def forbidden_reason(address: str, *, allow_loopback: bool = False) -> str | None:
    """Why a webhook must not be sent to ``address``, or None when it is a public address."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    named = _named_range(ip)
    if named:
        return named
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "not a public address"
    return None


def url_problem(url: str, *, local: bool) -> str | None:
    """What is wrong with a callback URL before any lookup, or None.

    ``local`` (the local stack only) also allows plain http and any port, for receivers on loopback.
    """
    parts = urlsplit(url)
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        return "must use https"
    if parts.username or parts.password:
        return "must not carry credentials"
    if not parts.hostname:
        return "has no host"
    if not local and parts.port not in (None, HTTPS_PORT):
        return f"must use the https port {HTTPS_PORT}"
    return None
