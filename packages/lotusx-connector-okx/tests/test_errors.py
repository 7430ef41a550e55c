"""The one error table: envelope codes, item codes (sCode) and HTTP error bodies."""

from __future__ import annotations

import msgspec
import pytest

from lotusx.connectors.okx.errors import (
    ItemStatusWire,
    envelope_error,
    error_table,
    item_error,
    parse_error,
)
from lotusx.core.errors import (
    AuthenticationError,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidParameter,
    OrderNotFound,
    PostOnlyWouldTake,
    RateLimitExceeded,
    ReduceOnlyRejected,
    TimestampError,
)

TABLE = error_table()


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("50001", ExchangeUnavailable),
        ("50004", ExchangeUnavailable),
        ("50011", RateLimitExceeded),
        ("50061", RateLimitExceeded),
        ("50102", TimestampError),
        ("50111", AuthenticationError),
        ("50113", AuthenticationError),
        ("51000", InvalidParameter),
        ("51001", BadSymbol),
        ("51008", InsufficientFunds),
        ("51603", OrderNotFound),
        ("51400", OrderNotFound),
        ("51169", ReduceOnlyRejected),
        ("51511", PostOnlyWouldTake),
    ],
)
def test_codes_map_to_the_hierarchy(code: str, cls: type[ExchangeError]) -> None:
    error = envelope_error(TABLE, code, "text", b"[]", "trade.order")
    assert type(error) is cls
    assert error.code == code and error.exchange == "okx" and error.http_status == 200


def test_documented_error_envelope() -> None:
    body = b'{"code":"51000","msg":"Parameter {param0} error","data":[]}'
    assert parse_error(body) == ("51000", "Parameter {param0} error")
    error = TABLE.for_response(400, body, "trade.order")
    assert isinstance(error, InvalidParameter) and error.http_status == 400


def test_a_failed_single_operation_reports_its_item() -> None:
    data = b'[{"ordId":"","clOrdId":"x1","sCode":"51008","sMsg":"Insufficient balance"}]'
    error = envelope_error(TABLE, "1", "Operation failed.", data, "trade.order")
    assert isinstance(error, InsufficientFunds)
    assert (error.code, error.exchange_message) == ("51008", "Insufficient balance")
    body = b'{"code":"1","msg":"Operation failed.","data":' + data + b"}"
    assert parse_error(body) == ("51008", "Insufficient balance")


def test_a_partial_batch_keeps_the_top_level_code() -> None:
    data = b'[{"sCode":"0","ordId":"1"},{"sCode":"51008","sMsg":"no money"}]'
    error = envelope_error(TABLE, "2", "Bulk operation partially succeeded.", data, "batch")
    assert type(error) is ExchangeError and error.code == "2"


def test_batch_items_become_their_own_errors() -> None:
    items = msgspec.json.decode(
        b'[{"sCode":"51400","sMsg":"Cancellation failed"},{"sCode":"51001","sMsg":"x"}]',
        type=list[ItemStatusWire],
    )
    errors = [item_error(TABLE, i, "trade.cancel-batch-orders") for i in items]
    assert isinstance(errors[0], OrderNotFound) and isinstance(errors[1], BadSymbol)


def test_http_status_decides_unknown_codes() -> None:
    assert isinstance(TABLE.for_response(503, b"<html>", "x"), ExchangeUnavailable)
    throttled = TABLE.for_response(429, b'{"code":"50011","msg":"Too Many Requests"}', "x", "2")
    assert isinstance(throttled, RateLimitExceeded) and throttled.retry_after == 2.0
    unknown = envelope_error(TABLE, "59999", "new code", b"", "x")
    assert type(unknown) is ExchangeError and unknown.code == "59999"


def test_a_refused_post_only_is_read_from_its_message_when_the_code_is_unknown() -> None:
    error = envelope_error(
        TABLE, "1", "", b'[{"sCode":"51019","sMsg":"Post-only order would take liquidity"}]', "x"
    )
    assert isinstance(error, PostOnlyWouldTake) and error.code == "51019"
    known = envelope_error(TABLE, "51008", "post-only order would take liquidity", b"", "x")
    assert isinstance(known, InsufficientFunds)  # a known code is never overridden
