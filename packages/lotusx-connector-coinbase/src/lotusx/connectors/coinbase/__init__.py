"""LotusX connector for Coinbase Advanced Trade: spot products of a Coinbase account."""

from lotusx.connectors.coinbase.connector import CoinbaseConnector
from lotusx.connectors.coinbase.errors import ClientOrderIdReused

__all__ = ["ClientOrderIdReused", "CoinbaseConnector"]

__version__ = "0.1.0"
