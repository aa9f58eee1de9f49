"""Shared fixtures of the interop suite: real Baidu clients against `broker emulator`.

Every client runs in this process, so the network guard below applies to all of them: a
connection or name lookup for anything but a loopback address is refused and recorded.
Each test then checks that its client tried nothing outside (or only what it is known to
try, see the `outside_tried` marker), which also proves that every URL the client uses
was pointed at the emulator.
"""

import ipaddress
import json
import os
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("BROKER_BIN") or str(ROOT / "target" / "debug" / "broker")

# --- the network guard --------------------------------------------------------------------

OUTSIDE_ATTEMPTS = []
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class OutsideNetworkRefused(ConnectionRefusedError):
    """What a client sees when it reaches for the outside network during the tests."""


def _is_loopback(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(host):
    host = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
    OUTSIDE_ATTEMPTS.append(host)
    raise OutsideNetworkRefused(f"interop tests: network access outside loopback refused: {host}")


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host):
        _refuse(host)
    return _real_getaddrinfo(host, *args, **kwargs)


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        _refuse(address[0])
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        _refuse(address[0])
    return _real_connect_ex(self, address)


# Installed at import, before any client module is imported, so even import-time network
# access is caught.
socket.getaddrinfo = _guarded_getaddrinfo
socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "outside_tried(*hosts): hosts this client is known to try to reach (refused by the guard)",
    )


@pytest.fixture(autouse=True)
def no_outside_network(request):
    """Fails a test whose client tried to reach a host outside loopback it was not known to."""
    OUTSIDE_ATTEMPTS.clear()
    yield OUTSIDE_ATTEMPTS
    marker = request.node.get_closest_marker("outside_tried")
    known = set(marker.args) if marker else set()
    unexpected = [h for h in OUTSIDE_ATTEMPTS if h not in known]
    assert not unexpected, f"the client tried the outside network: {unexpected}"


# --- the emulator ---------------------------------------------------------------------------


class Emulator:
    def __init__(self, base):
        self.base = base
        self.host = urlsplit(base).netloc

    def admin(self, method, path, body=None):
        r = requests.request(method, f"{self.base}/_emulator/{path}", json=body, timeout=10)
        assert r.status_code < 300, f"admin {method} {path}: {r.status_code} {r.text}"
        return r.json()

    def register_app(self, client_id, client_secret, **extra):
        return self.admin("POST", "apps", {"client_id": client_id, "client_secret": client_secret, **extra})

    def register_bce_key(self, access_key, secret_key):
        return self.admin("POST", "bce-keys", {"access_key": access_key, "secret_key": secret_key})

    def counters(self):
        return self.admin("GET", "counters")

    def oob_code(self, client_id, scope="basic,netdisk"):
        """What a person reads off the authorize page after approving (`redirect_uri=oob`)."""
        r = requests.get(
            f"{self.base}/oauth/2.0/authorize",
            params={"response_type": "code", "client_id": client_id, "redirect_uri": "oob", "scope": scope},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return code_on_page(r.text)


def code_on_page(html):
    start = html.index('<code id="code">') + len('<code id="code">')
    return html[start : html.index("</code>", start)]


@pytest.fixture
def emulator(tmp_path):
    """A `broker emulator` on a free loopback port, stopped after the test."""
    log = open(tmp_path / "emulator.log", "w")
    proc = subprocess.Popen(
        [BROKER, "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:"), f"broker emulator printed {base!r}"
        yield Emulator(base)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


# --- a stand-in for the AI APIs the emulator does not serve -----------------------------------


class RecordingApi:
    """A loopback HTTP server that records each request and answers `{"log_id": …}`: where an
    SDK's API URL (not its token URL) points, to see what the request carried."""

    def __init__(self):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                split = urlsplit(self.path)
                outer.requests.append(
                    {
                        "path": split.path,
                        "query": dict(parse_qsl(split.query, keep_blank_values=True)),
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                body = json.dumps({"log_id": 1234567890, "items": []}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ai_api():
    api = RecordingApi()
    yield api
    api.close()
