"""The LotusX conformance kit: one pytest suite every connector runs against its simulated venue.

Each check calls a connector capability over the real wire protocol (the connector talks to a
`lotusx.sim.Venue` on loopback) and compares the answer with the venue's own truth, e.g. the order
the venue holds after `place_order`. Capabilities a connector does not declare are checked to
raise `NotSupportedError` instead.

Use it from any test module (our connectors' or a third party's)::

    from lotusx.core.testing import ConformanceSuite

    class TestMyExchange(ConformanceSuite):
        exchange = "myexchange"      # its entry-point name and its simulator dialect name

Requires ``lotusx-sim`` (``pip install "lotusx-core[testing]"``).
"""

from lotusx.core.testing.suite import ConformanceSuite, Target

__all__ = ["ConformanceSuite", "Target"]
