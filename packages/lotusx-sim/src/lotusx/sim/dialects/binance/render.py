"""JSON shapes of Binance orders and trades (decimals as strings, ids and times as numbers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO, Fill, Order, OrderType

Json = dict[str, Any]


def f8(value: Decimal) -> str:
    return f"{value:.8f}"


def fp(value: Decimal, places: int) -> str:
    return f"{value:.{places}f}"


def spot_type(order: Order) -> str:
    return order.tags.get("type", order.type.value)


def futures_tif(order: Order) -> str:
    return order.tags.get("tif", order.tif.value)


# ----------------------------------------------------------------- spot
def spot_order(o: Order) -> Json:
    """The order object of GET order / openOrders / allOrders."""
    return {
        "symbol": o.symbol,
        "orderId": o.order_id,
        "orderListId": -1,
        "clientOrderId": o.client_id,
        "price": f8(o.price or ZERO),
        "origQty": f8(o.orig_qty),
        "executedQty": f8(o.executed_qty),
        "cummulativeQuoteQty": f8(o.cum_quote),
        "status": o.status.value,
        "timeInForce": o.tif.value,
        "type": spot_type(o),
        "side": o.side.value,
        "stopPrice": f8(ZERO),
        "icebergQty": f8(ZERO),
        "time": o.created_ms,
        "updateTime": o.updated_ms,
        "isWorking": True,
        "workingTime": o.working_ms,
        "origQuoteOrderQty": f8(o.quote_qty or ZERO),
        "selfTradePreventionMode": "NONE",
    }


def spot_cancel(o: Order, cancel_client_id: str, now: int) -> Json:
    """The cancel shape (DELETE order, DELETE openOrders items, cancelReplace)."""
    return {
        "symbol": o.symbol,
        "origClientOrderId": o.client_id,
        "orderId": o.order_id,
        "orderListId": -1,
        "clientOrderId": cancel_client_id,
        "transactTime": now,
        "price": f8(o.price or ZERO),
        "origQty": f8(o.orig_qty),
        "executedQty": f8(o.executed_qty),
        "origQuoteOrderQty": f8(o.quote_qty or ZERO),
        "cummulativeQuoteQty": f8(o.cum_quote),
        "status": o.status.value,
        "timeInForce": o.tif.value,
        "type": spot_type(o),
        "side": o.side.value,
        "selfTradePreventionMode": "NONE",
    }


def spot_new(o: Order, resp_type: str, fills: list[Fill]) -> Json:
    """POST /api/v3/order reply in ACK, RESULT or FULL form."""
    out: Json = {
        "symbol": o.symbol,
        "orderId": o.order_id,
        "orderListId": -1,
        "clientOrderId": o.client_id,
        "transactTime": o.created_ms,
    }
    if resp_type == "ACK":
        return out
    out.update(
        {
            "price": f8(o.price or ZERO),
            "origQty": f8(o.orig_qty),
            "executedQty": f8(o.executed_qty),
            "origQuoteOrderQty": f8(o.quote_qty or ZERO),
            "cummulativeQuoteQty": f8(o.cum_quote),
            "status": o.status.value,
            "timeInForce": o.tif.value,
            "type": spot_type(o),
            "side": o.side.value,
            "workingTime": o.working_ms,
            "selfTradePreventionMode": "NONE",
        }
    )
    if resp_type == "FULL":
        out["fills"] = [
            {
                "price": f8(f.price),
                "qty": f8(f.qty),
                "commission": f8(f.fee),
                "commissionAsset": f.fee_asset,
                "tradeId": f.trade_id,
            }
            for f in fills
        ]
    return out


def spot_my_trade(f: Fill) -> Json:
    return {
        "symbol": f.symbol,
        "id": f.trade_id,
        "orderId": f.order_id,
        "orderListId": -1,
        "price": f8(f.price),
        "qty": f8(f.qty),
        "quoteQty": f8(f.quote_qty),
        "commission": f8(f.fee),
        "commissionAsset": f.fee_asset,
        "time": f.time_ms,
        "isBuyer": f.side.value == "BUY",
        "isMaker": f.is_maker,
        "isBestMatch": True,
    }


# ----------------------------------------------------------------- futures
def futures_order(o: Order, spec: MarketSpec, with_time: bool = False) -> Json:
    """The USDⓈ-M order object (POST / DELETE / PUT / GET)."""
    pp, qp = spec.price_decimals, spec.qty_decimals
    otype = o.type.value
    out: Json = {
        "clientOrderId": o.client_id,
        "cumQty": fp(o.executed_qty, qp),
        "cumQuote": fp(o.cum_quote, 8),
        "executedQty": fp(o.executed_qty, qp),
        "orderId": o.order_id,
        "avgPrice": fp(o.avg_price, max(pp, 5)),
        "origQty": fp(o.orig_qty, qp),
        "price": fp(o.price or ZERO, pp),
        "reduceOnly": o.reduce_only,
        "side": o.side.value,
        "positionSide": "BOTH",
        "status": o.status.value,
        "stopPrice": fp(ZERO, pp),
        "closePosition": False,
        "symbol": o.symbol,
        "timeInForce": futures_tif(o),
        "type": otype,
        "origType": otype,
        "updateTime": o.updated_ms,
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE",
        "goodTillDate": 0,
    }
    if with_time:
        out["time"] = o.created_ms
    return out


def futures_trade(f: Fill, spec: MarketSpec) -> Json:
    return {
        "buyer": f.side.value == "BUY",
        "commission": f8(f.fee),
        "commissionAsset": f.fee_asset,
        "id": f.trade_id,
        "maker": f.is_maker,
        "orderId": f.order_id,
        "price": fp(f.price, spec.price_decimals),
        "qty": fp(f.qty, spec.qty_decimals),
        "quoteQty": f8(f.quote_qty),
        "realizedPnl": f8(f.realized_pnl),
        "side": f.side.value,
        "positionSide": "BOTH",
        "symbol": f.symbol,
        "time": f.time_ms,
    }


def is_market(o: Order) -> bool:
    return o.type is OrderType.MARKET
