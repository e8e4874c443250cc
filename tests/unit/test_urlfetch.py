"""fetch_https judges every DNS answer, unwrapping IPv6 forms that embed IPv4, before connecting."""
import socket

import pytest

from imagegraphics.errors import AssetMissing
from imagegraphics.service import urlfetch


def _answers(*addresses: str):
    def getaddrinfo(host, port, type=0):  # noqa: A002 - socket's own keyword
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port, 0, 0) if ":" in a else (a, port)) for a in addresses]
    return getaddrinfo


@pytest.fixture
def connections(monkeypatch):
    """Addresses the fetcher tried to connect to; each attempt fails, so nothing leaves the machine."""
    tried = []

    def create_connection(address, timeout=None):
        tried.append(address[0])
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(urlfetch.socket, "create_connection", create_connection)
    return tried


@pytest.mark.parametrize("answers, refused", [
    (["::ffff:127.0.0.1"], "127.0.0.1 (inside ::ffff:7f00:1)"),
    (["::a9fe:a9fe"], "169.254.169.254 (inside ::a9fe:a9fe)"),
    (["64:ff9b::a00:1"], "10.0.0.1 (inside 64:ff9b::a00:1)"),
    (["64:ff9b:1::c0a8:1"], "192.168.0.1 (inside 64:ff9b:1::c0a8:1)"),
    (["2002:a9fe:a9fe::1"], "169.254.169.254 (inside 2002:a9fe:a9fe::1)"),
    (["2001:0:4136:e378:8000:63bf:80ff:fffe"], "127.0.0.1 (inside 2001:0:4136:e378:8000:63bf:80ff:fffe)"),
    (["8.8.8.8", "fd00::1"], "fd00::1"),  # one private answer among public ones refuses the host
    (["10.0.0.5"], "10.0.0.5"),
])
def test_a_host_resolving_to_a_private_address_is_never_connected_to(monkeypatch, connections, answers, refused):
    monkeypatch.setattr(urlfetch.socket, "getaddrinfo", _answers(*answers))
    with pytest.raises(AssetMissing) as exc:
        urlfetch.fetch_https("https://images.example.com/logo.png", 1000)
    assert exc.value.status == 404
    assert exc.value.message == ("image_url 'https://images.example.com/logo.png' cannot be fetched: host "
                                 f"'images.example.com' resolves to {refused} is not a public address")
    assert connections == []


@pytest.mark.parametrize("answer, connected", [
    ("93.184.216.34", "93.184.216.34"), ("::ffff:93.184.216.34", "93.184.216.34"),
    ("64:ff9b::5db8:d822", "64:ff9b::5db8:d822"), ("2606:4700::1111", "2606:4700::1111")])
def test_a_host_resolving_to_public_addresses_is_connected_to_at_the_checked_address(monkeypatch, connections,
                                                                                    answer, connected):
    monkeypatch.setattr(urlfetch.socket, "getaddrinfo", _answers(answer))
    with pytest.raises(AssetMissing, match="ConnectionRefusedError"):
        urlfetch.fetch_https("https://images.example.com/logo.png", 1000)
    assert connections == [connected]


@pytest.mark.parametrize("url", ["https://example.com:99999/a.png", "https://[::1/a.png"])
def test_a_url_that_cannot_be_parsed_is_refused_not_raised(connections, url):
    with pytest.raises(AssetMissing, match="cannot be fetched"):
        urlfetch.fetch_https(url, 1000)
    assert connections == []
