"""The ``lotusx`` command line: ``lotusx demo``, ``exchanges``, ``book``, ``latency``, ``sim``."""

__all__: list[str] = []
