"""One URL check for image_url and webhook.url, at submit and when the URL is used: the host read
as the resolver reads it, then the address rules; URLs that could never be called are refused."""
from __future__ import annotations

import pytest

from imagegraphics.request import parse_request
from imagegraphics.request.types import RequestLimits
from imagegraphics.service import urlfetch, webhook_http
from imagegraphics.urlcheck import UrlProblem, check_url

ASSET = "a" * 32


@pytest.mark.parametrize("url", [
    "https://①②⑦.0.0.1/h",  # circled digits
    "https://127。0。0。1/h",  # ideographic full stops
    "https://１２７.０.０.１/h",  # full-width digits
    "https://１２７。０。０。１/h",
    "https://ＬＯＣＡＬＨＯＳＴ/h",
    "https://①⑥⑨.②⑤④.①⑥⑨.②⑤④/latest/meta-data",
])
def test_hosts_that_resolve_to_a_non_public_address_are_refused_however_they_are_written(url):
    with pytest.raises(UrlProblem, match="public host"):
        check_url(url)


@pytest.mark.parametrize("url, rule", [
    ("https://example.com:0/h", "port from 1 to 65535"),
    ("https://example.com:65536/h", "not a valid URL"),
    ("https://example.com:-1/h", "not a valid URL"),
    ("https://exa mple.com/h", "spaces or control characters"),
    ("https://example.com/a\r\nX-Injected: 1", "spaces or control characters"),
    ("https://example.com/a\tb", "spaces or control characters"),
    ("https://example.com/\u3000", "spaces or control characters"),
    ("https://exa_mple.com/h", "not a valid name"),
    ("https://-example.com/h", "not a valid name"),
    ("https://example..com/h", "not a valid name"),
    ("https://" + "a" * 64 + ".com/h", "not a valid name"),
    ("https://ex{a}mple.com/h", "not a valid name"),
    ("https://user:pw@example.com/h", "credentials"),
    ("http://example.com/h", "https URL"),
    ("https:///h", "with a host"),
])
def test_urls_that_could_never_be_called_are_refused_as_written(url, rule):
    with pytest.raises(UrlProblem, match=rule):
        check_url(url)


def test_a_valid_url_is_handed_on_as_it_will_be_used():
    checked = check_url("https://Bücher.Example/p?q=1")
    assert (checked.scheme, checked.host, checked.port, checked.target) == ("https", "xn--bcher-kva.example", 443,
                                                                           "/p?q=1")
    assert check_url("https://example.com:8443").target == "/"
    assert check_url("https://[2606:4700::1111]/x").host == "2606:4700::1111"


def _request(webhook: str | None = None, image_url: str | None = None) -> dict:
    graphic = {"type": "image", "options": {"image_url": image_url or "https://example.com/logo.png"}}
    body = {"assets": [{ASSET: {"options": {}}}], "operations": [{"graphics_add": {"graphics": [graphic]}}]}
    if webhook:
        body["webhook"] = {"url": webhook}
    return body


@pytest.mark.parametrize("url", ["https://①②⑦.0.0.1/h", "https://example.com:0/h", "https://exa mple.com/h",
                                 "https://example.com/a\r\nb", "https://ex{a}mple.com/h"])
def test_submit_refuses_them_at_the_field_for_webhooks_and_graphics_alike(url):
    from imagegraphics.errors import InvalidRequest

    for body, loc in ((_request(webhook=url), ["webhook", "url"]),
                      (_request(image_url=url), ["operations", 0, "graphics_add", "graphics", 0, "options",
                                                 "image_url"])):
        with pytest.raises(InvalidRequest) as refused:
            parse_request(body, RequestLimits())
        assert [e["loc"] for e in refused.value.errors] == [loc], refused.value.errors


def test_delivery_and_fetching_refuse_them_too_without_a_lookup(monkeypatch):
    looked_up = []
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: looked_up.append(a) or [])
    answer = webhook_http.post("https://①②⑦.0.0.1/h", b"{}", {})
    assert answer.status is None and "public host" in answer.error
    from imagegraphics.errors import AssetMissing

    with pytest.raises(AssetMissing, match="public host"):
        urlfetch.fetch_https("https://１２７.０.０.１/logo.png", 1000)
    assert looked_up == []


def test_delivery_resolves_and_names_the_normalised_host(monkeypatch):
    asked = []

    def resolve(host, port, *args, **kwargs):
        asked.append((host, port))
        return [(2, 1, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr("socket.getaddrinfo", resolve)
    monkeypatch.setattr("socket.create_connection", lambda *a, **k: (_ for _ in ()).throw(ConnectionRefusedError()))
    webhook_http.post("https://HOOKS.Bücher.Example:8443/x", b"{}", {})
    assert asked == [("hooks.xn--bcher-kva.example", 8443)]
