"""Which CSV dialect a price file is written in, decided from the file itself.

A US/Yahoo export reads `Date,Close` / `2024-01-02,1234.56` (or `1/2/2024`, `"1,234.56"`); a
European broker's reads `Datum;Schluss` / `02.01.2024;1.234,56`. `detect` finds:

- the separator among , ; tab | (the one that splits the header and nearly every sampled row
  into the same number of fields, at least two; quotes are respected);
- the decimal mark, . or , (from numbers that only one reading allows: `12,5` and `1.234,56`
  say comma, `12.5` and `1,234.56` say point; a file with no such number follows the separator:
  a ; file is European);
- the thousands separator (, . ' or a space), when some number is written in groups of three;
- the date order, from the data: year first (2024-01-02), or day first when some first field
  is above 12, month first when some second field is; when neither is (a short file, or monthly
  dates on a day up to the 12th), the one order in which the dates run one way in steps of at
  most a month (monthly 01.02.2024 … 01.01.2025 read month first would jump back a year), else
  the convention of the separators (02.01.2024 and decimal-comma files day first, US slashes
  month first), and `ambiguous_dates` says it was assumed.

`normalise` then rewrites every number as 1234.56 and every date as 2024-01-02, so the rest of
the loader reads one format. Pure: text in, text out; no pandas here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
SAMPLE_LINES = 200  # enough rows to see a day above 12 in any daily series
THOUSANDS_SPACES = (" ", "\u00a0", "\u202f")  # space, no-break space, narrow no-break space

YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
YEAR_LAST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
NUMBER_LIKE = re.compile(r"[+-]?[\d.,' \u00a0\u202f]*\d[\d.,' \u00a0\u202f]*")


class DialectError(ValueError):
    """The file's separator cannot be told: a learner-facing one-line message."""


@dataclass(frozen=True)
class Dialect:
    separator: str = ","
    decimal: str = "."
    thousands: str = ""  # "" when no number is written in groups
    date_order: str = "ymd"  # "ymd", "dmy" or "mdy"
    date_separator: str = "-"
    ambiguous_dates: bool = False  # the order was assumed: no field told day from month

    def describe(self) -> str:
        """One line for the learner, e.g. "Read as: separator ';', decimal comma, thousands '.',
        dates day.month.year"."""
        decimal = "decimal comma" if self.decimal == "," else "decimal point"
        thousands = {"": "", " ": ", thousands ' '"}.get(self.thousands, f", thousands '{self.thousands}'")
        names = {"y": "year", "m": "month", "d": "day"}
        order = self.date_separator.join(names[c] for c in self.date_order)
        assumed = " (assumed: no day above 12 told day from month)" if self.ambiguous_dates else ""
        return (f"Read as: separator {SEPARATOR_NAMES[self.separator]}, {decimal}{thousands}, "
                f"dates {order}{assumed}")


def detect(text: str) -> Dialect:
    lines = [line for line in text.splitlines() if line.strip()][:SAMPLE_LINES + 1]
    separator = detect_separator(lines)
    rows = list(csv.reader(lines[1:], delimiter=separator))
    cells = [cell.strip() for row in rows for cell in row]
    dates = [cell for cell in cells if _date_parts(cell)]
    numbers = [cell for cell in cells if cell not in dates and NUMBER_LIKE.fullmatch(cell)]
    decimal = detect_decimal(numbers, separator)
    order, date_separator, ambiguous = detect_date_order(dates, decimal)
    return Dialect(separator, decimal, detect_thousands(numbers, decimal), order, date_separator,
                   ambiguous)


def detect_separator(lines: list[str]) -> str:
    """The separator that splits the header into ≥ 2 fields and ≥ 90 % of rows into as many."""
    if not lines:
        raise DialectError("the CSV is empty: expected a header line (Date,Close,…) and one row per day")
    best, best_fields, problem = None, 1, ""
    for separator in SEPARATORS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=separator)]
        except csv.Error as err:  # e.g. a field longer than the csv module's limit
            problem = f" ({err})"
            continue
        header, rows = counts[0], counts[1:]
        steady = not rows or sum(n == header for n in rows) >= 0.9 * len(rows)
        if header > best_fields and steady:
            best, best_fields = separator, header
        elif separator == "," and header >= 2 and rows and all(n > header for n in rows):
            problem = " (every row has more fields than the header: unquoted decimal commas?)"
    if best is None:
        header = lines[0].strip()[:60]
        raise DialectError(f"the CSV's columns could not be told apart{problem} (header {header!r}): "
                           "expected a header line and rows with the same number of fields, separated "
                           "by commas, semicolons, tabs or |")
    return best


def detect_decimal(numbers: list[str], separator: str) -> str:
    comma = point = 0
    for cell in numbers:
        digits = cell.lstrip("+-")
        last_comma, last_point = digits.rfind(","), digits.rfind(".")
        if last_comma >= 0 and last_point >= 0:  # both: the later one is the decimal mark
            comma, point = comma + (last_comma > last_point), point + (last_point > last_comma)
        elif digits.count(",") == 1 and len(digits) - last_comma - 1 != 3:
            comma += 1  # 12,5 (1,234 could be either)
        elif digits.count(".") == 1 and len(digits) - last_point - 1 != 3:
            point += 1
    if comma == point:  # no evidence, or as much each way: the separator's convention
        return "," if separator == ";" else "."
    return "," if comma > point else "."


def detect_thousands(numbers: list[str], decimal: str) -> str:
    for mark in ("." if decimal == "," else ",", "'", *THOUSANDS_SPACES):
        grouped = re.compile(rf"[+-]?\d{{1,3}}({re.escape(mark)}\d{{3}})+({re.escape(decimal)}\d+)?")
        if any(grouped.fullmatch(cell) for cell in numbers):
            return " " if mark in THOUSANDS_SPACES else mark
    return ""


def detect_date_order(dates: list[str], decimal: str) -> tuple[str, str, bool]:
    """(order, separator, ambiguous) of the dates; ("ymd", "-", False) when there are none."""
    parts = [_date_parts(cell) for cell in dates]
    if not parts:
        return "ymd", "-", False
    separator = max({p[1] for p in parts}, key=[p[1] for p in parts].count)
    if sum(p[0] == "ymd" for p in parts) * 2 > len(parts):
        return "ymd", separator, False
    pairs = [(a, b) for kind, _, a, b, _ in parts if kind == "?"]
    day_first = any(a > 12 for a, _ in pairs)
    month_first = any(b > 12 for _, b in pairs)
    if day_first != month_first:
        return ("dmy" if day_first else "mdy"), separator, False
    if day_first:  # both: not one order; say what convention reads most of it, the loader reports rows
        return ("dmy" if sum(a > 12 for a, _ in pairs) >= sum(b > 12 for _, b in pairs) else "mdy",
                separator, False)
    either = [p for p in parts if p[0] == "?"]
    steady = [order for order in ("dmy", "mdy") if _runs_steadily(either, order)]
    if len(steady) == 1:
        return steady[0], separator, False
    conventional = "dmy" if separator == "." or decimal == "," else "mdy"
    return conventional, separator, True


def number_pattern(dialect: Dialect) -> str:
    """A regular expression that matches a whole number written in `dialect`."""
    decimal = re.escape(dialect.decimal)
    fraction = rf"(?:{decimal}\d+)?"
    forms = [rf"\d+{fraction}", rf"{decimal}\d+"]
    if dialect.thousands:
        mark = "[ \u00a0\u202f]" if dialect.thousands == " " else re.escape(dialect.thousands)
        forms.insert(0, rf"\d{{1,3}}(?:{mark}\d{{3}})+{fraction}")
    return rf"[+-]?(?:{'|'.join(forms)})(?:[eE][+-]?\d+)?"


def thousands_marks(dialect: Dialect) -> tuple[str, ...]:
    """The characters to drop from a number: its thousands separator (every kind of space)."""
    if dialect.thousands == " ":
        return THOUSANDS_SPACES
    return (dialect.thousands,) if dialect.thousands else ()


def plain_number(text: str, dialect: Dialect) -> str:
    """A number already matched by `number_pattern`, rewritten as 1234.56."""
    for mark in thousands_marks(dialect):
        text = text.replace(mark, "")
    return text.replace(dialect.decimal, ".")


def normalise_number(cell: str, dialect: Dialect) -> str | None:
    """`cell` as 1234.56 if it is a number in `dialect`, else None."""
    text = cell.strip()
    return plain_number(text, dialect) if re.fullmatch(number_pattern(dialect), text) else None


def normalise_date(cell: str, dialect: Dialect) -> str | None:
    """`cell` as 2024-01-02 if it is a valid date in `dialect`'s order, else None."""
    parts = _date_parts(cell.strip())
    if parts is None:
        return None
    kind, _, a, b, year = parts
    month, day = (b, a) if kind == "?" and dialect.date_order == "dmy" else (a, b)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_parts(cell: str) -> tuple[str, str, int, int, int] | None:
    """("ymd", sep, month, day, year) or ("?", sep, first, second, year) for d/m/Y or m/d/Y."""
    found = YEAR_FIRST.fullmatch(cell)
    if found:
        return "ymd", found[2], int(found[3]), int(found[4]), int(found[1])
    found = YEAR_LAST.fullmatch(cell)
    if found:
        return "?", found[2], int(found[1]), int(found[3]), int(found[4])
    return None


def _runs_steadily(parts, order: str) -> bool:
    """Read in `order`, do the dates run one way (up or down) in steps of at most a month?"""
    days = []
    for _, _, a, b, year in parts:
        month, day = (b, a) if order == "dmy" else (a, b)
        try:
            days.append(date(year, month, day).toordinal())
        except ValueError:
            return False
    steps = [later - earlier for earlier, later in pairwise(days)]
    return bool(steps) and (all(0 < s <= 31 for s in steps) or all(-31 <= s < 0 for s in steps))
