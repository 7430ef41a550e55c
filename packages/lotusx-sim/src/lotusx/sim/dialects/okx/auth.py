"""OKX request authentication: OK-ACCESS-* headers, Base64 HMAC-SHA256, the 30 s window."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from lotusx.sim.dialects.okx.errors import OkxError

WINDOW_MS = 30_000
WS_VERIFY_PATH = "/users/self/verify"


@dataclass(frozen=True, slots=True)
class Credential:
    secret: str
    passphrase: str
    account: str
    demo: bool = False


def sign(secret: str, payload: str) -> str:
    """Base64(HMAC-SHA256(secret, payload)), the documented OKX signature."""
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def parse_iso_ms(text: str) -> int | None:
    """`2020-12-08T09:08:57.715Z` → epoch ms; None if malformed."""
    if not text.endswith("Z"):
        return None
    try:
        moment = dt.datetime.strptime(text[:-1], "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        return None
    return int(moment.replace(tzinfo=dt.UTC).timestamp() * 1000)


def _missing(header: str, code: str) -> OkxError:
    return OkxError(code, f'Request header "{header}" can not be empty.', 401)


def authenticate(
    headers: Mapping[str, str],
    method: str,
    request_path: str,
    body: str,
    keys: Mapping[str, Credential],
    now: int,
) -> Credential:
    """Check a private REST request; return its credential or raise the documented error."""
    key = headers.get("OK-ACCESS-KEY", "")
    passphrase = headers.get("OK-ACCESS-PASSPHRASE", "")
    signature = headers.get("OK-ACCESS-SIGN", "")
    stamp = headers.get("OK-ACCESS-TIMESTAMP", "")
    if not key:
        raise _missing("OK-ACCESS-KEY", "50103")
    if not passphrase:
        raise _missing("OK-ACCESS-PASSPHRASE", "50104")
    if not signature:
        raise _missing("OK-ACCESS-SIGN", "50106")
    if not stamp:
        raise _missing("OK-ACCESS-TIMESTAMP", "50107")
    ts = parse_iso_ms(stamp)
    if ts is None:
        raise OkxError("50112", "Invalid OK-ACCESS-TIMESTAMP", 401)
    if abs(now - ts) > WINDOW_MS:
        raise OkxError("50102", "Timestamp request expired", 401)
    cred = keys.get(key)
    if cred is None:
        raise OkxError("50111", "Invalid OK-ACCESS-KEY", 401)
    if not hmac.compare_digest(passphrase, cred.passphrase):
        raise OkxError("50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect.', 401)
    demo = headers.get("x-simulated-trading", "") == "1"
    if demo != cred.demo:
        raise OkxError("50101", "APIKey does not match current environment.", 401)
    expected = sign(cred.secret, stamp + method.upper() + request_path + body)
    if not hmac.compare_digest(expected, signature):
        raise OkxError("50113", "Invalid Sign", 401)
    return cred


def ws_login(
    args: Mapping[str, object], keys: Mapping[str, Credential], now: int
) -> tuple[Credential | None, str, str]:
    """Check a WS login arg: (credential, code, msg); code "0" on success."""
    key, passphrase = str(args.get("apiKey", "")), str(args.get("passphrase", ""))
    stamp, signature = str(args.get("timestamp", "")), str(args.get("sign", ""))
    if not (key and passphrase and stamp and signature):
        return None, "60012", "Invalid request: missing login parameters"
    try:
        seconds = float(stamp)
    except ValueError:
        return None, "60004", "Invalid timestamp"
    if abs(now - seconds * 1000) > WINDOW_MS:
        return None, "60006", "Timestamp request expired"
    cred = keys.get(key)
    if cred is None:
        return None, "60005", "Invalid OK-ACCESS-KEY"
    if not hmac.compare_digest(passphrase, cred.passphrase):
        return None, "60024", "Wrong passphrase"
    if not hmac.compare_digest(sign(cred.secret, stamp + "GET" + WS_VERIFY_PATH), signature):
        return None, "60007", "Invalid sign"
    return cred, "0", ""
