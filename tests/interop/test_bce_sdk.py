"""bce-python-sdk, the official BCE SDK and its bce-auth-v1 signer (`baidubce.auth.bce_v1_signer`).

Its service clients take the endpoint in `BceClientConfiguration(endpoint=…)`. Here the
SDK's own IAM client (`baidubce.services.iam.iam_client.IamClient`) fetches a bearer token
from the emulator's `/v1/BCE-BEARER/token`, signed as the SDK signs every request.
"""

import functools

import pytest
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials
from baidubce.bce_client_configuration import BceClientConfiguration
from baidubce.exception import BceHttpClientError, BceServerError
from baidubce.http import bce_http_client, handler, http_methods
from baidubce.retry.retry_policy import NoRetryPolicy
from baidubce.services.iam.iam_client import IamClient

ACCESS_KEY = "bce-sdk-access-key"
SECRET_KEY = "bce-sdk-secret-key"
QUERY = {b"expireInSeconds": b"3600"}


def sent_headers():
    # Not empty: the SDK replaces an empty dict with its own, and then we could not see the
    # Authorization it wrote. An `x-bce-*` header also joins the default signed set.
    return {b"x-bce-request-id": b"8d2e1c9a-interop"}


@pytest.fixture
def bce(emulator):
    emulator.register_bce_key(ACCESS_KEY, SECRET_KEY)
    return emulator


def iam_client(emulator, secret_key=SECRET_KEY):
    return IamClient(
        BceClientConfiguration(
            credentials=BceCredentials(ACCESS_KEY, secret_key),
            endpoint=emulator.base.encode(),
            retry_policy=NoRetryPolicy(),
        )
    )


def test_default_signing_with_an_empty_signed_headers_field(bce):
    headers = sent_headers()
    response = iam_client(bce)._send_iam_request(
        http_methods.GET, b"/BCE-BEARER/token", headers=headers, params=QUERY
    )
    # The SDK's default: no signedHeaders listed, `…/1800//<signature>`.
    auth = headers[b"Authorization"].decode()
    assert auth.split("/")[4] == "", auth
    assert response.token.startswith("bce-v3/ALTAK-")
    assert response.status == "enable"


def test_explicit_signed_headers(bce):
    sign = functools.partial(bce_v1_signer.sign, headers_to_sign={b"host", b"x-bce-date"})
    # No other `x-bce-*` header here: this SDK signs every one it sends even when it lists
    # only some (its `_get_canonical_headers`), which a verifier of the listed set refuses.
    headers = {b"Content-Type": b"application/json"}
    response = bce_http_client.send_request(
        iam_client(bce).config,
        sign,
        [handler.parse_error, handler.parse_json],
        http_methods.GET,
        b"/v1/BCE-BEARER/token",
        None,
        headers,
        QUERY,
    )
    signed = headers[b"Authorization"].decode().split("/")[4]
    assert sorted(signed.split(";")) == ["host", "x-bce-date"]
    assert response.token.startswith("bce-v3/ALTAK-")


def test_a_wrong_secret_key_is_signature_does_not_match(bce):
    with pytest.raises(BceHttpClientError) as err:
        iam_client(bce, secret_key="wrong-secret")._send_iam_request(
            http_methods.GET, b"/BCE-BEARER/token", params=QUERY
        )
    # The SDK wraps the server's error once it stops retrying.
    server = err.value.last_error
    assert isinstance(server, BceServerError)
    assert (server.status_code, server.code) == (400, "SignatureDoesNotMatch")
