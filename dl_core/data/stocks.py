"""Price series for the Sequences page: the learner's CSV, or a built-in series.

CSV rules (every broken rule is a ValueError whose message says what is wrong and what is
expected, so the page can show it instead of a traceback):
- any common dialect: separator , ; tab or |, decimal point or comma, thousands separators
  ("7,380,500" as in the classic Google course files, "1.234,56" from a European broker), dates
  year-month-day, month/day/year or day.month.year; `csv_dialect.detect` decides from the data
  and `read_table_with_dialect` says what it decided;
- a date column (named "Date", or chosen) with dates like 2012-01-03 or 1/3/2012;
- a numeric value column (Yahoo files: "Adj Close", else "Close"; or chosen);
- no missing values, no text in the value column, each date once, dates ascending (a file that
  is entirely newest-first is reversed, and the note says so).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dl_core.data import builtin_prices, csv_dialect, download, price_splits
from dl_core.spec import DatasetInfo

AUTO = "auto"
BUILTIN_SOURCES = ("synthetic",) + builtin_prices.PLOTLY_TICKERS
VALUE_PREFERENCE = ("Adj Close", "Close", "Price", "Value")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y")
MAX_ROWS = 100_000  # a daily series longer than this is not a learner's CSV: refused at once


@dataclass
class PriceSeries:
    dates: np.ndarray  # datetime64[D], ascending, unique
    values: np.ndarray  # float64
    name: str  # e.g. "AAPL.csv · Adj Close"
    source: str  # "upload" | "builtin"
    fingerprint: str
    note: str = ""

    def info(self, train: int, val: int) -> DatasetInfo:
        return DatasetInfo(self.name, self.source, train, val, self.fingerprint, self.note)


def read_table(raw: bytes | str | Path) -> pd.DataFrame:
    """The CSV as a table of strings, numbers and dates rewritten in one format (1234.56,
    2024-01-02); parsing and checking come later, column by column."""
    return read_table_with_dialect(raw)[0]


def read_table_with_dialect(raw: bytes | str | Path) -> tuple[pd.DataFrame, csv_dialect.Dialect]:
    """`read_table`, and the dialect it detected (`Dialect.describe()` is the line to show)."""
    text = _text(raw)
    dialect = csv_dialect.detect(text)
    try:
        table = pd.read_csv(io.StringIO(text), sep=dialect.separator, dtype=str, skipinitialspace=True,
                            keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        separator = csv_dialect.SEPARATOR_NAMES[dialect.separator]
        raise ValueError(f"the file could not be parsed as CSV ({str(err).strip()}): expected "
                         f"columns separated by {separator} with one header line") from None
    table.columns = [str(c).strip() for c in table.columns]
    if len(table.columns) < 2:
        raise ValueError(f"the CSV has only the column(s) {list(table.columns)}: expected a date "
                         "column and at least one numeric column")
    return _normalised(table, dialect), dialect


def _text(raw: bytes | str | Path) -> str:
    try:
        if isinstance(raw, bytes):
            text = raw.decode("utf-8-sig")
        else:
            text = Path(raw).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not a text CSV (it could not be read as UTF-8): "
                         "expected a CSV such as a Yahoo Finance export") from None
    except OSError as err:
        raise ValueError(f"the CSV could not be opened ({err})") from None
    if not text.strip():
        raise ValueError("the CSV is empty: expected a header line (Date,Close,…) and one row per day")
    rows = text.count("\n")
    if rows > MAX_ROWS:  # counted before parsing: a huge file costs a scan, not minutes of pandas
        raise ValueError(f"the CSV has about {rows:,} rows; at most {MAX_ROWS:,} days (about "
                         f"{MAX_ROWS // 252} years of trading) are accepted: keep the recent rows")
    return text


def _normalised(table: pd.DataFrame, dialect: csv_dialect.Dialect) -> pd.DataFrame:
    """Every cell that is a date or a number in `dialect` rewritten as 2024-01-02 or 1234.56;
    anything else is left as written, so error messages can quote it. Vectorised: a
    100,000-row file takes well under a second."""
    pattern = csv_dialect.number_pattern(dialect)

    def column(text: pd.Series) -> pd.Series:
        text = text.str.strip()
        numbers = text.where(text.str.fullmatch(pattern))
        for mark in csv_dialect.thousands_marks(dialect):  # as csv_dialect.plain_number does
            numbers = numbers.str.replace(mark, "", regex=False)
        numbers = numbers.str.replace(dialect.decimal, ".", regex=False)
        return _iso_dates(text, dialect).fillna(numbers).fillna(text)

    return table.apply(column)


def _iso_dates(text: pd.Series, dialect: csv_dialect.Dialect) -> pd.Series:
    """Valid dates as 2024-01-02 (read in the dialect's order), NaN elsewhere."""
    looks = text.str.fullmatch(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")  # no backreference: fast
    if not looks.any():  # a price column: skip the costly part
        return pd.Series(np.nan, index=text.index, dtype=object)
    text = text[looks]
    year_first = text.str.extract(f"^{csv_dialect.YEAR_FIRST.pattern}$")
    year_last = text.str.extract(f"^{csv_dialect.YEAR_LAST.pattern}$")
    first, second = (year_last[2], year_last[0]) if dialect.date_order == "dmy" else (year_last[0], year_last[2])
    year = year_first[0].fillna(year_last[3])
    month = year_first[2].fillna(first)
    day = year_first[3].fillna(second)
    iso = year + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
    valid = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").notna()
    return iso.where(valid).reindex(looks.index)


def date_columns(table: pd.DataFrame) -> list[str]:
    """Columns whose first rows parse as dates; "Date" first when present."""
    found = [c for c in table.columns if _parse_dates(table[c].head(20)) is not None]
    return sorted(found, key=lambda c: c.lower() != "date")


def numeric_columns(table: pd.DataFrame) -> list[str]:
    """Columns whose first rows are numbers, the preferred price column first."""
    found = [c for c in table.columns if _numbers(table[c].head(20)).notna().all()]
    order = {name.lower(): i for i, name in enumerate(VALUE_PREFERENCE)}
    return sorted(found, key=lambda c: order.get(c.lower(), len(order)))


def parse_series(table: pd.DataFrame, date_column: str = AUTO,
                 value_column: str = AUTO) -> tuple[np.ndarray, np.ndarray, str, str]:
    """(dates, values, value column used, note) after every check in the module docstring;
    the note names any stock split the column is not adjusted for (see `splits_in`)."""
    dates, values, value_column, note = _series(table, date_column, value_column)
    splits = splits_in(table, date_column, value_column)
    return dates, values, value_column, " ".join([note] + [s.describe(value_column) for s in splits]).strip()


def splits_in(table: pd.DataFrame, date_column: str = AUTO,
              value_column: str = AUTO) -> list[price_splits.Split]:
    """Stock splits the value column is not adjusted for, with how the other price columns
    (every numeric column but the value and volume) moved on each split day."""
    dates, values, value_column, note = _series(table, date_column, value_column)
    others = {}
    for name in numeric_columns(table):
        if name == value_column or "vol" in name.lower():
            continue
        try:
            column = _checked_values(table[name], name)
        except ValueError:
            continue  # a column with gaps says nothing here
        others[name] = column[::-1] if note else column  # the note: the file was reversed
    return price_splits.find_splits(dates, values, others)


def split_adjusted_csv(table: pd.DataFrame, date_column: str, value_column: str) -> tuple[bytes, str]:
    """(a two-column CSV of the dates and the split-adjusted values, the new column's name)."""
    dates, values, value_column, _ = _series(table, date_column, value_column)
    adjusted = price_splits.adjust(values, splits_in(table, date_column, value_column))
    name = f"{value_column} (split-adjusted)"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([date_column if date_column != AUTO else "Date", name])
    writer.writerows((str(day), f"{value:.10g}") for day, value in zip(dates, adjusted))
    return out.getvalue().encode(), name


def _series(table: pd.DataFrame, date_column: str, value_column: str) -> tuple[np.ndarray, np.ndarray, str, str]:
    named_date = [c for c in table.columns if c.lower() == "date"]
    date_column = _pick(table, date_column, date_columns(table) or named_date, "date",
                        "a column named Date with dates like 2012-01-03 or 1/3/2012")
    candidates = [c for c in numeric_columns(table) if c != date_column]
    value_column = _pick(table, value_column, candidates, "numeric",
                         "a column of prices such as Close or Adj Close")
    values = _checked_values(table[value_column], value_column)
    dates = _checked_dates(table[date_column], date_column)
    dates, values, note = _checked_order(dates, values)
    return dates, values, value_column, note


def load_csv(path: str | Path, date_column: str = AUTO, value_column: str = AUTO) -> PriceSeries:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"data file {path} does not exist: give a CSV with a date and a price column")
    table = read_table(path)
    dates, values, column, note = parse_series(table, date_column, value_column)
    fingerprint = f"csv:{download.file_sha256(path)[:16]}:{date_column}:{column}"
    label = "your CSV" if path.parent.name == "uploads" else path.name
    return PriceSeries(dates, values, f"{label} · {column}", "upload", fingerprint, note)


def load_builtin(source: str) -> PriceSeries:
    if source == "synthetic":
        dates, values = builtin_prices.synthetic_daily()
        note = ("Synthetic prices: geometric Brownian motion whose drift and volatility switch "
                "between calm, bull and bear regimes. Not a real stock.")
        return PriceSeries(dates, values, "synthetic daily prices (GBM with regimes)", "builtin",
                           f"synthetic-v{builtin_prices.VERSION}", note)
    if source not in builtin_prices.PLOTLY_TICKERS:
        raise ValueError(f"built-in series {source!r} is unknown: expected one of "
                         f"{', '.join(BUILTIN_SOURCES)}")
    dates, values = builtin_prices.plotly_weekly(source)
    note = (f"Real weekly closes of {source}, 2018–2019, as shipped inside plotly "
            "(plotly.data.stocks), divided by the first week's price so the series starts at 1.0.")
    return PriceSeries(dates, values, f"{source} weekly (plotly)", "builtin",
                       f"plotly-stocks:{source}", note)


def load_series(source: str, data: str | None, date_column: str = AUTO,
                value_column: str = AUTO) -> PriceSeries:
    """The learner's CSV when `data` is given, else the built-in `source`."""
    if data:
        return load_csv(data, date_column, value_column)
    return load_builtin(source)


def _pick(table: pd.DataFrame, wanted: str, candidates: list[str], kind: str, expected: str) -> str:
    if wanted and wanted != AUTO:
        if wanted not in table.columns:
            raise ValueError(f"column {wanted!r} is not in the CSV: its columns are "
                             f"{', '.join(table.columns)}")
        return wanted
    if not candidates:
        raise ValueError(f"no {kind} column found among {', '.join(table.columns)}: expected {expected}")
    return candidates[0]


def _numbers(column: pd.Series) -> pd.Series:
    """Numbers as `read_table` normalised them (1234.56); anything else is NaN."""
    cleaned = column.astype(str).str.strip()
    return pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")


def _checked_values(column: pd.Series, name: str) -> np.ndarray:
    text = column.astype(str).str.strip()
    missing = text.isin(["", "nan", "NaN", "NA", "null", "None", "-"])
    if missing.any():
        rows = _row_numbers(missing)
        raise ValueError(f"column {name!r} has {int(missing.sum())} missing value(s) (CSV rows "
                         f"{rows}): fill or remove those rows")
    numbers = _numbers(column)
    bad = numbers.isna()
    if bad.any():
        example = text[bad].iloc[0]
        raise ValueError(f"column {name!r} has text where numbers are expected (CSV rows "
                         f"{_row_numbers(bad)}, e.g. {example!r}): expected numbers like 123.45")
    values = numbers.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"column {name!r} has infinite values: expected finite prices")
    return values


def _checked_dates(column: pd.Series, name: str) -> np.ndarray:
    parsed = _parse_dates(column)
    if parsed is None:
        text = column.astype(str).str.strip()
        best = max((pd.to_datetime(text, format=f, errors="coerce") for f in DATE_FORMATS),
                   key=lambda dates: int(dates.notna().sum()))
        bad = best.isna() & (text != "")
        rows = f" (CSV rows {_row_numbers(bad)}, e.g. {text[bad].iloc[0]!r})" if bad.any() else ""
        raise ValueError(f"column {name!r} does not hold dates in one format{rows}: expected dates "
                         "like 2012-01-03, 1/3/2012 or 03.01.2012 on every row")
    bad = parsed.isna()
    if bad.any():
        raise ValueError(f"column {name!r} has missing or unreadable dates (CSV rows "
                         f"{_row_numbers(bad)}): every row needs a date")
    return parsed.to_numpy().astype("datetime64[D]")


def _parse_dates(column: pd.Series) -> pd.Series | None:
    """The column as dates in the first format that reads every non-empty value, else None."""
    text = column.astype(str).str.strip()
    filled = text[text != ""]
    if filled.empty or filled.str.fullmatch(r"[-+]?\d+(\.\d+)?").all():
        return None  # plain numbers are not dates
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if parsed[text != ""].notna().all():
            return parsed
    return None


def _checked_order(dates: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    steps = np.diff(dates).astype(np.int64)
    note = ""
    if len(steps) and np.all(steps < 0):
        dates, values, steps = dates[::-1], values[::-1], -steps[::-1]
        note = "The file lists the newest date first; it was reversed to oldest first."
    duplicate = np.flatnonzero(steps == 0)
    if len(duplicate):
        i = int(duplicate[0])
        raise ValueError(f"date {dates[i]} appears more than once (CSV rows {i + 2} and {i + 3}): "
                         "each date must appear once")
    backwards = np.flatnonzero(steps < 0)
    if len(backwards):
        i = int(backwards[0])
        raise ValueError(f"dates are not in ascending order: row {i + 3} ({dates[i + 1]}) comes after "
                         f"row {i + 2} ({dates[i]}); sort the file by date, oldest first")
    return dates, values, note


def _row_numbers(mask: pd.Series, limit: int = 5) -> str:
    rows = [str(i + 2) for i in np.flatnonzero(mask.to_numpy())[:limit]]  # +2: header, 1-based
    more = int(mask.sum()) - len(rows)
    return ", ".join(rows) + (f" and {more} more" if more > 0 else "")
