"""LotusX connector for Bybit v5: spot and linear perpetuals of a unified trading account."""

from lotusx.connectors.bybit.connector import BybitConnector

__all__ = ["BybitConnector"]

__version__ = "0.1.0"
