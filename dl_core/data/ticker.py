"""Daily prices of a ticker from Yahoo Finance's public chart API, as a Yahoo-style CSV.

Standard library only (no yfinance): one HTTPS GET of
`<base>/v8/finance/chart/<SYMBOL>?range=<N>y&interval=1d`, turned into the same
Date,Open,High,Low,Close,Adj Close,Volume CSV a learner would upload, so the rest of the page
treats a download exactly like an upload. Offline it fails fast: `DL_LAB_OFFLINE=1` answers at
once, otherwise one TCP connect with a short timeout decides before any request is made.
`DL_LAB_TICKER_URL` points the download at another server (the tests use a local one).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request

from dl_core import settings

DEFAULT_BASE = "https://query1.finance.yahoo.com"
CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 15.0
SYMBOL = re.compile(r"^[A-Za-z0-9^][A-Za-z0-9.\-=^]{0,14}$")
RANGES = (1, 2, 5, 10)


class TickerError(RuntimeError):
    """The download did not happen; the message is for the learner."""


def base_url() -> str:
    return settings.ticker_url()


def fetch_ticker_csv(symbol: str, years: int = 5, base: str | None = None) -> bytes:
    """CSV bytes of `symbol`'s daily prices over the last `years` years."""
    symbol = symbol.strip().upper()
    if not SYMBOL.match(symbol):
        raise TickerError(f"{symbol!r} does not look like a ticker: expected letters/digits such as "
                          "AAPL, SPY or ^GSPC")
    if years not in RANGES:
        raise TickerError(f"years={years} is not offered: choose one of {RANGES}")
    base = (base or base_url()).rstrip("/")
    _require_network(base)
    url = f"{base}/v8/finance/chart/{urllib.parse.quote(symbol)}?range={years}y&interval=1d"
    request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (DL Lab)"})
    try:
        with urllib.request.urlopen(request, timeout=READ_TIMEOUT_S) as response:
            payload = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        raise TickerError(f"the price server answered {err.code} for {symbol}: check the ticker "
                          "symbol, or upload a CSV instead") from None
    except (OSError, ValueError) as err:
        raise TickerError(f"could not download {symbol} ({err}): upload a CSV instead") from None
    return chart_to_csv(payload, symbol)


def chart_to_csv(payload: dict, symbol: str = "") -> bytes:
    """Yahoo chart JSON → Yahoo-style CSV bytes (rows with a missing close are left out)."""
    try:
        result = payload["chart"]["result"][0]
        stamps = result["timestamp"]
        quote = result["indicators"]["quote"][0]
        adjusted = result["indicators"].get("adjclose", [{}])[0].get("adjclose") or quote["close"]
    except (KeyError, IndexError, TypeError):
        error = (payload.get("chart") or {}).get("error") if isinstance(payload, dict) else None
        detail = error.get("description") if isinstance(error, dict) else "no price data"
        raise TickerError(f"no prices for {symbol or 'this ticker'} ({detail}): check the symbol") from None
    lines = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    for i, stamp in enumerate(stamps):
        row = [quote["open"][i], quote["high"][i], quote["low"][i], quote["close"][i], adjusted[i]]
        if any(v is None for v in row):
            continue
        day = dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc).date().isoformat()
        volume = quote.get("volume", [None] * len(stamps))[i] or 0
        lines.append(",".join([day] + [f"{v:.6f}" for v in row] + [str(int(volume))]))
    if len(lines) < 2:
        raise TickerError(f"the server returned no complete daily rows for {symbol}")
    return ("\n".join(lines) + "\n").encode()


def _require_network(base: str) -> None:
    if settings.offline():
        raise TickerError("DL Lab runs offline here (DL_LAB_OFFLINE=1), so tickers cannot be "
                          "downloaded: upload a CSV or use a built-in series")
    parts = urllib.parse.urlsplit(base)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError:
        raise TickerError(f"no internet connection ({parts.hostname} did not answer within "
                          f"{CONNECT_TIMEOUT_S:.0f} s): upload a CSV or use a built-in series") from None
