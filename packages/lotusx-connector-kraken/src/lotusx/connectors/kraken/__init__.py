"""LotusX connector for Kraken Spot and Kraken Futures linear perpetuals."""

from lotusx.connectors.kraken.connector import KrakenConnector

__all__ = ["KrakenConnector"]

__version__ = "0.1.0"
