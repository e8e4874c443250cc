"""Which addresses the service may fetch from: IPv6 forms embedding IPv4 are judged by the IPv4 inside."""
import ipaddress

import pytest

from imagegraphics.addresses import embedded_ipv4, host_address, host_problem, non_public


def teredo(client: str, server: str = "65.54.227.120") -> str:
    """A Teredo address (2001::/32): server, flags and port, then the client obfuscated (XOR 0xffffffff)."""
    obfuscated = int(ipaddress.IPv4Address(client)) ^ 0xFFFFFFFF
    value = (0x20010000 << 96) | (int(ipaddress.IPv4Address(server)) << 64) | (0x8000_63bf << 32) | obfuscated
    return str(ipaddress.IPv6Address(value))


# Each form that embeds an IPv4 address, written around a given IPv4 address.
FORMS = {
    "mapped": lambda v4: f"::ffff:{v4}",
    "compatible": lambda v4: f"::{v4}",
    "nat64": lambda v4: f"64:ff9b::{v4}",
    "nat64 local": lambda v4: f"64:ff9b:1::{v4}",
    "6to4": lambda v4: str(ipaddress.IPv6Address((0x2002 << 112) | (int(ipaddress.IPv4Address(v4)) << 80) | 1)),
    "teredo": teredo,
}
PRIVATE_V4 = ["127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.0.1", "172.16.5.4", "100.64.0.1",
              "0.1.2.3", "224.0.0.1", "255.255.255.255"]
PUBLIC_V4 = ["8.8.8.8", "93.184.216.34"]


@pytest.mark.parametrize("form", FORMS, ids=FORMS.keys())
@pytest.mark.parametrize("v4", PRIVATE_V4 + PUBLIC_V4)
def test_each_form_unwraps_to_the_embedded_address(form, v4):
    assert embedded_ipv4(ipaddress.IPv6Address(FORMS[form](v4))) == ipaddress.IPv4Address(v4)


@pytest.mark.parametrize("form", FORMS, ids=FORMS.keys())
@pytest.mark.parametrize("v4", PRIVATE_V4)
def test_an_embedded_private_address_is_not_public(form, v4):
    address = ipaddress.ip_address(FORMS[form](v4))
    assert non_public(address) == f"{v4} (inside {address}) is not a public address"


@pytest.mark.parametrize("form", FORMS, ids=FORMS.keys())
@pytest.mark.parametrize("v4", PUBLIC_V4)
def test_an_embedded_public_address_is_public(form, v4):
    assert non_public(ipaddress.ip_address(FORMS[form](v4))) is None


@pytest.mark.parametrize("address", ["::1", "::", "fe80::1", "fc00::1", "ff02::1", "2001:db8::1", *PRIVATE_V4])
def test_plain_private_addresses_are_not_public(address):
    assert non_public(ipaddress.ip_address(address)) == f"{address} is not a public address"


@pytest.mark.parametrize("address", ["2606:4700:4700::1111", "2a00:1450:4001:80b::200e", *PUBLIC_V4])
def test_plain_public_addresses_are_public(address):
    assert non_public(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("host, address", [
    ("127.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("2130706433", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"), ("::ffff:7f00:1", "::ffff:7f00:1"), ("example.com", None), ("cafe", None),
])
def test_host_address_reads_every_literal_form_a_resolver_reads(host, address):
    assert host_address(host) == (ipaddress.ip_address(address) if address else None)


@pytest.mark.parametrize("host", ["localhost", "api.localhost", "localhost.", "127.1",
                                  "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "fe80::1%25eth0"])
def test_hosts_refused_before_any_lookup(host):
    assert host_problem(host)


@pytest.mark.parametrize("host", ["example.com", "8.8.8.8", "::ffff:8.8.8.8", "localhost.example.com"])
def test_hosts_left_to_the_fetcher(host):
    assert host_problem(host) is None
