"""LotusX connector for Binance Spot and USDⓈ-M perpetual futures."""

from lotusx.connectors.binance.connector import BinanceConnector

__all__ = ["BinanceConnector"]

__version__ = "0.1.0"
