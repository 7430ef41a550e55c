"""Dead man's switches: spot `CancelAllOrdersAfter` and futures `cancelallordersafter`.

`timeout` seconds from now every open order of the account on that market is cancelled unless
the call is repeated; `timeout=0` disarms. Checked on every venue tick.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lotusx.sim.core import VenueCore

MAX_TIMEOUT_S = 86_400


def iso_s(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class DeadMan:
    core: VenueCore
    armed: dict[tuple[str, str], int] = field(default_factory=dict)  # (market, account) -> ms

    def arm(self, market: str, account: str, timeout_s: int, now: int) -> int:
        """Returns the trigger time in ms (0 when disarmed)."""
        if timeout_s <= 0:
            self.armed.pop((market, account), None)
            return 0
        at = now + timeout_s * 1000
        self.armed[(market, account)] = at
        return at

    def tick(self, now: int) -> None:
        for (market, account), at in list(self.armed.items()):
            if at > now:
                continue
            del self.armed[(market, account)]
            engine = self.core.engines[market]
            with engine.batch():
                for order in engine.open_orders(account):
                    engine.cancel(account, order.symbol, order.order_id)
