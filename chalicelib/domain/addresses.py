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


def forbidden_reason(address: str, *, allow_loopback: bool = False) -> str | None:
    """Why a webhook must not be sent to ``address``, or None when it is a public address."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "not a public address"
    return None


def url_problem(url: str, *, allow_plain_http: bool) -> str | None:
    """What is wrong with a callback URL before any lookup, or None."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (allow_plain_http and parts.scheme == "http"):
        return "must use https"
    if parts.username or parts.password:
        return "must not carry credentials"
    if not parts.hostname:
        return "has no host"
    return None
