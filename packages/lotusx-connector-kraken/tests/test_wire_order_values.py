"""A spot order object with impossible values is a typed error, never a plausible order
(found by the fault suite's order-body sweep)."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
import pytest

from lotusx.connectors.kraken import wire as w
from lotusx.core.errors import LotusXError
from lotusx.core.types import Symbol

ORDER: dict[str, Any] = {
    "status": "open", "opentm": 1796012643.346,
    "descr": {"pair": "XBTUSD", "type": "buy", "ordertype": "limit", "price": "58500.0"},
    "vol": "0.00005000", "vol_exec": "0.00000000", "price": "0", "cl_ord_id": "c1",
}  # fmt: skip


def _read(body: dict[str, Any]) -> Any:
    wire = msgspec.json.decode(msgspec.json.encode(body), type=w.SpotOrderWire)
    return w.spot_order("OX-1", wire, Symbol("BTC", "USD"))


def test_a_real_order_reads() -> None:
    order = _read(ORDER)
    assert (str(order.quantity), str(order.price), order.filled_quantity) == (
        "0.00005000", "58500.0", 0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "value"),
    [(("vol",), "-1"), (("vol",), "0"), (("vol_exec",), "-1"), (("descr", "price"), "0"),
     (("descr", "price"), "-1"), (("vol_exec",), None), (("descr", "price"), None)],
)  # fmt: skip
def test_impossible_values_are_refused(path: tuple[str, ...], value: str | None) -> None:
    body = copy.deepcopy(ORDER)
    holder = body
    for step in path[:-1]:
        holder = holder[step]
    if value is None:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    with pytest.raises((LotusXError, msgspec.ValidationError)):
        _read(body)
