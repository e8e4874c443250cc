"""Which hosts the service may fetch from: globally routable unicast addresses only (no SSRF).

An IPv6 address can carry an IPv4 one that the network delivers to (IPv4-mapped and -compatible,
NAT64, 6to4, Teredo): such an address is judged by the IPv4 address inside, so `::ffff:127.0.0.1`
or `64:ff9b::a9fe:a9fe` (169.254.169.254) reach no loopback or metadata service.
Pure (stdlib only): the request model and the fetcher both judge with it.
"""
from __future__ import annotations

import ipaddress
import socket
from ipaddress import IPv4Address, IPv6Address

IPAddress = IPv4Address | IPv6Address

# Prefixes whose last 32 bits are an IPv4 address; ipaddress has properties for mapped, 6to4, Teredo.
_LAST_32_BITS = (
    ipaddress.ip_network("64:ff9b::/96"),    # NAT64 well-known prefix (RFC 6052)
    ipaddress.ip_network("64:ff9b:1::/48"),  # NAT64 local-use prefix (RFC 8215), in its /96 form
    ipaddress.ip_network("::/96"),           # IPv4-compatible ::a.b.c.d (RFC 4291, deprecated)
)


def embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address delivers to, if it is one of the forms that embed one."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]  # the client: ipaddress has already undone the XOR with 0xffffffff
    if ip.is_unspecified or ip.is_loopback:
        return None  # :: and ::1 are IPv6's own, though inside ::/96
    if any(ip in network for network in _LAST_32_BITS):
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def non_public(ip: IPAddress) -> str | None:
    """Why the service must not connect to `ip`, or None when it is a public unicast address."""
    inner = embedded_ipv4(ip) if isinstance(ip, IPv6Address) else None
    judged = inner or ip
    if judged.is_global and not judged.is_multicast:
        return None
    where = f"{judged} (inside {ip})" if inner else str(ip)
    return f"{where} is not a public address"


def host_address(host: str) -> IPAddress | None:
    """The address a URL's host names literally, or None for a name that DNS must resolve.

    Besides the usual forms, resolvers read the legacy IPv4 ones (`127.1`, `0x7f000001`,
    `2130706433`, octal parts) as addresses: inet_aton parses exactly those.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return IPv4Address(socket.inet_aton(host))
    except (OSError, UnicodeError, ValueError):
        return None


def host_problem(host: str) -> str | None:
    """Why a URL's host is refused before any DNS lookup, or None: a literal address that is not
    public, or `localhost` (always loopback, RFC 6761). Other names are judged once resolved."""
    if host.rstrip(".") == "localhost" or host.rstrip(".").endswith(".localhost"):
        return f"{host} is a loopback name"
    ip = host_address(host)
    return non_public(ip) if ip is not None else None
