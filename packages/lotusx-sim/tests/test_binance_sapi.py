"""Wallet `/sapi/v1` routes: status, transfers, withdrawals, deposits, sub-accounts."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from lotusx.sim.ledger import WithdrawalState

D = Decimal


async def test_system_status_and_maintenance(api: Any) -> None:
    r = await api.get("/sapi/v1/system/status")
    assert r.body == {"status": 0, "msg": "normal"}
    assert "X-SAPI-USED-IP-WEIGHT-1M" in r.headers
    api.venue.faults.set_maintenance(True)
    assert (await api.get("/sapi/v1/system/status")).body == {
        "status": 1,
        "msg": "system_maintenance",
    }
    assert (await api.get("/api/v3/ping")).status == 200
    r = await api.get("/api/v3/depth", {"symbol": "BTCUSDT"})
    assert (r.status, r.body["code"]) == (503, -1016)
    api.venue.faults.set_maintenance(False)
    assert (await api.get("/api/v3/depth", {"symbol": "BTCUSDT"})).status == 200


async def test_universal_transfer_spot_futures(api: Any) -> None:
    v = api.venue
    r = await api.post(
        "/sapi/v1/asset/transfer",
        {"type": "MAIN_UMFUTURE", "asset": "USDT", "amount": "1500.5"},
        signed=True,
    )
    assert r.status == 200 and isinstance(r.body["tranId"], int)
    assert v.view.balances("spot")["USDT"].free == D("98499.5")
    assert v.view.balances("futures")["USDT"].free == D("101500.5")
    r = await api.post(
        "/sapi/v1/asset/transfer",
        {"type": "UMFUTURE_MAIN", "asset": "USDT", "amount": "0.5"},
        signed=True,
    )
    assert v.view.balances("spot")["USDT"].free == D("98500")
    r = await api.post(
        "/sapi/v1/asset/transfer",
        {"type": "MAIN_UMFUTURE", "asset": "BTC", "amount": "5"},
        signed=True,
    )
    assert r.status == 400 and r.body["code"] == -5013
    r = await api.post(
        "/sapi/v1/asset/transfer",
        {"type": "MAIN_MARGIN", "asset": "USDT", "amount": "1"},
        signed=True,
    )
    assert r.body["code"] == -1130
    kinds = [t.kind for t in v.view.transfers()]
    assert kinds == ["MAIN_UMFUTURE", "UMFUTURE_MAIN"]


async def test_withdrawal_states_and_history(api: Any) -> None:
    v = api.venue
    r = await api.post(
        "/sapi/v1/capital/withdraw/apply",
        {"coin": "BTC", "address": "bc1qdest", "amount": "0.5", "withdrawOrderId": "w-1"},
        signed=True,
    )
    wid = r.body["id"]
    assert v.view.balances()["BTC"].free == D(2) - D("0.5") - D("0.0002")
    hist = (await api.get("/sapi/v1/capital/withdraw/history", {"coin": "BTC"}, signed=True)).body
    assert hist[0]["id"] == wid and hist[0]["status"] == 2
    assert hist[0]["withdrawOrderId"] == "w-1" and hist[0]["transactionFee"] == "0.00020000"
    assert len(hist[0]["applyTime"]) == 19
    await asyncio.sleep(1.05)  # default delay: 1 s, progressed by the venue clock
    v.core.step()
    hist = (await api.get("/sapi/v1/capital/withdraw/history", signed=True)).body
    assert hist[0]["status"] == 6 and hist[0]["txId"] and "completeTime" in hist[0]
    second = (
        await api.post(
            "/sapi/v1/capital/withdraw/apply",
            {"coin": "USDT", "address": "0xdest", "amount": "100", "network": "ETH"},
            signed=True,
        )
    ).body["id"]
    v.core.ledger.set_withdrawal_state(second, WithdrawalState.FAILED)
    hist = (await api.get("/sapi/v1/capital/withdraw/history", {"status": 5}, signed=True)).body
    assert [h["id"] for h in hist] == [second]
    assert v.view.balances()["USDT"].free == D(100000)  # refunded with fee
    r = await api.post(
        "/sapi/v1/capital/withdraw/apply",
        {"coin": "ETH", "address": "0xdest", "amount": "500"},
        signed=True,
    )
    assert r.status == 400 and r.body["code"] == -4026


async def test_deposit_history(api: Any) -> None:
    rows = (await api.get("/sapi/v1/capital/deposit/hisrec", signed=True)).body
    assert [(r["coin"], r["amount"], r["status"]) for r in rows] == [
        ("ETH", "10", 1),
        ("BTC", "1", 1),
        ("USDT", "50000", 1),
    ]
    btc = (await api.get("/sapi/v1/capital/deposit/hisrec", {"coin": "BTC"}, signed=True)).body
    assert len(btc) == 1 and btc[0]["txId"] and btc[0]["confirmTimes"] == "1/1"
    assert len(api.venue.view.deposits()) == 3


async def test_sub_accounts(api: Any) -> None:
    v = api.venue
    subs = (await api.get("/sapi/v1/sub-account/list", signed=True)).body["subAccounts"]
    assert [s["email"] for s in subs] == ["sub1@lotusx.sim", "sub2@lotusx.sim"]
    r = await api.post(
        "/sapi/v1/sub-account/universalTransfer",
        {
            "toEmail": "sub1@lotusx.sim",
            "fromAccountType": "SPOT",
            "toAccountType": "USDT_FUTURE",
            "asset": "USDT",
            "amount": "250",
            "clientTranId": "ct-1",
        },
        signed=True,
    )
    assert r.body["clientTranId"] == "ct-1" and r.body["tranId"] > 0
    assert v.view.balances("futures", "sub1")["USDT"].free == D(10000) + 250
    assert v.view.balances("spot")["USDT"].free == D(100000) - 250
    r = await api.post(
        "/sapi/v1/sub-account/universalTransfer",
        {
            "fromEmail": "sub1@lotusx.sim",
            "toEmail": "sub2@lotusx.sim",
            "fromAccountType": "SPOT",
            "toAccountType": "SPOT",
            "asset": "BTC",
            "amount": "0.1",
        },
        signed=True,
    )
    assert r.status == 200
    assert v.view.balances("spot", "sub2")["BTC"].free == D("0.3")
    hist = (
        await api.get(
            "/sapi/v1/sub-account/universalTransfer", {"toEmail": "sub1@lotusx.sim"}, signed=True
        )
    ).body
    assert hist["totalCount"] == 1 and hist["result"][0]["toAccountType"] == "USDT_FUTURE"
    r = await api.post(
        "/sapi/v1/sub-account/universalTransfer",
        {
            "toEmail": "stranger@x.com",
            "fromAccountType": "SPOT",
            "toAccountType": "SPOT",
            "asset": "BTC",
            "amount": "0.1",
        },
        signed=True,
    )
    assert r.status == 400
    r = await api.post(
        "/sapi/v1/sub-account/universalTransfer",
        {
            "toEmail": "sub1@lotusx.sim",
            "fromAccountType": "SPOT",
            "toAccountType": "SPOT",
            "asset": "BTC",
            "amount": "50",
        },
        signed=True,
    )
    assert r.body["code"] == -5013
