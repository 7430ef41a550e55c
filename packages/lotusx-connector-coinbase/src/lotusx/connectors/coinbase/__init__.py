"""LotusX connector for Coinbase Advanced Trade: spot products of a Coinbase account."""

from lotusx.connectors.coinbase.connector import CoinbaseConnector

__all__ = ["CoinbaseConnector"]

__version__ = "0.1.0"
