"""Where the Sequences page's prices come from: built-in, the learner's CSV, or a ticker download.

Returns the path of the learner's data (stored content-addressed with `store_upload`, so the
cache key hashes the bytes) and the columns to use; problems are shown as st.error / st.warning.
A stock split the chosen column is not adjusted for is named before training, with a checkbox
that swaps in a derived CSV of the adjusted prices (its own bytes, hence its own cache key).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

from dl_core.data import stocks, ticker
from dl_core.uploads import store_upload
from ui.text import inert

CHOICES = ("Built-in series", "Upload a CSV", "Download a ticker")

log = logging.getLogger(__name__)


@dataclass
class DataChoice:
    data: str | None  # path of the stored CSV, None for the built-in series
    columns: dict  # {"date_column": ..., "value_column": ...}
    ok: bool  # False: a problem was shown, nothing to train on


BUILTIN = DataChoice(None, {"date_column": stocks.AUTO, "value_column": stocks.AUTO}, True)


def choose_data(page: str) -> DataChoice:
    choice = st.radio("Prices", CHOICES, horizontal=True, key=f"{page}_data_choice")
    if choice == CHOICES[0]:
        st.caption("Pick the built-in series in the form below (synthetic daily prices, or real "
                   "weekly prices shipped with plotly).")
        return BUILTIN
    raw = _uploaded(page) if choice == CHOICES[1] else _downloaded(page)
    if raw is None:
        return DataChoice(None, BUILTIN.columns, False)
    return _with_columns(page, raw)


def _uploaded(page: str) -> bytes | None:
    upload = st.file_uploader("A CSV with a date column and a price column (e.g. a Yahoo Finance "
                              "export: Date, Open, High, Low, Close, Adj Close, Volume; or a "
                              "broker's export with ; and decimal commas)",
                              type=["csv"], key=f"{page}_upload")
    if upload is None:
        st.info("Upload a CSV to forecast your own prices.")
        return None
    return upload.getvalue()


def _downloaded(page: str) -> bytes | None:
    left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    symbol = left.text_input("Ticker symbol", value="AAPL", key=f"{page}_ticker")
    years = middle.selectbox("Years", ticker.RANGES, index=2, key=f"{page}_ticker_years")
    if right.button("Download", key=f"{page}_ticker_download"):
        try:
            st.session_state[f"{page}_ticker_csv"] = ticker.fetch_ticker_csv(symbol, years)
        except ticker.TickerError as err:
            st.session_state.pop(f"{page}_ticker_csv", None)
            st.warning(f"Download failed: {inert(err)}")
            return None
    raw = st.session_state.get(f"{page}_ticker_csv")
    if raw is None:
        st.caption("Downloads daily prices from Yahoo Finance (needs an internet connection).")
    return raw


def _with_columns(page: str, raw: bytes) -> DataChoice:
    try:
        table, dialect = stocks.read_table_with_dialect(raw)
    except ValueError as err:
        log.info("refused an uploaded CSV: %s", err)
        st.error(f"This CSV cannot be used: {inert(err)}")
        return DataChoice(None, BUILTIN.columns, False)
    if dialect.ambiguous_dates:
        st.warning(f"{dialect.describe()}. If your dates are the other way round, write them as "
                   "2024-01-02 (year first) and upload again.")
    else:
        st.caption(dialect.describe())
    dates = stocks.date_columns(table) or list(table.columns)
    numbers = [c for c in stocks.numeric_columns(table) if c not in dates[:1]] or list(table.columns)
    left, right = st.columns(2)
    date_column = left.selectbox("Date column", dates, key=f"{page}_date_column")
    value_column = right.selectbox("Column to forecast", [c for c in numbers if c != date_column]
                                   or numbers, key=f"{page}_value_column")
    columns = {"date_column": date_column, "value_column": value_column}
    try:
        stocks.parse_series(table, date_column, value_column)
    except ValueError as err:
        log.info("refused an uploaded CSV: %s", err)
        st.error(f"This CSV cannot be used: {inert(err)}")
        return DataChoice(None, columns, False)
    if _adjust_for_splits(page, table, date_column, value_column):
        raw, adjusted = stocks.split_adjusted_csv(table, date_column, value_column)
        columns = {"date_column": date_column, "value_column": adjusted}  # the derived file's bytes key the model
    return DataChoice(str(store_upload(raw, ".csv")), columns, True)


def _adjust_for_splits(page: str, table, date_column: str, value_column: str) -> bool:
    """Warn about every split the column is not adjusted for, before training; True when the
    learner chose to adjust the prices before it."""
    splits = stocks.splits_in(table, date_column, value_column)
    if not splits:
        return False
    said = " ".join(inert(split.describe(value_column)) for split in splits)
    notice = st.empty()  # filled once the checkbox below says whether the prices are adjusted
    if len(splits) == 1:
        n, m = splits[0].ratio
        label = (f"Adjust {inert(value_column)} for the {n}-for-{m} split: multiply every price before "
                 f"{splits[0].date} by {m}/{n}")
    else:
        label = (f"Adjust {inert(value_column)} for these {len(splits)} splits: multiply every price "
                 "before each one by its ratio")
    adjust = st.checkbox(label, value=False, key=f"{page}_split_adjust",
                         help="Puts the whole series in today's shares; the model is trained (and "
                              "cached) on the adjusted prices.")
    if adjust:
        notice.info(f"**A stock split, adjusted.** {said} Training uses the adjusted prices, "
                    f"“{inert(value_column)} (split-adjusted)”.")
    else:
        notice.warning(f"**Before you train: a stock split.** {said} Trained on this series, the "
                       "network would learn a crash that never happened: tick the box below to adjust.")
    return adjust
