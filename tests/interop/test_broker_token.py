"""The other direction: a token `broker token` prints for a profile pointed at the emulator
is accepted by the emulator's token check (`/rest/2.0/xpan/nas?method=uinfo`) when a real
client sends it: bypy, given the token in its `bypy.json` as a user hands it over."""

import os
import subprocess
import sys

import pytest
from bypy import ByPy, const

from conftest import BROKER

bypy_module = sys.modules["bypy.bypy"]

APP_KEY = "broker-app-key"
SECRET = "broker-secret-key"


def broker(home, *args, stdin=None):
    out = subprocess.run(
        [BROKER, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8"},
    )
    assert out.returncode == 0, f"broker {args}: {out.stderr}"
    return out.stdout


def uinfo_through_bypy(emulator, tmp_path, token):
    configdir = tmp_path / "bypy"
    configdir.mkdir(exist_ok=True)
    (configdir / const.TokenFileName).write_text('{"access_token": "%s"}' % token)
    client = ByPy(configdir=str(configdir), apikey=APP_KEY, secretkey=SECRET, retry=1)
    answers = []

    def act(r, args):
        answers.append(r.json())
        return const.ENoError

    # bypy adds its access_token to the query itself (`addtoken`).
    client._get(f"{emulator.base}/rest/2.0/xpan/nas", {"method": "uinfo"}, act)
    return answers


@pytest.mark.outside_tried("raw.githubusercontent.com")
def test_a_token_broker_printed_passes_the_emulators_check(emulator, tmp_path, monkeypatch):
    monkeypatch.setattr(bypy_module, "ask", lambda msg, enter=True: pytest.fail(f"bypy asked: {msg}"))
    emulator.register_app(APP_KEY, SECRET)
    home = tmp_path / "home"
    home.mkdir()
    broker(home, "init")
    broker(
        home, "profile", "add", "nd", "--grant", "netdisk", "--app-key", APP_KEY,
        "--endpoint", emulator.base, stdin=SECRET,
    )
    broker(home, "login", "nd", "--code", "-", stdin=emulator.oob_code(APP_KEY))
    token = broker(home, "token", "nd").strip()
    assert token.startswith("121.")

    [answer] = uinfo_through_bypy(emulator, tmp_path, token)
    assert answer["errno"] == 0, answer
    assert answer["baidu_name"] == "emulator_user"

    # The check does tell: a token broker did not print fails it.
    [answer] = uinfo_through_bypy(emulator, tmp_path, "121." + token[4:][::-1])
    assert answer["errno"] == -6, answer
