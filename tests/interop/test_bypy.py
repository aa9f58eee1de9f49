"""bypy, a popular Baidu Netdisk command-line client, driven in-process.

bypy has no setting for Baidu's address: its URLs are module constants in `bypy.const`
(`ServerAuthUrl`, `DeviceAuthUrl`, `TokenUrl`, all built from `OpenApiUrl`), patched here
to the emulator. It asks the person at the terminal through `bypy.bypy.ask`, replaced here
by a stand-in that does what the person would: approve in the "browser" (the emulator's
authorize page or admin API) and answer. bypy keeps its token in `<configdir>/bypy.json`.
At start it also checks for a newer version on raw.githubusercontent.com (refused here).
"""

import re
import sys

import pytest
import requests
from bypy import ByPy, const

from conftest import code_on_page

bypy_module = sys.modules["bypy.bypy"]

APP_KEY = "bypy-app-key"
SECRET = "bypy-secret-key"

pytestmark = pytest.mark.outside_tried("raw.githubusercontent.com")


@pytest.fixture
def netdisk(emulator, tmp_path, monkeypatch):
    emulator.register_app(APP_KEY, SECRET)
    for name, path in [
        ("ServerAuthUrl", "/oauth/2.0/authorize"),
        ("DeviceAuthUrl", "/oauth/2.0/device/code"),
        ("TokenUrl", "/oauth/2.0/token"),
    ]:
        monkeypatch.setattr(const, name, emulator.base + path)
    # bypy moves files about in ~/.bypy before anything else; keep it in the test's folder.
    home = tmp_path / "home"
    for name, path in [
        ("ConfigDir", home / ".bypy"),
        ("TokenFilePath", home / ".bypy" / "bypy.json"),
        ("PicklePath", home / ".bypy" / "bypy.pickle"),
        ("OldTokenFilePath", home / ".bypy.json"),
        ("OldPicklePath", home / ".bypy.pickle"),
        ("OldByPyCertsPath", home / ".bypy" / "bypy.cacerts.pem"),
    ]:
        monkeypatch.setattr(const, name, str(path))
    monkeypatch.setattr(bypy_module, "ask", lambda msg, enter=True: pytest.fail(f"bypy asked: {msg}"))
    return emulator


def person_reads_the_code(monkeypatch):
    """`ask` as a person answers the auth-code prompt: open the URL shown, approve, paste."""
    asked = []

    def ask(msg, enter=True):
        asked.append(msg)
        url = re.search(r"(http://\S+/oauth/2\.0/authorize\?\S+)", msg).group(1)
        page = requests.get(url, timeout=10)
        assert page.status_code == 200, page.text
        return code_on_page(page.text)

    monkeypatch.setattr(bypy_module, "ask", ask)
    return asked


def logged_in_bypy(netdisk, tmp_path, monkeypatch):
    asked = person_reads_the_code(monkeypatch)
    client = ByPy(configdir=str(tmp_path / "bypy"), apikey=APP_KEY, secretkey=SECRET, retry=1)
    assert len(asked) == 1, "bypy did not ask for an authorization code"
    return client


def test_auth_code_oob(netdisk, tmp_path, monkeypatch):
    client = logged_in_bypy(netdisk, tmp_path, monkeypatch)
    assert client._access_token.startswith("121.")
    assert client._json["refresh_token"].startswith("122.")
    assert client._json["scope"] == "basic netdisk"
    # Saved for its next run.
    stored = const.TokenFileName
    assert (tmp_path / "bypy" / stored).exists()
    counters = netdisk.counters()
    assert counters["grants"] == {"authorization_code": 1}
    # bypy sends every parameter in the URL query, the code and SecretKey included.
    assert counters["secret_in_url"] == 1


def test_refresh_and_reuse_of_a_spent_refresh_token(netdisk, tmp_path, monkeypatch):
    client = logged_in_bypy(netdisk, tmp_path, monkeypatch)
    first = dict(client._json)
    assert client.refreshtoken() == const.ENoError
    assert client._access_token.startswith("121.") and client._access_token != first["access_token"]
    assert client._json["refresh_token"] != first["refresh_token"]

    # Another copy of bypy still holding the spent refresh token (e.g. an old bypy.json).
    client._json = first
    assert client.refreshtoken() != const.ENoError
    answer = client.response.json()
    assert client.response.status_code == 400
    assert answer["error"] == "expired_token", answer
    assert netdisk.counters()["refresh_reuse"] == 1


def test_device_flow(netdisk, tmp_path, monkeypatch):
    # bypy 1.8.9 has the device flow (`_device_auth`) but no command that starts it.
    client = logged_in_bypy(netdisk, tmp_path, monkeypatch)
    shown = []

    def ask(msg, enter=True):
        shown.append(msg)
        user_code = re.search(r"Input the CODE: (\S+)", msg).group(1)
        assert f"{netdisk.base}/device" in msg
        netdisk.admin("POST", "devices/approve", {"user_code": user_code})
        return ""

    monkeypatch.setattr(bypy_module, "ask", ask)
    before = client._access_token
    assert client._device_auth() == const.ENoError
    assert len(shown) == 1
    assert client._access_token.startswith("121.") and client._access_token != before
    assert [d["status"] for d in netdisk.admin("GET", "devices")] == ["used"]
