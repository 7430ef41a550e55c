"""Spot order arguments (AddOrder and batch entries) validated into engine requests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lotusx.sim.dialects.kraken.errors import SpotError, invalid
from lotusx.sim.dialects.kraken.markets import Pair
from lotusx.sim.dialects.kraken.params import Params
from lotusx.sim.engine import OrderRequest
from lotusx.sim.model import OrderType, Rejected, RejectReason, Side, TimeInForce

OFLAGS = frozenset({"post", "fcib", "fciq", "nompp", "viqc"})
CL_ORD_ID_MAX = 36
TIF = {
    "GTC": TimeInForce.GTC,
    "GTD": TimeInForce.GTC,
    "IOC": TimeInForce.IOC,
    "FOK": TimeInForce.FOK,
}


@dataclass(frozen=True, slots=True)
class SpotOrder:
    """A validated order: the engine request plus the tags the wire shows later."""

    request: OrderRequest
    tags: dict[str, str]
    fee_currency: str | None = None


def parse_expiry(raw: str | None, now_ms: int) -> int:
    """`expiretm`: a unix time, or `+<seconds>` from now; returns unix seconds."""
    if raw is None:
        raise invalid("expiretm")
    try:
        value = Decimal(raw[1:]) if raw.startswith("+") else Decimal(raw)
    except ArithmeticError:
        raise invalid("expiretm") from None
    at = int(now_ms // 1000 + value) if raw.startswith("+") else int(value)
    if at <= now_ms // 1000:
        raise invalid("expiretm")
    return at


def build(params: Params, pair: Pair, account: str, now_ms: int) -> SpotOrder:
    """Check one order's arguments as AddOrder documents them."""
    spec = pair.spec
    side_raw = params.req("type")
    if side_raw not in ("buy", "sell"):
        raise invalid("type")
    side = Side.BUY if side_raw == "buy" else Side.SELL
    kind_raw = params.req("ordertype")
    if kind_raw not in ("limit", "market"):
        raise invalid("ordertype")
    kind = OrderType.LIMIT if kind_raw == "limit" else OrderType.MARKET
    volume = params.decimal("volume")
    assert volume is not None
    flags = set(params.listed("oflags"))
    if not flags <= OFLAGS:
        raise invalid("oflags")
    post = "post" in flags
    if {"fcib", "fciq"} <= flags:
        raise invalid("oflags")
    fee_currency = "base" if "fcib" in flags else "quote" if "fciq" in flags else None
    if post and kind is OrderType.MARKET:
        raise invalid("oflags")
    price: Decimal | None = None
    if kind is OrderType.LIMIT:
        price = params.decimal("price")
        assert price is not None
        if price <= 0 or not spec.on_tick(price):
            raise SpotError("EOrder:Invalid price")
    quote_qty = None
    if "viqc" in flags:
        if kind is not OrderType.MARKET or side is not Side.BUY:
            raise invalid("oflags")
        quote_qty = volume
        volume = spec.max_qty
    elif not spec.on_lot(volume) or volume <= 0:
        raise invalid("volume")
    elif volume < spec.min_qty:
        raise SpotError("EOrder:Order minimum not met")
    if price is not None and price * volume < spec.min_notional:
        raise SpotError("EOrder:Cost minimum not met")
    tif_raw = params.opt("timeinforce") or "GTC"
    if tif_raw not in ("GTC", "IOC", "GTD", "FOK"):  # FOK: since 12 May 2026 (changelog)
        raise invalid("timeinforce")
    tags: dict[str, str] = {}
    if tif_raw == "GTD":
        if kind is OrderType.MARKET:
            raise invalid("timeinforce")
        tags["expiretm"] = str(parse_expiry(params.opt("expiretm"), now_ms))
    if tif_raw in ("IOC", "FOK") and post:
        raise invalid("timeinforce")
    cl_ord_id = params.opt("cl_ord_id")
    userref = params.integer("userref", None)
    if cl_ord_id is not None and (userref is not None or len(cl_ord_id) > CL_ORD_ID_MAX):
        raise invalid("cl_ord_id")
    if userref is not None:
        if not -(2**31) <= userref < 2**31:
            raise invalid("userref")
        tags["userref"] = str(userref)
    request = OrderRequest(
        account,
        pair.key,
        side,
        kind,
        volume,
        price,
        TIF.get(tif_raw, TimeInForce.GTC),
        cl_ord_id,
        post_only=post,
        quote_qty=quote_qty,
        cancel_crossing_post_only=True,
    )
    return SpotOrder(request, tags, fee_currency)


def refusal(exc: Rejected) -> SpotError:
    return SpotError(
        {
            RejectReason.INSUFFICIENT_BALANCE: "EOrder:Insufficient funds",
            RejectReason.DUPLICATE_CLIENT_ID: "EOrder:Duplicate cl_ord_id",
            RejectReason.POST_ONLY_WOULD_TAKE: "EOrder:Post only order",
            RejectReason.UNKNOWN_ORDER: "EOrder:Unknown order",
            RejectReason.NO_LIQUIDITY: "EOrder:Insufficient liquidity",
            RejectReason.INVALID_AMEND: "EGeneral:Invalid arguments:order_qty",
            RejectReason.REDUCE_ONLY_REJECTED: "EOrder:Reduce only:Non-PC",
        }[exc.reason]
    )
