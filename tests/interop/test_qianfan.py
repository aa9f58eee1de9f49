"""qianfan, the official Qianfan SDK: the v1 access token (`Auth`, AK/SK of an app) and the
v2 bearer token (`IAM.create_bearer_token`, a BCE access-key pair, signed bce-auth-v1).

Pointed at the emulator by its settings `BASE_URL` (v1 token) and `IAM_BASE_URL` (bearer
token), or the environment variables `QIANFAN_BASE_URL` and `QIANFAN_IAM_BASE_URL`.
"""

import pytest
import qianfan
from qianfan.errors import AuthError, RequestError
from qianfan.resources.auth.oauth import Auth
from qianfan.resources.console.iam import IAM

APP_KEY = "qianfan-app-key"
SECRET = "qianfan-secret-key"
ACCESS_KEY = "qianfan-access-key"
SECRET_KEY = "qianfan-bce-secret-key"


@pytest.fixture
def qf(emulator, monkeypatch):
    emulator.register_app(APP_KEY, SECRET)
    emulator.register_bce_key(ACCESS_KEY, SECRET_KEY)
    config = qianfan.get_config()
    monkeypatch.setattr(config, "BASE_URL", emulator.base)
    monkeypatch.setattr(config, "IAM_BASE_URL", emulator.base)
    return emulator


def test_v1_auth_gets_an_access_token(qf):
    token = Auth(ak=APP_KEY, sk=SECRET).access_token()
    assert token.startswith("24."), token
    counters = qf.counters()
    assert counters["grants"] == {"client_credentials": 1}
    # A POST, but with the SecretKey in the URL query.
    assert counters["secret_in_url"] == 1


def test_v1_auth_wrong_app_key(qf):
    with pytest.raises(AuthError, match=r"AK\(qianfa\*\*\*\) is not correct"):
        Auth(ak="qianfan-nope", sk=SECRET).access_token()


def test_v1_auth_wrong_secret_key(qf):
    with pytest.raises(AuthError, match=r"SK\(wrong-\*\*\*\) is not correct"):
        Auth(ak=APP_KEY, sk="wrong-secret").access_token()


def test_iam_bearer_token(qf):
    resp = IAM.create_bearer_token(expire_in_seconds=3600, ak=ACCESS_KEY, sk=SECRET_KEY)
    assert resp.body["token"].startswith("bce-v3/ALTAK-"), resp.body
    assert resp.body["status"] == "enable"


def test_iam_bearer_token_wrong_secret_key(qf):
    with pytest.raises(RequestError) as err:
        IAM.create_bearer_token(expire_in_seconds=3600, ak=ACCESS_KEY, sk="wrong-bce-secret")
    assert err.value.status_code == 400
    assert '"code":"SignatureDoesNotMatch"' in str(err.value)


def test_iam_bearer_token_unknown_access_key(qf):
    with pytest.raises(RequestError) as err:
        IAM.create_bearer_token(expire_in_seconds=3600, ak="no-such-ak", sk=SECRET_KEY)
    assert err.value.status_code == 403
    assert '"code":"InvalidAccessKeyId"' in str(err.value)
