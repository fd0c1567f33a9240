"""The named transforms: golden examples, and properties (never raise, report rather than drop, round-trips)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.mapping.transforms import FACTORIES, DATAVERSE_MIN_DATE, build

ANYTHING = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                        max_leaves=6)
CONFIGURED = {"text": {"max_length": 20}, "choice": {"options": {"Open": 1, "Closed": 2}},
              "seconds_to": {"unit": "minutes"}, "money": {}, "number": {}, "date_only": {}, "utc_datetime": {},
              "rich_text": {"output": "plain", "max_length": 100}, "email": {}, "phone": {}, "boolean": {}}


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


def test_every_transform_has_a_configuration_here() -> None:
    assert set(CONFIGURED) == set(FACTORIES)


@pytest.mark.parametrize("name", sorted(CONFIGURED))
@given(value=ANYTHING)
@settings(max_examples=150, deadline=None)
def test_transforms_never_raise_and_never_lose_a_value_silently(name: str, value: object) -> None:
    result = build(name, CONFIGURED[name])(value)
    if value is not None and result.value is None and not (isinstance(value, str) and not value.strip()):
        assert result.problems, f"{name}({value!r}) dropped the value without a report"


def test_unknown_transforms_fail_when_the_map_loads() -> None:
    with pytest.raises(ValueError, match="Unknown transform 'upper'"):
        build("upper")
    with pytest.raises(TypeError):
        build("text", {"maximum": 3})


@given(st.text(max_size=60))
def test_text_truncates_with_a_warning_exactly_when_too_long(value: str) -> None:
    result = build("text", {"max_length": 20})(value)
    stripped = value.strip()
    assert result.value == (stripped[:20] or None)
    assert ("TRUNCATED" in codes(result)) == (len(stripped) > 20)
    assert build("text", {"max_length": 20, "overflow": "error"})(value).ok == (len(stripped) <= 20)


def test_choices_and_defaults() -> None:
    status = build("choice", {"options": {"Open": 1, "Pending": 2, "Closed": 3}})
    assert status("closed").value == 3 and status("Closed").ok
    assert codes(status("Archived")) == ["NO_SUCH_CHOICE"] and status("Archived").value is None
    defaulted = build("choice", {"options": {"Open": 1}, "default": 9})("Archived")
    assert defaulted.value == 9 and codes(defaulted) == ["CHOICE_DEFAULTED"]


@given(st.integers(min_value=0, max_value=10**7))
def test_seconds_become_minutes_and_hours(seconds: int) -> None:
    minutes = build("seconds_to", {"unit": "minutes"})(seconds).value
    assert abs(minutes * 60 - seconds) <= 30
    hours = build("seconds_to", {"unit": "hours", "places": 2})(seconds).value
    assert abs(hours * 3600 - seconds) <= 18 + 1e-6  # half of 0.01 h, plus float noise


def test_durations_golden() -> None:
    minutes = build("seconds_to", {"unit": "minutes"})
    assert minutes(5400).value == 90 and minutes(89).value == 1 and minutes("3600").value == 60
    assert codes(minutes(-60)) == ["NEGATIVE_DURATION"] and codes(minutes("an hour")) == ["NOT_A_NUMBER"]
    assert build("seconds_to", {"unit": "hours", "places": 2})(5400).value == 1.5


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips_at_two_places(amount) -> None:  # type: ignore[no-untyped-def]
    result = build("money")(str(amount))
    assert result.ok and result.value == float(amount) and result.problems == ()


def test_money_golden() -> None:
    assert build("money")(12.345).value == 12.35 and codes(build("money")(12.345)) == ["ROUNDED"]
    assert codes(build("money")("NaN")) == ["NOT_A_NUMBER"] and codes(build("money")(1e20)) == ["OUT_OF_RANGE"]


@given(st.dates(min_value=DATAVERSE_MIN_DATE))
def test_dates_round_trip(day: date) -> None:
    assert build("date_only")(day.isoformat()).value == day.isoformat()


@given(st.datetimes(min_value=datetime(1754, 1, 1), max_value=datetime(9998, 1, 1),
                    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-7)),
                                               timezone(timedelta(hours=5, minutes=30))])))
def test_timestamps_become_utc(moment: datetime) -> None:
    result = build("utc_datetime")(moment.isoformat())
    assert result.ok and result.problems == ()
    parsed = datetime.strptime(result.value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert parsed == moment.replace(microsecond=0).astimezone(timezone.utc)


def test_dates_golden() -> None:
    assert build("date_only")("2024-05-01T23:30:00-07:00").value == "2024-05-01"
    assert codes(build("date_only")("1752-12-31")) == ["BEFORE_1753"]
    assert build("utc_datetime")("2024-05-01T12:00:00-07:00").value == "2024-05-01T19:00:00Z"
    naive = build("utc_datetime")("2024-05-01T12:00:00")
    assert naive.value == "2024-05-01T12:00:00Z" and codes(naive) == ["ASSUMED_UTC"]
    assert codes(build("utc_datetime")("1700-01-01T00:00:00Z")) == ["BEFORE_1753"]


def test_rich_text_golden() -> None:
    note = '<p>Call <b>Ms. Ruiz</b> &amp; file</p><ul><li>motion</li><li>brief</li></ul><script>x()</script>'
    plain = build("rich_text", {"output": "plain", "max_length": 200})(note)
    assert plain.value == "Call Ms. Ruiz & file\n\nmotion\n\nbrief\n\nx()"
    assert codes(plain) == ["MARKUP_DROPPED"]
    html = build("rich_text", {"output": "html", "max_length": 500})('<p onclick="x">See <a href="https://x.example">'
                                                                     'this</a> <img src=y></p>')
    assert html.value == '<p>See <a href="https://x.example">this</a> </p>' and codes(html) == ["MARKUP_DROPPED"]


def test_notes_keep_plain_text_plain_and_rich_text_rich() -> None:
    preserve = build("rich_text", {"output": "preserve", "max_length": 60})
    plain = preserve("  Called the client.\nLeft a message.  ")
    assert plain.value == "Called the client.\nLeft a message." and codes(plain) == []
    rich = preserve("<p>Call <b>Ms. Ruiz</b> &amp; file</p>")
    assert rich.value == "<p>Call <b>Ms. Ruiz</b> &amp; file</p>" and codes(rich) == []
    long = preserve("x" * 61)
    assert long.value == "x" * 60 and codes(long) == ["TRUNCATED"]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_plain_text_has_none_of_clios_tags_left(value: str) -> None:
    result = build("rich_text", {"output": "plain", "max_length": 1000})(f"<p>{value}</p><br><b>x</b>")
    assert result.value is None or "<p>" not in result.value and "<b>" not in result.value


def test_contact_details_golden() -> None:
    assert build("email")(" Ana.Lopez@Example.COM ").value == "Ana.Lopez@example.com"
    bad = build("email")("ana.lopez(at)example")
    assert bad.value is None and codes(bad) == ["INVALID_EMAIL"]
    assert build("phone")("+1  (555)\t010-0199").value == "+1 (555) 010-0199"
    assert codes(build("phone")("n/a")) == ["INVALID_PHONE"]
    assert build("boolean")("true").value is True and codes(build("boolean")("maybe")) == ["NOT_A_BOOLEAN"]
