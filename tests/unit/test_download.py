"""An asset's url is fetched with the image_url check on every hop: private ranges, IPv6 forms that
embed them, names resolving to them and redirects to them are refused before any connection."""
from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from imagegraphics.service import download as dl
from imagegraphics.service import urlfetch

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


_getaddrinfo = socket.getaddrinfo


def _answers(*addresses: str):
    def getaddrinfo(host, port, *args, **kwargs):
        if host == "127.0.0.1":  # the test's own server
            return _getaddrinfo(host, port, *args, **kwargs)
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


@pytest.mark.parametrize("url, why", [
    ("http://images.example.com/a.png", "must be an https URL"),
    ("https://10.0.0.1/a.png", "10.0.0.1 is not a public address"),
    ("https://192.168.1.20/a.png", "192.168.1.20 is not a public address"),
    ("https://169.254.169.254/latest/meta-data", "169.254.169.254 is not a public address"),
    ("https://127.1/a.png", "127.0.0.1 is not a public address"),
    ("https://0x7f000001/a.png", "127.0.0.1 is not a public address"),
    ("https://[::1]/a.png", "::1 is not a public address"),
    ("https://[::ffff:10.0.0.1]/a.png", "10.0.0.1 (inside ::ffff:a00:1) is not a public address"),
    ("https://[64:ff9b::a9fe:a9fe]/a.png", "169.254.169.254 (inside 64:ff9b::a9fe:a9fe) is not a public address"),
    ("https://[fd00::1]/a.png", "fd00::1 is not a public address"),
    ("https://１２７.０.０.１/a.png", "127.0.0.1 is not a public address"),
    ("https://user:pw@images.example.com/a.png", "must not carry credentials"),
])
def test_urls_of_private_or_malformed_hosts_are_refused_before_connecting(connections, url, why):
    with pytest.raises(dl.FetchRefused) as exc:
        dl.download(url, 1000, 5)
    assert str(exc.value).startswith("the URL ") and why in str(exc.value)
    assert connections == []


@pytest.mark.parametrize("answers, refused", [
    (["10.1.2.3"], "10.1.2.3"), (["::ffff:127.0.0.1"], "127.0.0.1 (inside ::ffff:7f00:1)"),
    (["93.184.216.34", "fd12::1"], "fd12::1")])
def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(monkeypatch, connections,
                                                                           answers, refused):
    monkeypatch.setattr(urlfetch.socket, "getaddrinfo", _answers(*answers))
    with pytest.raises(dl.FetchRefused) as exc:
        dl.download("https://cdn.example.com/a.png", 1000, 5)
    assert f"resolves to {refused} is not a public address" in str(exc.value)
    assert connections == []


def test_a_public_name_is_connected_to_at_the_address_checked(monkeypatch, connections):
    monkeypatch.setattr(urlfetch.socket, "getaddrinfo", _answers("93.184.216.34"))
    with pytest.raises(dl.FetchRefused, match="could not be fetched: ConnectionRefusedError"):
        dl.download("https://cdn.example.com/a.png", 1000, 5)
    assert connections == ["93.184.216.34"]


class _Server:
    """A server on 127.0.0.1 (the local stack's allowance) answering from a table of paths."""

    def __init__(self, routes):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                outer.seen.append(self.path)
                status, headers, body = routes[self.path] if self.path in routes else (404, {}, b"")
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if callable(body):
                    body(self.wfile)
                else:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.seen = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    made = []

    def start(routes):
        made.append(_Server(routes))
        return made[-1]

    yield start
    for s in made:
        s.close()


def test_the_image_is_fetched_and_redirects_within_the_allowance_are_followed(server):
    s = server({"/a": (302, {"Location": "/b"}, b""), "/b": (200, {"Content-Type": "image/png"}, PNG)})
    fetched = dl.download(f"{s.url}/a", 1000, 5, loopback=True)
    assert fetched.data == PNG and fetched.url == f"{s.url}/b" and s.seen == ["/a", "/b"]


@pytest.mark.parametrize("location, why", [
    ("https://10.0.0.1/x.png", "10.0.0.1 is not a public address"),
    ("https://[::ffff:169.254.169.254]/x", "169.254.169.254 (inside ::ffff:a9fe:a9fe) is not a public address"),
    ("http://internal.example.com/x.png", "must be an https URL"),
    ("file:///etc/passwd", "must be an absolute https URL with a host"),
])
def test_a_redirect_to_a_host_that_is_not_public_is_refused_without_following_it(server, monkeypatch, location,
                                                                                  why):
    s = server({"/a": (301, {"Location": location}, b"")})
    resolved = []
    monkeypatch.setattr(urlfetch, "public_addresses", lambda host, port: resolved.append(host) or ["93.184.216.34"])
    with pytest.raises(dl.FetchRefused) as exc:
        dl.download(f"{s.url}/a", 1000, 5, loopback=True)
    assert str(exc.value).startswith(f"the URL redirected to {location!r}, which") and why in str(exc.value)
    assert resolved == [] and s.seen == ["/a"]  # the target was neither resolved nor contacted


def test_a_redirect_to_a_name_resolving_to_a_private_address_is_refused(server, monkeypatch):
    s = server({"/a": (307, {"Location": "https://assets.example.com/x.png"}, b"")})
    monkeypatch.setattr(urlfetch.socket, "getaddrinfo", _answers("10.9.8.7"))
    with pytest.raises(dl.FetchRefused, match="resolves to 10.9.8.7 is not a public address"):
        dl.download(f"{s.url}/a", 1000, 5, loopback=True)


def test_a_redirect_loop_ends_after_the_most_redirects(server):
    s = server({"/a": (302, {"Location": "/a"}, b"")})
    with pytest.raises(dl.FetchRefused, match=f"redirected more than {dl.MAX_REDIRECTS} times"):
        dl.download(f"{s.url}/a", 1000, 5, loopback=True)
    assert len(s.seen) == dl.MAX_REDIRECTS + 1


@pytest.mark.parametrize("routes, why", [
    ({}, "the URL answered 404"),
    ({"/a": (500, {}, b"oops")}, "the URL answered 500"),
    ({"/a": (200, {}, PNG * 100)}, "larger than 1000 bytes, the upload limit"),  # by Content-Length
    ({"/a": (200, {"Content-Length": "10"}, PNG)}, None),  # a short answer is read as declared
])
def test_answers_that_give_no_image_say_why(server, routes, why):
    s = server(routes)
    if why is None:
        assert dl.download(f"{s.url}/a", 1000, 5, loopback=True).data == PNG[:10]
        return
    with pytest.raises(dl.FetchRefused) as exc:
        dl.download(f"{s.url}/a", 1000, 5, loopback=True)
    assert str(exc.value) == why


def test_a_body_past_the_limit_is_refused_while_reading_without_a_length(server):
    def stream(out):
        for _ in range(50):
            out.write(b"x" * 100)

    s = server({"/a": (200, {"Content-Length": ""}, stream)})
    with pytest.raises(dl.FetchRefused, match="larger than 1000 bytes"):
        dl.download(f"{s.url}/a", 1000, 5, loopback=True)


def test_a_server_trickling_its_body_costs_one_deadline(server):
    def trickle(out):
        for _ in range(40):
            out.write(b"x")
            out.flush()
            time.sleep(0.1)

    s = server({"/a": (200, {"Content-Length": "40"}, trickle)})
    started = time.monotonic()
    with pytest.raises(dl.FetchRefused, match="no complete answer within 1 s"):
        dl.download(f"{s.url}/a", 1000, 1, loopback=True)
    assert time.monotonic() - started < 2.5


def test_without_the_local_allowance_a_loopback_server_is_never_contacted(server):
    s = server({"/a": (200, {}, PNG)})
    with pytest.raises(dl.FetchRefused, match="must be an https URL"):
        dl.download(f"{s.url}/a", 1000, 5)
    assert s.seen == []
