"""Webhook URLs: the image_url guard at submit and again on the resolved addresses at delivery."""
from __future__ import annotations

import socket

import pytest

from imagegraphics.request.webhook import webhook_url_problem
from imagegraphics.service import webhook_http
from imagegraphics.settings import Settings


@pytest.mark.parametrize("url, rule", [
    ("http://hooks.example.com/x", "must be an https URL"),
    ("ftp://hooks.example.com/x", "must be an https URL"),
    ("https:///nohost", "with a host"),
    ("https://user:pw@hooks.example.com/", "credentials"),
    ("https://hooks.example.com:99999/", "not a valid URL"),
    ("https://127.0.0.1/", "127.0.0.1 is not a public address"),
    ("https://127.1/", "127.0.0.1 is not a public address"),
    ("https://2130706433/", "127.0.0.1 is not a public address"),
    ("https://0x7f000001/", "127.0.0.1 is not a public address"),
    ("https://localhost/", "loopback name"),
    ("https://api.localhost/", "loopback name"),
    ("https://10.0.0.1/", "10.0.0.1 is not a public address"),
    ("https://172.16.5.4/", "not a public address"),
    ("https://192.168.0.10/", "not a public address"),
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is not a public address"),
    ("https://[::1]/", "::1 is not a public address"),
    ("https://[fd00::1]/", "not a public address"),
    ("https://[::ffff:169.254.169.254]/", "169.254.169.254 (inside"),
    ("https://[64:ff9b::a9fe:a9fe]/", "169.254.169.254 (inside"),
    ("https://0.0.0.0/", "not a public address"),
    ("https://" + "a" * 2050 + ".com/", "at most 2048 characters"),
])
def test_non_public_and_non_https_urls_are_refused(url, rule):
    problem = webhook_url_problem(url)
    assert problem and rule in problem


def test_public_https_urls_pass():
    assert webhook_url_problem("https://hooks.example.com/imagegraphics?x=1") is None
    assert "not a public address" in webhook_url_problem("https://203.0.113.9/h")  # a documentation range
    assert webhook_url_problem("https://93.184.216.34/h") is None


def test_the_local_stack_allows_exactly_127_0_0_1_and_localhost():
    for url in ("http://127.0.0.1:9000/x", "http://localhost:9000/x", "https://localhost:8443/"):
        assert webhook_url_problem(url, loopback=True) is None
    for url in ("http://127.0.0.2:9000/", "http://[::1]:9000/", "http://10.0.0.1:9000/", "http://192.168.1.1/",
                "http://169.254.169.254/", "http://hooks.example.com/"):
        assert webhook_url_problem(url, loopback=True), url


def test_loopback_is_honoured_only_beside_a_local_aws_endpoint():
    assert Settings.from_env({"LOCAL_WEBHOOK_LOOPBACK": "1", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}).webhook_loopback
    assert not Settings.from_env({"LOCAL_WEBHOOK_LOOPBACK": "1"}).webhook_loopback
    assert not Settings.from_env({"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}).webhook_loopback


def _resolving_to(monkeypatch, address: str) -> list:
    connects = []
    monkeypatch.setattr(socket, "getaddrinfo",
                        lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))])
    def connect(*args, **kwargs):
        connects.append(args)
        raise ConnectionRefusedError("no network in the tests")

    monkeypatch.setattr(socket, "create_connection", connect)
    return connects


@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.1", "169.254.169.254", "100.64.0.1"])
def test_delivery_refuses_a_name_that_resolves_to_a_private_address_without_connecting(monkeypatch, address):
    connects = _resolving_to(monkeypatch, address)
    answer = webhook_http.post("https://hooks.example.com/x", b"{}", {})
    assert not answer.ok and answer.status is None and f"{address} is not a public address" in answer.error
    assert connects == []


def test_delivery_checks_the_url_rules_again(monkeypatch):
    connects = _resolving_to(monkeypatch, "93.184.216.34")
    answer = webhook_http.post("http://127.0.0.1:9/x", b"{}", {})  # not the local stack: refused
    assert answer.status is None and "https" in answer.error and connects == []


def test_delivery_connects_to_the_address_it_checked(monkeypatch):
    connects = _resolving_to(monkeypatch, "93.184.216.34")
    answer = webhook_http.post("https://hooks.example.com:8443/x", b"{}", {})
    assert connects and connects[0][0] == ("93.184.216.34", 8443)
    assert answer.status is None and "ConnectionRefusedError" in answer.error
