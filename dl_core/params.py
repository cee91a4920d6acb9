"""Parameter schemas: one declaration drives the page widgets, the command line and the cache key.

A topic declares its parameters once as a `Schema`. The page builds its widgets from it, the
command line validates `--set NAME=VALUE` against it, and `Schema.canonical` produces the exact
dict that is hashed into the cache key. Because all three read the same object they cannot drift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

_TYPES = {"int": int, "float": float, "str": str, "bool": bool}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ParamError(ValueError):
    """A parameter is unknown, of the wrong type or out of range. The message is one line."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "int" | "float" | "str" | "bool"
    default: Any
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None
    log: bool = False  # a float best shown on a log scale (learning rates)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"default": self.default, "type": self.type, "help": self.help}
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.choices is not None:
            out["choices"] = list(self.choices)
        return out

    def allowed(self) -> str:
        """Human description of the allowed values, used in every error message."""
        if self.choices is not None:
            return "one of " + ", ".join(str(c) for c in self.choices)
        if self.type == "bool":
            return "true or false"
        lo = "-inf" if self.min is None else self.min
        hi = "inf" if self.max is None else self.max
        return f"a{'n' if self.type == 'int' else ''} {self.type} from {lo} to {hi}"

    def coerce(self, value: Any) -> Any:
        """Convert `value` (a Python value or a command-line string) and check it."""
        try:
            converted = self._convert(value)
        except (TypeError, ValueError):
            raise ParamError(f"{self.name}={value!r} is not valid: expected {self.allowed()}") from None
        self._check(converted, value)
        return converted

    def _convert(self, value: Any) -> Any:
        if self.type == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(value)
        if self.type == "int":
            if isinstance(value, bool):
                raise ValueError(value)
            number = float(value)
            if not number.is_integer():
                raise ValueError(value)
            return int(number)
        if self.type == "float":
            if isinstance(value, bool):
                raise ValueError(value)
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(value)
            return number
        return str(value)

    def _check(self, converted: Any, original: Any) -> None:
        bad = (
            (self.choices is not None and converted not in self.choices)
            or (self.min is not None and converted < self.min)
            or (self.max is not None and converted > self.max)
        )
        if bad:
            raise ParamError(f"{self.name}={original!r} is out of range: expected {self.allowed()}")


@dataclass(frozen=True)
class Schema:
    params: tuple[Param, ...] = field(default_factory=tuple)

    def __post_init__(self):
        for p in self.params:
            if p.type not in _TYPES:
                raise ValueError(f"param {p.name}: type {p.type!r} is not one of {sorted(_TYPES)}")
            p.coerce(p.default)  # a default outside its own range is a programming error

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def get(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ParamError(f"unknown parameter {name!r}: expected one of {', '.join(self.names)}")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def canonical(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overlaid with `values`, every value coerced and checked, keys in schema order."""
        values = dict(values or {})
        for name in values:
            self.get(name)  # raises on unknown names
        return {p.name: p.coerce(values.get(p.name, p.default)) for p in self.params}

    def parse_assignments(self, assignments: list[str]) -> dict[str, Any]:
        """Parse command-line `NAME=VALUE` strings into raw (unchecked) values."""
        raw: dict[str, Any] = {}
        for item in assignments:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise ParamError(f"--set {item!r} is not NAME=VALUE (parameters: {', '.join(self.names)})")
            raw[name.strip()] = value.strip()
        return raw

    def to_json(self) -> dict:
        return {p.name: p.to_json() for p in self.params}
