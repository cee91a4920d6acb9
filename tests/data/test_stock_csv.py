"""The price-CSV dialect detector (separator, decimal mark, thousands, date order) and the loader
that uses it: generated files in every common dialect, the real files in ../shared/data, and
hostile inputs that must still give a one-line error."""

import numpy as np
import pytest

from dl_core.data import csv_dialect, price_splits, stocks
from dl_core.data.csv_dialect import Dialect, detect

from lstm_fixtures import european_csv, german, split_csv, yahoo_csv


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


# -- detection -----------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected,line", [
    (yahoo_csv(40).decode(), Dialect(",", ".", "", "ymd", "-"),
     "Read as: separator ',', decimal point, dates year-month-day"),
    (lines("Date,Open,Close,Volume", '1/3/2012,325.25,"1,008.64","7,380,500"',
           '1/17/2012,331.27,666.45,"5,749,400"'),
     Dialect(",", ".", ",", "mdy", "/"),
     "Read as: separator ',', decimal point, thousands ',', dates month/day/year"),
    (lines("Datum;Schluss", "02.01.2024;1.234,56", "15.01.2024;1.240,5"),
     Dialect(";", ",", ".", "dmy", "."),
     "Read as: separator ';', decimal comma, thousands '.', dates day.month.year"),
    (lines("Date\tClose", "2024-01-02\t12.5", "2024-01-03\t12.75"), Dialect("\t", ".", "", "ymd", "-"),
     "Read as: separator tab, decimal point, dates year-month-day"),
    (lines("Date|Close", "13/01/2024|12,5", "14/01/2024|12,75"), Dialect("|", ",", "", "dmy", "/"),
     "Read as: separator '|', decimal comma, dates day/month/year"),
    (lines("Date;Close", "2024-01-02;1 234,5", "2024-01-03;1 240,25"), Dialect(";", ",", " ", "ymd", "-"),
     "Read as: separator ';', decimal comma, thousands ' ', dates year-month-day"),
])
def test_each_dialect_is_detected_and_described(text, expected, line):
    dialect = detect(text)
    assert dialect == expected
    assert dialect.describe() == line


def test_day_or_month_first_is_decided_by_a_field_above_12():
    assert detect(lines("Date,Close", "03/01/2024,1.5", "25/01/2024,1.5")).date_order == "dmy"
    assert detect(lines("Date,Close", "01/03/2024,1.5", "01/25/2024,1.5")).date_order == "mdy"


def test_ambiguous_dates_follow_their_steady_order_else_a_stated_assumption():
    # Monthly on the 1st across a new year: read month first, the dates would jump back a year.
    months = [f"01/{m:02d}/2024" for m in range(2, 13)] + ["01/01/2025", "01/02/2025"]
    monthly = detect(lines("Date,Close", *[f"{d},1.5" for d in months]))
    assert (monthly.date_order, monthly.ambiguous_dates) == ("dmy", False)
    dotted = detect(lines("Date;Close", *[f"{d.replace('/', '.')};1,5" for d in months]))
    assert (dotted.date_order, dotted.ambiguous_dates) == ("dmy", False)
    # Three rows that read as days one way and months the other: the convention, and it says so.
    eu = detect(lines("Date;Close", "02.01.2024;1,5", "03.01.2024;1,6", "04.01.2024;1,7"))
    assert (eu.date_order, eu.ambiguous_dates) == ("dmy", True)
    assert eu.describe().endswith("dates day.month.year (assumed: no day above 12 told day from month)")
    us = detect(lines("Date,Close", "01/02/2024,1.5", "01/03/2024,1.6", "01/04/2024,1.7"))
    assert (us.date_order, us.ambiguous_dates) == ("mdy", True)
    table, dialect = stocks.read_table_with_dialect(lines("Date,Close", "01/02/2024,1.5", "01/03/2024,1.6").encode())
    assert dialect.ambiguous_dates and list(table["Date"]) == ["2024-01-02", "2024-01-03"]


def test_the_decimal_mark_needs_evidence_and_follows_the_separator_without_it():
    assert detect(lines("Date;Close", "2024-01-02;1234", "2024-01-03;1235")).decimal == ","
    assert detect(lines("Date,Close", "2024-01-02,1234", "2024-01-03,1235")).decimal == "."
    # "1.234" alone could be either; "1.234,5" elsewhere in the file settles it.
    assert detect(lines("Date;Close", "2024-01-02;1.234", "2024-01-03;1.234,5")) == \
        Dialect(";", ",", ".", "ymd", "-")


def test_numbers_and_dates_normalise_only_in_their_dialect():
    eu = Dialect(";", ",", ".", "dmy", ".")
    assert csv_dialect.normalise_number("1.234,56", eu) == "1234.56"
    assert csv_dialect.normalise_number("-0,5", eu) == "-0.5"
    assert csv_dialect.normalise_number("12.34", eu) is None  # not a number in this dialect
    assert csv_dialect.normalise_number("abc", eu) is None
    us = Dialect(",", ".", ",", "mdy", "/")
    assert csv_dialect.normalise_number("7,380,500", us) == "7380500"
    assert csv_dialect.normalise_number("1,5", us) is None  # never silently 15
    assert csv_dialect.normalise_date("02.01.2024", eu) == "2024-01-02"
    assert csv_dialect.normalise_date("1/3/2012", us) == "2012-01-03"
    assert csv_dialect.normalise_date("31.02.2024", eu) is None  # no such day
    assert csv_dialect.normalise_date("2024-1-2", eu) == "2024-01-02"  # year first is never ambiguous


# -- the loader ----------------------------------------------------------------------------
def test_a_european_export_loads_with_the_right_values_and_dates(tmp_path):
    raw = european_csv(60)
    table, dialect = stocks.read_table_with_dialect(raw)
    assert dialect.describe() == "Read as: separator ';', decimal comma, thousands '.', dates day.month.year"
    dates, values, column, _ = stocks.parse_series(table)
    assert column == "Eröffnung"  # the first numeric column after the date (no Close among them)
    assert str(dates[0]) == "2024-01-02" and str(dates[1]) == "2024-01-03"
    first = raw.decode().splitlines()[1].split(";")
    dates, values, column, _ = stocks.parse_series(table, value_column="Schluss")
    assert values[0] == pytest.approx(float(first[2].replace(".", "").replace(",", ".")))
    assert values[0] > 1000  # 1.234,56 is about a thousand, not 1.234
    assert stocks.numeric_columns(table)[-1] == "Volumen"
    path = tmp_path / "export.csv"
    path.write_bytes(european_csv(60, separator="\t"))
    series = stocks.load_csv(path, value_column="Schluss")
    assert np.allclose(series.values, values)


def test_the_same_prices_in_every_dialect_load_the_same(tmp_path):
    rows = [(f"2024-01-{d:02d}", 1000 + d + 0.25) for d in range(2, 30)]
    us = lines("Date,Close", *[f'{d},"{v:,.2f}"' for d, v in rows])
    eu = lines("Datum;Schluss", *[f"{d[8:]}.{d[5:7]}.{d[:4]};{german(v)}" for d, v in rows])
    tab = lines("Date\tClose", *[f"{int(d[5:7])}/{int(d[8:])}/{d[:4]}\t{v}" for d, v in rows])
    loaded = [stocks.parse_series(stocks.read_table(text.encode())) for text in (us, eu, tab)]
    for dates, values, _, _ in loaded:
        assert np.array_equal(dates, loaded[0][0]) and np.allclose(values, [v for _, v in rows])


def test_every_real_format_file_still_loads(shared_data):
    for path in sorted((shared_data / "stocks").glob("*.csv")):
        dialect = stocks.read_table_with_dialect(path)[1]
        assert (dialect.separator, dialect.decimal) == (",", "."), path.name
        series = stocks.load_csv(path)
        assert len(series.values) >= 20 and np.all(np.diff(series.dates).astype(int) > 0), path.name
    google = stocks.read_table_with_dialect(shared_data / "stocks" / "Google_Stock_Price_Train.csv")[1]
    assert google.describe() == "Read as: separator ',', decimal point, thousands ',', dates month/day/year"


@pytest.mark.parametrize("raw", [
    b"",
    b"\x00\xff\xfe\x89PNG",
    b"just one column\n1\n2\n",
    b"<html><body>Not Found</body></html>\n",
    b'{"chart": {"result": null}}',
    b'Date,Close\n"2024-01-02,1.5\n2024-01-03,1.6\n',  # a quote never closed
    b"Date,Close\n2024-01-02,1.5,9,9\n2024-01-03,1.6,9\n2024-01-04,1\n",  # ragged rows
    b"Date;Close\n2024-01-02;1\x002\n",
    b"Date," + b"x" * 200_000 + b"\n2024-01-02,1\n",
    b"Date;Close\n31.02.2024;1,5\n01.03.2024;1,6\n",  # no 31 February
    b"Date,Close\n" + b"2024-01-02,1e999\n" * 3,
    b"Date,Close\n2024-01-02,1,5\n2024-01-03,1,6\n",  # decimal commas, unquoted, in a comma file
])
def test_hostile_files_give_one_line_errors(raw):
    """Each is refused with one short line (never a traceback, a path or a silent misreading)."""
    with pytest.raises(ValueError) as caught:
        stocks.parse_series(stocks.read_table(raw))
    message = str(caught.value)
    assert "\n" not in message and 0 < len(message) < 400, message
    assert "Traceback" not in message and "/tmp" not in message


def test_unquoted_decimal_commas_are_named():
    with pytest.raises(ValueError, match="unquoted decimal commas"):
        stocks.read_table(b"Date,Close\n2024-01-02,1,5\n2024-01-03,1,6\n")


# -- stock splits --------------------------------------------------------------------------
def test_a_split_is_found_with_its_date_ratio_and_the_other_columns():
    table = stocks.read_table(split_csv(rows=60, split_row=40))
    (split,) = stocks.splits_in(table, value_column="Close")
    assert split.ratio == (2, 1) and split.adjustment == 0.5 and split.index == 40
    assert str(split.date) == str(np.busday_offset("2021-01-04", 40, roll="forward"))
    assert split.only_this_column and set(split.others) == {"Open"}  # Volume is not a price
    text = split.describe("Close")
    assert f"on {split.date}" in text and "2-for-1 split" in text and "Close is not adjusted" in text
    assert stocks.splits_in(table, value_column="Open") == []


def test_split_adjusted_csv_is_one_continuous_series_that_loads_again():
    table = stocks.read_table(split_csv(rows=60, split_row=40))
    raw, column = stocks.split_adjusted_csv(table, "Date", "Close")
    assert column == "Close (split-adjusted)"
    again = stocks.read_table(raw)
    _, values, used, note = stocks.parse_series(again)
    _, opens, _, _ = stocks.parse_series(table, value_column="Open")
    assert used == column and note == "" and np.allclose(values, opens, atol=0.01)  # Close was 2 × Open
    assert stocks.splits_in(again) == []


@pytest.mark.parametrize("factor,ratio", [(0.5, (2, 1)), (0.33, (3, 1)), (0.67, (3, 2)), (0.143, (7, 1)),
                                          (10.2, (1, 10)), (0.05, (20, 1))])
def test_plain_split_ratios(factor, ratio):
    assert price_splits.plain_ratio(factor) == ratio


def test_a_jump_that_is_no_plain_ratio_is_no_split_and_adjusting_is_exact():
    dates = np.arange("2021-01-01", "2021-01-07", dtype="datetime64[D]")
    assert price_splits.find_splits(dates, np.array([10, 10, 10, 2.5, 2.5, 2.5]))[0].ratio == (4, 1)
    assert price_splits.find_splits(dates, np.array([10, 10, 10, 12, 12, 12.0])) == []  # +20 %: a move
    splits = price_splits.find_splits(dates, np.array([10, 10, 5, 5, 50, 50.0]))
    assert [s.ratio for s in splits] == [(2, 1), (1, 10)]
    assert np.allclose(price_splits.adjust(np.array([10, 10, 5, 5, 50, 50.0]), splits), 50)


def test_the_google_course_file_split_is_found(shared_data):
    table = stocks.read_table(shared_data / "stocks" / "Google_Stock_Price_Train.csv")
    (split,) = stocks.splits_in(table, value_column="Close")
    assert str(split.date) == "2014-03-27" and split.ratio == (2, 1) and split.only_this_column
    aapl = stocks.read_table(shared_data / "stocks" / "AAPL.csv")
    (crash,) = stocks.splits_in(aapl)  # a real 52 % fall on 2000-09-29: the text says it may be real
    assert str(crash.date) == "2000-09-29" and not crash.only_this_column
    assert "may be a real move" in crash.describe("Adj Close")
