"""The guard every interop test relies on: nothing outside loopback is reachable."""

import socket

import pytest
import requests


@pytest.mark.outside_tried("aip.baidubce.com", "203.0.113.7")
def test_outside_addresses_are_refused_and_recorded(no_outside_network):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("https://aip.baidubce.com/oauth/2.0/token", timeout=5)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(ConnectionRefusedError):
        s.connect(("203.0.113.7", 443))
    s.close()
    assert no_outside_network == ["aip.baidubce.com", "203.0.113.7"]


def test_loopback_is_reachable(emulator):
    assert requests.get(f"{emulator.base}/_emulator/health", timeout=5).json()["ok"] is True
