"""A signed order round trip: place a resting limit buy far below the market, query, cancel."""

from __future__ import annotations

import contextlib
import time
from decimal import ROUND_CEILING, Decimal

from lotusx.cli.board import RoundTrip
from lotusx.core.capabilities import Capability
from lotusx.core.connector import Connector
from lotusx.core.errors import LotusXError
from lotusx.core.types import (
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)

__all__ = ["AWAY", "order_round_trip", "resting_buy"]

AWAY = Decimal("0.97")
"""The buy is priced 3% under the best bid: it rests, never fills in a demo's lifetime, and
stays inside the usual percent-price filters (e.g. Binance futures allow 5%)."""

_NOTIONAL_MARGIN = Decimal("1.2")


def resting_buy(inst: Instrument, best_bid: Decimal) -> OrderRequest:
    """The smallest valid post-only limit buy at ``AWAY`` × best bid on the instrument's grid."""
    price = inst.round_price(best_bid * AWAY, Side.BUY)
    quantity = inst.min_quantity
    if inst.min_notional is not None:
        quantity = max(quantity, inst.min_notional * _NOTIONAL_MARGIN / price)
    steps = (quantity / inst.lot_size).to_integral_value(rounding=ROUND_CEILING)
    quantity = (steps * inst.lot_size).quantize(inst.lot_size)
    request = OrderRequest(
        inst.symbol,
        Side.BUY,
        OrderType.LIMIT,
        quantity,
        price,
        time_in_force=TimeInForce.POST_ONLY,
    )
    inst.check_order(request)
    return request


async def order_round_trip(
    connector: Connector, inst: Instrument, best_bid: Decimal, trip: RoundTrip
) -> RoundTrip:
    """Fill in ``trip`` (timings in ms, result); a placed order is always cancelled."""
    placed: Order | None = None
    try:
        request = resting_buy(inst, best_bid)
        trip.price, trip.quantity = request.price, request.quantity
        start = time.perf_counter_ns()
        placed = await connector.place_order(request)
        t_placed = time.perf_counter_ns()
        trip.order_id = placed.order_id
        trip.place_ms = Decimal(t_placed - start) / 1_000_000
        t_queried = t_placed
        if connector.supports(Capability.GET_ORDER):
            queried = await connector.get_order(inst.symbol, order_id=placed.order_id)
            t_queried = time.perf_counter_ns()
            trip.query_ms = Decimal(t_queried - t_placed) / 1_000_000
            if queried.status is not OrderStatus.NEW:
                trip.detail = f"queried status {queried.status}"
        cancelled = await connector.cancel_order(inst.symbol, order_id=placed.order_id)
        t_done = time.perf_counter_ns()
        placed = None
        trip.cancel_ms = Decimal(t_done - t_queried) / 1_000_000
        trip.total_ms = Decimal(t_done - start) / 1_000_000
        if cancelled.status is OrderStatus.CANCELED and not trip.detail:
            trip.status = "ok"
        else:
            trip.status = "failed"
            trip.detail = trip.detail or f"cancel returned status {cancelled.status}"
    except LotusXError as exc:
        trip.status = "failed"
        trip.detail = f"{type(exc).__name__}: {exc}"
    finally:
        if placed is not None:  # best effort: never leave the demo's order resting
            with contextlib.suppress(LotusXError):
                await connector.cancel_order(inst.symbol, order_id=placed.order_id)
    return trip
