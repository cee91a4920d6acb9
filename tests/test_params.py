import pytest

from dl_core.params import Param, ParamError, Schema

SCHEMA = Schema((
    Param("units", "int", 8, "units", min=1, max=64),
    Param("rate", "float", 0.01, "rate", min=0.0001, max=0.1, log=True),
    Param("kind", "str", "conv", "kind", choices=("conv", "dense")),
    Param("noisy", "bool", False, "noise"),
))


def test_canonical_fills_defaults_and_coerces_strings():
    assert SCHEMA.canonical({"units": "16", "noisy": "true", "rate": "1e-3"}) == {
        "units": 16, "rate": 0.001, "kind": "conv", "noisy": True}


@pytest.mark.parametrize("name,value,fragment", [
    ("units", "0", "from 1 to 64"),
    ("units", "2.5", "expected an int"),
    ("units", True, "expected an int"),
    ("rate", "nan", "expected a float"),
    ("kind", "rnn", "one of conv, dense"),
    ("noisy", "maybe", "true or false"),
])
def test_bad_values_name_the_allowed_values(name, value, fragment):
    with pytest.raises(ParamError, match=fragment):
        SCHEMA.canonical({name: value})


def test_unknown_name_lists_known_names():
    with pytest.raises(ParamError, match="expected one of units, rate, kind, noisy"):
        SCHEMA.canonical({"unit": 3})


def test_parse_assignments_rejects_missing_equals():
    assert SCHEMA.parse_assignments(["units=3", " kind = dense"]) == {"units": "3", "kind": "dense"}
    with pytest.raises(ParamError, match="NAME=VALUE"):
        SCHEMA.parse_assignments(["units"])


def test_json_schema_has_ranges_and_choices():
    data = SCHEMA.to_json()
    assert data["units"] == {"default": 8, "type": "int", "help": "units", "min": 1, "max": 64}
    assert data["kind"]["choices"] == ["conv", "dense"]


def test_default_out_of_range_is_a_programming_error():
    with pytest.raises(ParamError):
        Schema((Param("x", "int", 100, "x", min=1, max=10),))
