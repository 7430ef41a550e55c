"""LotusX core: one typed, fast, observable API over many crypto exchanges."""

from lotusx.core.capabilities import Capability
from lotusx.core.connector import Connector
from lotusx.core.registry import available, connect
from lotusx.core.types import (
    AmendRequest,
    MarketKind,
    OrderRequest,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

__all__ = [
    "AmendRequest",
    "Capability",
    "Connector",
    "MarketKind",
    "OrderRequest",
    "OrderType",
    "Side",
    "Symbol",
    "TimeInForce",
    "available",
    "connect",
]

__version__ = "0.1.0"
