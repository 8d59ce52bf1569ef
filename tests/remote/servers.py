"""Servers on 127.0.0.1 for the tests of URLs: a local S3 (moto's server mode) and an HTTP
site that can cut a connection mid-body. Each is started by a fixture and stopped with it."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import logging
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """The endpoint of a local S3, for the tests of one module."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass
class Bucket:
    """A fresh bucket of the local S3, and how to fill it."""

    name: str
    endpoint: str
    client: Any

    def url(self, key: str = "") -> str:
        return f"s3://{self.name}/{key}"

    def put(self, key: str, body: bytes) -> str:
        self.client.put_object(Bucket=self.name, Key=key, Body=body)
        return self.url(key)

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def get(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return body


@pytest.fixture
def bucket(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """A new bucket; the AWS variables point every client (s3fs, Dask workers) at it."""
    import boto3
    import s3fs

    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    s3fs.S3FileSystem.clear_instance_cache()  # no listing cached by another test
    client = boto3.client("s3")
    name = f"crawl-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return Bucket(name, moto_endpoint, client)


@dataclass
class Site:
    """An HTTP site on 127.0.0.1: its pages, and how each is served."""

    base: str = ""
    pages: dict[str, bytes] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=dict)
    """Pages whose body is cut after half, this many more times (then served whole)."""
    stall: dict[str, int] = field(default_factory=dict)
    """Pages whose body stops after half, the connection left open, this many more times."""
    drip: set[str] = field(default_factory=set)
    """Pages whose body comes a byte every 50 ms: never silent, never done."""
    requests: list[str] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    """Set when the server stops: stalled answers then end."""

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"


@pytest.fixture
def site() -> Iterator[Site]:
    """An HTTP server (Python's http.server) of a :class:`Site`, stopped with the test."""
    served = Site()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

        def _answer(self, *, body: bool) -> None:
            path = self.path.lstrip("/").split("?", 1)[0]
            served.requests.append(f"{self.command} {path}")
            data = served.pages.get(path)
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not body:
                return
            if served.stall.get(path, 0) > 0:
                served.stall[path] -= 1
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                served.released.wait(60)  # silent: the rest never comes, the socket stays open
                self.close_connection = True
                return
            if path in served.drip:
                for byte in data:
                    if served.released.wait(0.05):
                        break
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                self.close_connection = True
                return
            if served.cut.get(path, 0) > 0:
                served.cut[path] -= 1
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True  # the rest never comes
                return
            self.wfile.write(data)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def dripping(endpoint: str, keys: set[str]) -> Iterator[str]:
    """A proxy on 127.0.0.1 in front of a local S3 whose answers to reads of ``keys`` come a
    byte every 50 ms (never silent, never done); yield its endpoint."""
    target = urllib.parse.urlsplit(endpoint)
    released = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            upstream = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
            upstream.request(self.command, self.path, body, dict(self.headers.items()))
            answer = upstream.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(name, value)
            length = answer.getheader("Content-Length") if self.command == "HEAD" else None
            self.send_header("Content-Length", length or str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            key = urllib.parse.unquote(self.path.split("?", 1)[0]).split("/", 2)[-1]
            drip = self.command == "GET" and key in keys
            with contextlib.suppress(OSError):  # the reader gave up
                for at in range(len(data)) if drip else ():
                    if released.wait(0.05):
                        return
                    self.wfile.write(data[at : at + 1])
                    self.wfile.flush()
                if not drip and self.command != "HEAD":
                    self.wfile.write(data)

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _forward

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
