"""Accounts, wallets, balances, positions, transfers, withdrawals and deposits."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from lotusx.sim.model import ZERO, BalanceEvent, Event, Rejected, RejectReason


@dataclass(slots=True)
class Balance:
    free: Decimal = ZERO
    locked: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


@dataclass(slots=True)
class AccountInfo:
    name: str
    uid: int
    email: str
    master: str | None = None
    infinite: bool = False
    created_ms: int = 0


@dataclass(slots=True)
class Position:
    """A one-way-mode linear position; `qty` is signed (long > 0)."""

    account: str
    symbol: str
    qty: Decimal = ZERO
    entry_price: Decimal = ZERO
    isolated: bool = False
    isolated_wallet: Decimal = ZERO
    updated_ms: int = 0


@dataclass(frozen=True, slots=True)
class Transfer:
    tran_id: int
    from_account: str
    from_wallet: str
    to_account: str
    to_wallet: str
    asset: str
    amount: Decimal
    kind: str
    time_ms: int
    client_id: str | None = None


class WithdrawalState(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(slots=True)
class Withdrawal:
    id: str
    account: str
    asset: str
    network: str
    address: str
    amount: Decimal
    fee: Decimal
    state: WithdrawalState
    apply_ms: int
    client_id: str | None = None
    complete_ms: int = 0
    tx_id: str = ""
    wallet: str = "spot"


@dataclass(frozen=True, slots=True)
class Deposit:
    id: str
    account: str
    asset: str
    network: str
    address: str
    amount: Decimal
    time_ms: int
    tx_id: str
    credited: bool = True


@dataclass(frozen=True, slots=True)
class Income:
    account: str
    symbol: str
    kind: str
    amount: Decimal
    asset: str
    time_ms: int
    tran_id: int


@dataclass(slots=True)
class _Counters:
    transfer: int = 1000
    withdrawal: int = 1
    income: int = 1
    deposit: int = 1


class Ledger:
    """All money of a venue. Every movement is between two holders, so totals are conserved."""

    FEES = "fees"
    EXTERNAL = "external"

    def __init__(self, clock: Callable[[], int], publish: Callable[[Event], None]) -> None:
        self.clock = clock
        self.publish = publish
        self.accounts: dict[str, AccountInfo] = {}
        self.balances: dict[tuple[str, str], dict[str, Balance]] = {}
        self.positions: dict[tuple[str, str], Position] = {}
        self.leverage: dict[tuple[str, str], int] = {}
        self.fee_overrides: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        self.transfers: list[Transfer] = []
        self.withdrawals: list[Withdrawal] = []
        self.deposits: list[Deposit] = []
        self.income: list[Income] = []
        self.realized: dict[tuple[str, str], Decimal] = {}
        self.withdraw_delay_ms = 1000
        self.default_leverage = 20
        self.aliases: dict[str, str] = {}
        self._n = _Counters()
        for name in (self.FEES, self.EXTERNAL):
            self.open_account(name, 0, f"{name}@sim", infinite=name == self.EXTERNAL)

    # ----------------------------------------------------------------- accounts
    def open_account(
        self, name: str, uid: int, email: str, master: str | None = None, infinite: bool = False
    ) -> AccountInfo:
        info = AccountInfo(name, uid, email, master, infinite, self.clock())
        self.accounts[name] = info
        return info

    def subs_of(self, master: str) -> list[AccountInfo]:
        return [a for a in self.accounts.values() if a.master == master]

    def by_email(self, email: str) -> AccountInfo | None:
        return next((a for a in self.accounts.values() if a.email == email), None)

    # ----------------------------------------------------------------- balances
    def alias(self, wallet: str, target: str) -> None:
        """Make `wallet` another name of `target` (a unified account: one pool of money)."""
        self.aliases[wallet] = target

    def wallet(self, account: str, wallet: str) -> dict[str, Balance]:
        return self.balances.setdefault((account, self.aliases.get(wallet, wallet)), {})

    def balance(self, account: str, wallet: str, asset: str) -> Balance:
        return self.wallet(account, wallet).setdefault(asset, Balance())

    def credit(self, account: str, wallet: str, asset: str, amount: Decimal) -> None:
        self.balance(account, wallet, asset).free += amount

    def debit(self, account: str, wallet: str, asset: str, amount: Decimal) -> None:
        bal = self.balance(account, wallet, asset)
        if bal.free < amount and not self.accounts[account].infinite:
            raise Rejected(RejectReason.INSUFFICIENT_BALANCE)
        bal.free -= amount

    def lock(self, account: str, wallet: str, asset: str, amount: Decimal) -> None:
        self.debit(account, wallet, asset, amount)
        self.balance(account, wallet, asset).locked += amount

    def unlock(self, account: str, wallet: str, asset: str, amount: Decimal) -> None:
        bal = self.balance(account, wallet, asset)
        bal.locked -= amount
        bal.free += amount

    def move(
        self,
        src: tuple[str, str],
        dst: tuple[str, str],
        asset: str,
        amount: Decimal,
        from_locked: bool = False,
    ) -> None:
        """Move `amount` of `asset` from (account, wallet) `src` to `dst`."""
        if from_locked:
            self.balance(*src, asset).locked -= amount
        else:
            self.debit(*src, asset, amount)
        self.credit(*dst, asset, amount)

    def total(self, asset: str) -> Decimal:
        """Sum of `asset` held anywhere (balances and isolated margins)."""
        held = sum((w[asset].total for w in self.balances.values() if asset in w), ZERO)
        return held + sum((p.isolated_wallet for p in self.positions.values()), ZERO)

    def fee_rates(
        self, account: str, market: str, default: tuple[Decimal, Decimal]
    ) -> tuple[Decimal, Decimal]:
        return self.fee_overrides.get((account, market), default)

    # ----------------------------------------------------------------- transfers
    def transfer(
        self,
        src: tuple[str, str],
        dst: tuple[str, str],
        asset: str,
        amount: Decimal,
        kind: str,
        client_id: str | None = None,
    ) -> Transfer:
        """Internal transfer between wallets and/or accounts; raises on insufficient funds."""
        if amount <= 0:
            raise Rejected(RejectReason.INVALID_AMEND, "amount must be positive")
        self.move(src, dst, asset, amount)
        now = self.clock()
        self._n.transfer += 1
        rec = Transfer(
            self._n.transfer, src[0], src[1], dst[0], dst[1], asset, amount, kind, now, client_id
        )
        self.transfers.append(rec)
        self.publish(BalanceEvent(src[0], src[1], asset, -amount, kind, now))
        self.publish(BalanceEvent(dst[0], dst[1], asset, amount, kind, now))
        return rec

    # ----------------------------------------------------------------- deposits
    def deposit(
        self,
        account: str,
        wallet: str,
        asset: str,
        amount: Decimal,
        network: str,
        address: str,
        time_ms: int | None = None,
        credited: bool = True,
        apply: bool = True,
    ) -> Deposit:
        """Record a deposit; `apply=False` records history for funds already held."""
        now = self.clock() if time_ms is None else time_ms
        dep = Deposit(
            f"d{self._n.deposit}",
            account,
            asset,
            network,
            address,
            amount,
            now,
            f"0xsimdeposit{self._n.deposit:08d}",
            credited,
        )
        self._n.deposit += 1
        self.deposits.append(dep)
        if credited and apply:
            self.move((self.EXTERNAL, "spot"), (account, wallet), asset, amount)
            self.publish(BalanceEvent(account, wallet, asset, amount, "DEPOSIT", self.clock()))
        return dep

    # ----------------------------------------------------------------- withdrawals
    def withdraw(
        self,
        account: str,
        asset: str,
        amount: Decimal,
        fee: Decimal,
        network: str,
        address: str,
        client_id: str | None = None,
        wallet: str = "spot",
    ) -> Withdrawal:
        """Debit amount + fee from `wallet` and start a pending withdrawal."""
        self.debit(account, wallet, asset, amount + fee)
        self.credit(self.FEES, "spot", asset, fee)
        self.credit(self.EXTERNAL, "spot", asset, amount)
        now = self.clock()
        wd = Withdrawal(
            f"w{self._n.withdrawal:012d}",
            account,
            asset,
            network,
            address,
            amount,
            fee,
            WithdrawalState.PENDING,
            now,
            client_id,
            wallet=wallet,
        )
        self._n.withdrawal += 1
        self.withdrawals.append(wd)
        self.publish(BalanceEvent(account, wallet, asset, -(amount + fee), "WITHDRAW", now))
        return wd

    def set_withdrawal_state(self, wid: str, state: WithdrawalState) -> Withdrawal:
        """Drive a withdrawal explicitly; failing/cancelling refunds amount + fee."""
        wd = next(w for w in self.withdrawals if w.id == wid)
        if wd.state in (
            WithdrawalState.COMPLETED,
            WithdrawalState.FAILED,
            WithdrawalState.CANCELLED,
        ):
            return wd
        if state in (WithdrawalState.FAILED, WithdrawalState.CANCELLED):
            self.move((self.EXTERNAL, "spot"), (wd.account, wd.wallet), wd.asset, wd.amount)
            self.move((self.FEES, "spot"), (wd.account, wd.wallet), wd.asset, wd.fee)
            self.publish(
                BalanceEvent(
                    wd.account,
                    wd.wallet,
                    wd.asset,
                    wd.amount + wd.fee,
                    "WITHDRAW_REFUND",
                    self.clock(),
                )
            )
        wd.state = state
        if state is WithdrawalState.COMPLETED:
            wd.complete_ms = self.clock()
            wd.tx_id = f"0xsimwithdraw{wd.id}"
        return wd

    def advance(self, now: int) -> None:
        """Time-driven progress: pending → processing → completed after `withdraw_delay_ms`."""
        for wd in self.withdrawals:
            age = now - wd.apply_ms
            if wd.state is WithdrawalState.PENDING and age >= self.withdraw_delay_ms // 2:
                wd.state = WithdrawalState.PROCESSING
            if wd.state is WithdrawalState.PROCESSING and age >= self.withdraw_delay_ms:
                self.set_withdrawal_state(wd.id, WithdrawalState.COMPLETED)

    # ----------------------------------------------------------------- positions
    def position(self, account: str, symbol: str) -> Position:
        pos = self.positions.get((account, symbol))
        if pos is None:
            pos = self.positions[(account, symbol)] = Position(account, symbol)
        return pos

    def get_leverage(self, account: str, symbol: str) -> int:
        return self.leverage.get((account, symbol), self.default_leverage)

    def add_income(
        self, account: str, symbol: str, kind: str, amount: Decimal, asset: str, now: int
    ) -> None:
        """Record income of a real account (bots with infinite balances are not tracked)."""
        if self.accounts[account].infinite:
            return
        if kind == "REALIZED_PNL":
            key = (account, symbol)
            self.realized[key] = self.realized.get(key, ZERO) + amount
        self._n.income += 1
        self.income.append(Income(account, symbol, kind, amount, asset, now, self._n.income))
