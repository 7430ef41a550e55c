"""LotusX connector for OKX v5: spot and linear perpetual swaps."""

from lotusx.connectors.okx.connector import OkxConnector

__all__ = ["OkxConnector"]

__version__ = "0.1.0"
