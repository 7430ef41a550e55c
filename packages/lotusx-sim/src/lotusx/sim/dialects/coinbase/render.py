"""Wire shapes: UUID-shaped ids, RFC 3339 times, orders and fills (numbers as strings)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from typing import Any

from lotusx.sim.core import VenueCore
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO, Fill, Order, OrderStatus, OrderType, Side

Json = dict[str, Any]
NS = uuid.UUID("6f1d3c2e-8a4b-4e5f-9c7d-0b1a2c3d4e5f")


def plain(value: Decimal) -> str:
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def rfc3339(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Ids:
    """Maps engine integers and ledger accounts onto Coinbase's UUIDs (reversibly for orders)."""

    def __init__(self, org: str, accounts: list[str]) -> None:
        digest = hashlib.sha256(org.encode()).digest()
        self.order_mask = int.from_bytes(digest[:16], "big")
        self.trade_mask = int.from_bytes(digest[16:], "big")
        self.user_id = str(uuid.uuid5(NS, f"{org}:user"))
        self.portfolios = {a: str(uuid.uuid5(NS, f"{org}:portfolio:{a}")) for a in accounts}
        self.by_portfolio = {v: k for k, v in self.portfolios.items()}
        self.clients: dict[str, int] = {}  # client_order_id -> engine order id (per user)

    def order(self, order_id: int) -> str:
        return str(uuid.UUID(int=order_id ^ self.order_mask))

    def order_int(self, text: str) -> int | None:
        try:
            return uuid.UUID(text).int ^ self.order_mask
        except ValueError:
            return None

    def trade(self, symbol_index: int, trade_id: int) -> str:
        return str(uuid.UUID(int=((symbol_index << 64) | trade_id) ^ self.trade_mask))

    def account(self, account: str, currency: str) -> str:
        return str(uuid.uuid5(NS, f"{self.portfolios[account]}:{currency}"))


def spec_of(core: VenueCore, o: Order) -> MarketSpec:
    return core.specs["spot"][o.symbol]


def status(o: Order) -> str:
    if o.status.is_open:
        return "OPEN"
    if o.status is OrderStatus.FILLED:
        return "FILLED"
    if o.status is OrderStatus.REJECTED:
        return "FAILED"
    if o.status is OrderStatus.EXPIRED and o.tags.get("cfg") == "limit_limit_gtd":
        return "EXPIRED"
    return "CANCELLED"


TIF = {
    "market_market_ioc": "IMMEDIATE_OR_CANCEL",
    "sor_limit_ioc": "IMMEDIATE_OR_CANCEL",
    "limit_limit_gtc": "GOOD_UNTIL_CANCELLED",
    "limit_limit_gtd": "GOOD_UNTIL_DATE_TIME",
    "limit_limit_fok": "FILL_OR_KILL",
    "market_market_fok": "FILL_OR_KILL",
}


def configuration(core: VenueCore, o: Order) -> Json:
    """The order's `order_configuration`, reflecting edits of price and size."""
    key = o.tags.get("cfg", "limit_limit_gtc")
    if key in ("market_market_ioc", "market_market_fok"):
        if o.tags.get("quote_size"):
            return {key: {"quote_size": o.tags["quote_size"]}}
        return {key: {"base_size": o.tags.get("base_size") or plain(o.orig_qty)}}
    body: Json = {"base_size": plain(o.orig_qty), "limit_price": plain(o.price or ZERO)}
    if key in ("limit_limit_gtc", "limit_limit_gtd"):
        body["post_only"] = o.post_only
    if key == "limit_limit_gtd":
        body["end_time"] = o.tags.get("end_time", "")
    return {key: body}


def order_fills(core: VenueCore, o: Order) -> list[Fill]:
    fills = core.engines["spot"].account_fills(o.account, o.symbol)
    return [f for f in fills if f.order_id == o.order_id]


def commission(f: Fill) -> Decimal:
    """The fill's fee in USD (Coinbase charges every fee in the quote currency)."""
    return f.fee if f.fee_asset == "USD" else (f.fee * f.price).quantize(Decimal("1e-8"))


def order_json(core: VenueCore, ids: Ids, o: Order) -> Json:
    fills = order_fills(core, o)
    fees = sum((commission(f) for f in fills), ZERO)
    filled_value = o.cum_quote
    target = o.quote_qty if o.quote_qty is not None else o.orig_qty
    done = o.cum_quote if o.quote_qty is not None else o.executed_qty
    in_quote = bool(o.tags.get("quote_size"))
    pct = (done / target * 100).quantize(Decimal("0.01")) if target else ZERO
    after = filled_value + fees if o.side is Side.BUY else filled_value - fees
    hold = o.reserved if o.status.is_open else ZERO
    return {
        "order_id": ids.order(o.order_id),
        "product_id": o.symbol,
        "user_id": ids.user_id,
        "order_configuration": configuration(core, o),
        "side": o.side.value,
        "client_order_id": o.client_id,
        "status": status(o),
        "time_in_force": TIF.get(o.tags.get("cfg", ""), "GOOD_UNTIL_CANCELLED"),
        "created_time": rfc3339(o.created_ms),
        "completion_percentage": plain(pct),
        "filled_size": plain(o.executed_qty),
        "average_filled_price": plain(o.avg_price),
        "fee": "",
        "number_of_fills": str(len(fills)),
        "filled_value": plain(filled_value),
        "pending_cancel": False,
        "size_in_quote": in_quote,
        "total_fees": plain(fees),
        "size_inclusive_of_fees": o.quote_qty is not None,
        "total_value_after_fees": plain(after),
        "trigger_status": "INVALID_ORDER_TYPE",
        "order_type": "MARKET" if o.type is OrderType.MARKET else "LIMIT",
        "reject_reason": "REJECT_REASON_UNSPECIFIED",
        "settled": not o.status.is_open,
        "product_type": "SPOT",
        "reject_message": "",
        "cancel_message": "",
        "order_placement_source": "RETAIL_ADVANCED",
        "outstanding_hold_amount": plain(hold),
        "is_liquidation": False,
        "last_fill_time": rfc3339(fills[-1].time_ms) if fills else None,
        "edit_history": [],
        "leverage": "",
        "margin_type": "UNKNOWN_MARGIN_TYPE",
        "retail_portfolio_id": ids.portfolios.get(o.account, ""),
    }


def fill_trade_id(core: VenueCore, ids: Ids, f: Fill) -> str:
    """A fill's trade id on the wire (engine trade ids count per product)."""
    return ids.trade(list(core.specs["spot"]).index(f.symbol), f.trade_id)


def fill_json(core: VenueCore, ids: Ids, f: Fill) -> Json:
    trade = fill_trade_id(core, ids, f)
    return {
        "entry_id": hashlib.sha256(f"{trade}:{f.order_id}".encode()).hexdigest(),
        "trade_id": trade,
        "order_id": ids.order(f.order_id),
        "trade_time": rfc3339(f.time_ms),
        "trade_type": "FILL",
        "price": plain(f.price),
        "size": plain(f.qty),
        "commission": plain(commission(f)),
        "product_id": f.symbol,
        "sequence_timestamp": rfc3339(f.time_ms),
        "liquidity_indicator": "MAKER" if f.is_maker else "TAKER",
        "size_in_quote": False,
        "user_id": ids.user_id,
        "side": f.side.value,
        "retail_portfolio_id": ids.portfolios.get(f.account, ""),
    }
