"""baidu-aip, the official AI Open Platform SDK (`from aip import AipNlp, AipOcr`).

Pointed at the emulator by its token URL, the private class attribute
`AipBase._AipBase__accessTokenUrl`, and at a recording stand-in by each API's URL
(`AipNlp._AipNlp__lexerUrl`, `AipOcr._AipOcr__generalBasicUrl`). The SDK uses a token only
when its scope lists `brain_all_scope` (`AipBase._isPermission`); otherwise it signs every
API request with the AppKey/SecretKey instead.
"""

import pytest
from aip import AipNlp, AipOcr
from aip.base import AipBase

APP_KEY = "aip-app-key"
SECRET = "aip-secret-key"


@pytest.fixture
def aip(emulator, ai_api, monkeypatch):
    emulator.register_app(APP_KEY, SECRET)
    monkeypatch.setattr(AipBase, "_AipBase__accessTokenUrl", f"{emulator.base}/oauth/2.0/token")
    monkeypatch.setattr(AipNlp, "_AipNlp__lexerUrl", f"{ai_api.base}/rpc/2.0/nlp/v1/lexer")
    monkeypatch.setattr(AipOcr, "_AipOcr__generalBasicUrl", f"{ai_api.base}/rest/2.0/ocr/v1/general_basic")
    return emulator


def test_aipnlp_gets_a_token_and_sends_it_as_access_token(aip, ai_api):
    client = AipNlp("10001", APP_KEY, SECRET)
    auth = client._auth()
    assert auth["access_token"].startswith("24."), auth
    assert "brain_all_scope" in auth["scope"].split(" ")
    assert client._isCloudUser is False, "the SDK did not accept the token's scope"

    assert client.lexer("百度是一家高科技公司") == {"log_id": 1234567890, "items": []}
    [sent] = ai_api.requests
    assert sent["path"] == "/rpc/2.0/nlp/v1/lexer"
    assert sent["query"]["access_token"] == auth["access_token"]
    assert "authorization" not in sent["headers"], "signed with AK/SK instead of the token"
    # One token request: the token is cached for the next call.
    client.lexer("again")
    counters = aip.counters()
    assert counters["grants"] == {"client_credentials": 1}
    # The SDK sends its SecretKey in the URL query (a GET).
    assert counters["secret_in_url"] == 1


def test_aipocr_uses_the_token_too(aip, ai_api):
    client = AipOcr("10002", APP_KEY, SECRET)
    client.basicGeneral(b"\x89PNG not really")
    [sent] = ai_api.requests
    assert sent["path"] == "/rest/2.0/ocr/v1/general_basic"
    assert sent["query"]["access_token"].startswith("24.")
    assert sent["query"]["aipSdk"] == "python"


def test_without_brain_all_scope_the_sdk_falls_back_to_signing(aip, ai_api):
    """What every client saw before the emulator's AI scope named brain_all_scope."""
    aip.register_app("narrow-app", "narrow-secret", scope="public wise_adapt")
    client = AipNlp("10003", "narrow-app", "narrow-secret")
    assert client._auth()["access_token"].startswith("24.")
    assert client._isCloudUser is True
    client.lexer("text")
    [sent] = ai_api.requests
    assert "access_token" not in sent["query"]
    assert sent["headers"]["authorization"].startswith("bce-auth-v1/narrow-app/")


def test_a_wrong_app_key_sees_baidus_error_body(aip):
    answer = AipNlp("10004", "no-such-key", SECRET)._auth()
    assert answer["error"] == "invalid_client"
    assert answer["error_description"] == "unknown client id"


def test_a_wrong_secret_key_sees_baidus_error_body(aip):
    answer = AipOcr("10005", APP_KEY, "wrong-secret")._auth()
    assert answer["error"] == "invalid_client"
    assert answer["error_description"] == "Client authentication failed"
