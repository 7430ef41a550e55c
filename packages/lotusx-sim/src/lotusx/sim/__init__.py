"""lotusx.sim: simulated exchanges speaking their real wire protocols."""

from lotusx.sim.dialect import Dialect, DialectOptions, register
from lotusx.sim.faults import FaultInjector
from lotusx.sim.ratelimit import RateLimitRule
from lotusx.sim.venue import Venue
from lotusx.sim.view import BookSnapshot, VenueView

__all__ = [
    "BookSnapshot",
    "Dialect",
    "DialectOptions",
    "FaultInjector",
    "RateLimitRule",
    "Venue",
    "VenueView",
    "register",
]
