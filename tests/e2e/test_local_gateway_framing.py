"""HTTP framing at the local gateway, with exact bytes: chunked bodies, Content-Length, methods,
keep-alive and requests hidden in bodies. Every refusal is a JSON error, never HTML or silence."""
from __future__ import annotations

import json

import pytest

from tests.e2e.rawhttp import RawConnection
from tests.e2e.standin import standin_stack

pytestmark = pytest.mark.e2e

AUTH = "Authorization: Bearer good\r\n"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with standin_stack(tmp_path_factory.mktemp("framing")) as running:
        yield running


def _post_open(headers: str, body: bytes = b"", version: str = "HTTP/1.1") -> bytes:
    """A POST to the stand-in's echo route (no authorizer), with exactly these header lines."""
    return f"POST /open {version}\r\nHost: local\r\n{headers}\r\n".encode() + body


def _echoed(response) -> bytes:
    assert response.status == 201, response.body
    seen = response.json()
    return (seen["body"] or "").encode()


def _assert_refused(conn: RawConnection, status: int, loc_head: str, words: str):
    """A JSON error naming the field, then the connection closed: the rest of the bytes are never a request."""
    response = conn.response()
    assert response.status == status, response.body
    body = response.json()
    assert body["message"] and body["errors"][0]["loc"][0] == loc_head, body
    assert words in body["errors"][0]["msg"], body
    assert response.headers["connection"] == "close"
    assert conn.closed()


# ------------------------------------------------------------------------------------------ chunked

@pytest.mark.parametrize("chunks, expected", [
    (b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", b"hello world"),
    (b"A\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),  # upper-case hex
    (b"5;name=value\r\nhello\r\n1 ; a ; b=\"q;x\"\r\n!\r\n0;last\r\n\r\n", b"hello!"),  # extensions
    (b"3\r\nabc\r\n0\r\nX-Trailer: 1\r\nX-Other: two\r\n\r\n", b"abc"),  # trailers are dropped
    (b"0\r\n\r\n", b""),
])
def test_chunked_bodies_reach_the_handler_decoded(stack, chunks, expected):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open("Transfer-Encoding: chunked\r\n", chunks))
        assert _echoed(conn.response()) == expected
        # The connection stays in step: a second request on it is answered normally.
        conn.send(_post_open("Content-Length: 2\r\n", b"ok"))
        assert _echoed(conn.response()) == b"ok"


@pytest.mark.parametrize("chunks, words", [
    (b"zz\r\nhello\r\n0\r\n\r\n", "malformed chunk size"),
    (b"-5\r\nhello\r\n0\r\n\r\n", "malformed chunk size"),
    (b"0x5\r\nhello\r\n0\r\n\r\n", "malformed chunk size"),
    (b" 5\r\nhello\r\n0\r\n\r\n", "malformed chunk size"),
    (b"5;=bad\r\nhello\r\n0\r\n\r\n", "malformed chunk size"),
    (b"3\r\nhello\r\n0\r\n\r\n", "longer than its size"),
    (b"5\nhello\n0\n\n", "without CR LF"),
    (b"3\r\nabc\r\n0\r\nnot a trailer\r\n\r\n", "malformed trailer"),
])
def test_malformed_chunking_is_a_json_400_and_the_connection_closes(stack, chunks, words):
    smuggled = b"GET /things/special HTTP/1.1\r\n" + AUTH.encode() + b"\r\n"
    with RawConnection(stack.url) as conn:
        conn.send(_post_open("Transfer-Encoding: chunked\r\n", chunks + smuggled))
        _assert_refused(conn, 400, "body", words)


@pytest.mark.parametrize("chunks", [b"5\r\nhel", b"5\r\nhello\r\n", b"5\r\nhello\r\n0\r\n"])
def test_chunked_body_cut_short_is_a_json_400(stack, chunks):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open("Transfer-Encoding: chunked\r\n", chunks), end_writes=True)
        _assert_refused(conn, 400, "body", "connection ended")


@pytest.mark.parametrize("headers, words", [
    ("Transfer-Encoding: gzip, chunked\r\n", "only the 'chunked'"),
    ("Transfer-Encoding: chunked, chunked\r\n", "only the 'chunked'"),
    ("Transfer-Encoding: identity\r\n", "only the 'chunked'"),
    ("Transfer-Encoding: xchunked\r\n", "only the 'chunked'"),
    ("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", "both Transfer-Encoding and Content-Length"),
    ("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", "both Transfer-Encoding and Content-Length"),
])
def test_ambiguous_transfer_encoding_is_refused(stack, headers, words):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open(headers, b"0\r\n\r\n"))
        _assert_refused(conn, 400, "headers", words)


def test_transfer_encoding_in_http_1_0_is_refused(stack):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open("Transfer-Encoding: chunked\r\n", b"0\r\n\r\n", version="HTTP/1.0"))
        _assert_refused(conn, 400, "headers", "HTTP/1.0")


# ----------------------------------------------------------------------------------- Content-Length

@pytest.mark.parametrize("value", ["-5", "abc", "5.0", "+5", "0x5", "", "5, 6", "1e3"])
def test_invalid_content_length_is_a_json_400(stack, value):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open(f"Content-Length: {value}\r\n", b"hello"))
        _assert_refused(conn, 400, "headers", "Content-Length")


def test_two_conflicting_content_lengths_are_refused(stack):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open("Content-Length: 5\r\nContent-Length: 6\r\n", b"hello!"))
        _assert_refused(conn, 400, "headers", "conflicting Content-Length")


def test_repeated_identical_content_length_is_one_length(stack):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open("Content-Length: 5\r\nContent-Length: 5\r\n", b"hello"))
        assert _echoed(conn.response()) == b"hello"


def test_content_length_beyond_the_body_then_close_is_a_json_400(stack):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open("Content-Length: 100\r\n", b"only ten.."), end_writes=True)
        _assert_refused(conn, 400, "body", "after 10 of 100 body bytes")


def test_content_length_above_the_limit_is_a_json_413(stack):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open(f"Content-Length: {10 ** 12}\r\n", b"x"))
        _assert_refused(conn, 413, "headers", "at most")


@pytest.mark.parametrize("line", [
    "Content-Length : 5\r\n",  # space before the colon
    "Bad Name: 1\r\n",
    "NoColon\r\n",
    "X-Folded: a\r\n folded\r\n",
    "Transfer-Encoding:\r\n chunked\r\n",
])
def test_malformed_header_lines_are_a_json_400(stack, line):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open(f"{line}Content-Length: 5\r\n", b"hello"))
        _assert_refused(conn, 400, "headers", "")


# ------------------------------------------------------------------------------------------ methods

ROUTES = [("/things/abc", "GET"), ("/things/special", "GET"), ("/open", "POST")]


@pytest.mark.parametrize("method, path, allowed", [
    (method, path, allowed) for method in ("TRACE", "FOO", "PATCH", "DELETE", "POST", "GET")
    for path, allowed in ROUTES if method != allowed])
def test_a_method_the_route_lacks_is_a_json_405_with_allow(stack, method, path, allowed):
    with RawConnection(stack.url) as conn:
        conn.send(f"{method} {path} HTTP/1.1\r\nHost: local\r\nContent-Length: 0\r\n{AUTH}\r\n".encode())
        response = conn.response()
        assert response.status == 405, response.body
        assert response.headers["allow"] == allowed
        error = response.json()["errors"][0]
        assert error["loc"] == ["method"] and method in error["msg"] and allowed in error["msg"]
        assert conn.silent()  # a routing refusal keeps the connection: the framing was fine


@pytest.mark.parametrize("method", ["TRACE", "FOO", "PATCH", "GET", "POST"])
@pytest.mark.parametrize("path", ["/nowhere", "/things", "/things/a/b", "*"])
def test_off_route_is_a_json_404(stack, method, path):
    with RawConnection(stack.url) as conn:
        conn.send(f"{method} {path} HTTP/1.1\r\nHost: local\r\nContent-Length: 0\r\n{AUTH}\r\n".encode())
        response = conn.response()
        assert response.status == 404, response.body
        assert response.json()["errors"][0]["loc"] == ["path"]


@pytest.mark.parametrize("request_line, status", [
    (b"HELLO\r\n", 400),  # one word
    (b"GET /open HTTP/1.1 extra\r\n", 400),
    (b"G(T /open HTTP/1.1\r\n", 400),  # not a method token
    (b"GET /open HTTP/x.y\r\n", 400),
    (b"GET /open HTTP/2.0\r\n", 400),  # HTTP/2 does not come as a text request line
    (b"GET /open HTTP/3.1\r\n", 400),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n", 414),
])
def test_malformed_request_lines_are_json_errors(stack, request_line, status):
    with RawConnection(stack.url) as conn:
        conn.send(request_line + b"Host: local\r\n\r\n")
        response = conn.response()
        assert response.status == status
        assert response.json()["message"]
        assert conn.closed()


def test_too_many_headers_is_a_json_431(stack):
    headers = "".join(f"X-H{i}: {i}\r\n" for i in range(150))
    with RawConnection(stack.url) as conn:
        conn.send(_post_open(headers))
        response = conn.response()
        assert response.status == 431 and response.json()["message"]


# -------------------------------------------------------------------------- keep-alive and smuggling

def test_a_request_inside_a_body_is_body_not_a_second_response(stack):
    hidden = b"GET /things/special HTTP/1.1\r\nHost: local\r\n" + AUTH.encode() + b"\r\n"
    with RawConnection(stack.url) as conn:
        conn.send(_post_open(f"Content-Length: {len(hidden)}\r\n", hidden))
        assert _echoed(conn.response()) == hidden
        assert conn.silent()
        chunked = f"{len(hidden):x}\r\n".encode() + hidden + b"\r\n0\r\n\r\n"
        conn.send(_post_open("Transfer-Encoding: chunked\r\n", chunked))
        assert _echoed(conn.response()) == hidden
        assert conn.silent()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "FOO", "get"])
def test_a_body_sent_without_its_length_is_never_a_second_request(stack, method):
    # No Content-Length and no chunking: the request has no body (RFC 9112 §6.3); the bytes after
    # it were meant as one, so the answer closes the connection instead of parsing them as a request.
    hidden = b"GET /things/special HTTP/1.1\r\nHost: local\r\n" + AUTH.encode() + b"\r\n"
    with RawConnection(stack.url) as conn:
        conn.send(f"{method} /open HTTP/1.1\r\nHost: local\r\n\r\n".encode() + hidden)
        response = conn.response()
        assert response.headers["connection"] == "close"
        assert conn.closed()


@pytest.mark.parametrize("blank", [b"\r\n", b"\r\n\r\n", b"\n"])
def test_empty_lines_before_a_request_line_are_ignored(stack, blank):
    with RawConnection(stack.url) as conn:
        conn.send(blank + f"GET /things/special HTTP/1.1\r\nHost: local\r\n{AUTH}\r\n".encode())
        assert conn.response().json()["resource"] == "/things/special"


def test_a_get_without_a_body_keeps_the_connection(stack):
    with RawConnection(stack.url) as conn:
        conn.send(f"GET /things/special HTTP/1.1\r\nHost: local\r\n{AUTH}\r\n".encode())
        assert conn.response().json()["resource"] == "/things/special"
        assert not conn.closed(wait=0.5)


def test_content_length_with_transfer_encoding_smuggles_nothing(stack):
    # A front end reading Content-Length and a back end reading chunked would disagree about where
    # this request ends; the gateway refuses it, so nothing after it is read as a request.
    hidden = b"GET /things/special HTTP/1.1\r\nHost: local\r\n" + AUTH.encode() + b"\r\n"
    body = b"0\r\n\r\n" + hidden
    with RawConnection(stack.url) as conn:
        conn.send(_post_open(f"Content-Length: {len(body)}\r\nTransfer-Encoding: chunked\r\n", body))
        _assert_refused(conn, 400, "headers", "both")


def test_pipelined_requests_are_answered_in_order_on_one_connection(stack):
    first = _post_open("Content-Length: 5\r\n", b"first")
    second = f"GET /things/special HTTP/1.1\r\nHost: local\r\n{AUTH}\r\n".encode()
    third = _post_open("Transfer-Encoding: chunked\r\n", b"5\r\nthird\r\n0\r\n\r\n")
    with RawConnection(stack.url) as conn:
        conn.send(first + second + third)
        assert _echoed(conn.response()) == b"first"
        assert conn.response().json()["resource"] == "/things/special"
        assert _echoed(conn.response()) == b"third"
        assert conn.silent()


@pytest.mark.parametrize("version, connection, closes", [
    ("HTTP/1.1", "", False),
    ("HTTP/1.1", "Connection: close\r\n", True),
    ("HTTP/1.0", "", True),
    ("HTTP/1.0", "Connection: keep-alive\r\n", False),
])
def test_keep_alive_follows_the_version_and_connection_header(stack, version, connection, closes):
    with RawConnection(stack.url) as conn:
        conn.send(_post_open(f"{connection}Content-Length: 2\r\n", b"hi", version=version))
        assert _echoed(conn.response()) == b"hi"
        assert conn.closed(wait=0.5) is closes


def test_head_answers_headers_only(stack):
    with RawConnection(stack.url) as conn:
        conn.send(f"HEAD /nowhere HTTP/1.1\r\nHost: local\r\n\r\n".encode())
        response = conn.response(head=True)
        assert response.status == 404 and int(response.headers["content-length"]) > 0
        assert conn.silent()  # no body bytes followed the head
        conn.send(_post_open("Content-Length: 2\r\n", b"ok"))
        assert json.loads(conn.response().body)["body"] == "ok"
