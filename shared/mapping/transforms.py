"""Named value transforms, referenced by name and arguments from the map files.

A transform never raises: it returns the value to write and the problems it met. An *error* means the value cannot
be written (the row is reported, not loaded); a *warning* means it was written changed (truncated, normalised,
dropped) and the change is reported. Nothing is silently dropped, truncated or defaulted.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html.parser import HTMLParser
from typing import Any, Literal

Severity = Literal["error", "warning"]
DATAVERSE_MIN_DATE = date(1753, 1, 1)  # SQL datetime floor: Dataverse rejects earlier dates
RICH_TEXT_TAGS = {"a", "b", "br", "div", "em", "i", "li", "ol", "p", "s", "strong", "u", "ul"}  # Clio's (clio.md §7)
_BLOCK_TAGS = {"br", "div", "li", "p", "ol", "ul"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9]*)[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str
    message: str


@dataclass(frozen=True)
class Transformed:
    value: Any
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems or not any(p.severity == "error" for p in self.problems)


Transform = Callable[[Any], Transformed]


def _error(code: str, message: str) -> Transformed:
    return Transformed(None, (Problem("error", code, message),))


def _warned(value: Any, code: str, message: str) -> Transformed:
    return Transformed(value, (Problem("warning", code, message),))


def _never_raises(transform: Transform) -> Transform:
    def guarded(value: Any) -> Transformed:
        try:
            return transform(value)
        except Exception as exc:  # a transform bug must cost one row, not the batch
            return _error("TRANSFORM_FAILED", f"{type(exc).__name__}: {exc}")
    return guarded


# -- factories: arguments from the map file -> transform ----------------------------------------------------------
def text(max_length: int, overflow: Literal["truncate", "error"] = "truncate") -> Transform:
    def apply(value: Any) -> Transformed:
        if value is None:
            return Transformed(None)
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            return _error("NOT_TEXT", f"expected text, got {type(value).__name__}")
        result = str(value).strip()
        if len(result) <= max_length:
            return Transformed(result or None)
        if overflow == "error":
            return _error("TOO_LONG", f"{len(result)} characters, the column holds {max_length}")
        return _warned(result[:max_length], "TRUNCATED", f"cut from {len(result)} to {max_length} characters")
    return apply


def choice(options: dict[str, int], default: int | None = None) -> Transform:
    """A Clio enum value to a Dataverse option value; matching ignores case. Unknown values are errors unless the
    map names a default, which is then reported."""
    folded = {key.lower(): number for key, number in options.items()}

    def apply(value: Any) -> Transformed:
        if value is None:
            return Transformed(None)
        found = folded.get(str(value).lower())
        if found is not None:
            return Transformed(found)
        if default is not None:
            return _warned(default, "CHOICE_DEFAULTED", f"{value!r} has no option; used {default}")
        return _error("NO_SUCH_CHOICE", f"{value!r} is not one of {sorted(options)}")
    return apply


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def seconds_to(unit: Literal["minutes", "hours"], places: int = 0) -> Transform:
    divisor = Decimal(60 if unit == "minutes" else 3600)
    step = Decimal(1).scaleb(-places)

    def apply(value: Any) -> Transformed:
        if value is None:
            return Transformed(None)
        seconds = _number(value)
        if seconds is None:
            return _error("NOT_A_NUMBER", f"{value!r} is not a number of seconds")
        if seconds < 0:
            return _error("NEGATIVE_DURATION", f"{value!r} seconds")
        converted = (seconds / divisor).quantize(step, rounding=ROUND_HALF_UP)
        return Transformed(int(converted) if places == 0 else float(converted))
    return apply


def number(places: int = 6, minimum: float | None = None, maximum: float | None = None,
           what: str = "a number") -> Transform:
    """A number rounded to `places` (reported when that changes it), optionally within a range."""
    step = Decimal(1).scaleb(-places)
    low = Decimal(str(minimum)) if minimum is not None else None
    high = Decimal(str(maximum)) if maximum is not None else None

    def apply(value: Any) -> Transformed:
        if value is None:
            return Transformed(None)
        amount = _number(value)
        if amount is None:
            return _error("NOT_A_NUMBER", f"{value!r} is not {what}")
        if (low is not None and amount < low) or (high is not None and amount > high):
            return _error("OUT_OF_RANGE", f"{amount} is outside {minimum}..{maximum}")
        rounded = amount.quantize(step, rounding=ROUND_HALF_UP)
        result = float(rounded)
        return Transformed(result) if rounded == amount else _warned(result, "ROUNDED", f"{amount} -> {rounded}")
    return apply


def money(places: int = 2, minimum: float = -922_337_203_685_477.0, maximum: float = 922_337_203_685_477.0
          ) -> Transform:
    """Dataverse Money: two places by default, within its range."""
    return number(places, minimum, maximum, what="an amount")


def _parse_moment(value: Any) -> datetime | date | None:
    if isinstance(value, (datetime, date)):
        return value
    if not isinstance(value, str):
        return None
    text_value = value.strip()
    try:
        if "T" in text_value or " " in text_value:
            return datetime.fromisoformat(text_value.replace("Z", "+00:00"))
        return date.fromisoformat(text_value)
    except ValueError:
        return None


def date_only() -> Transform:
    """Dataverse DateOnly columns take `YYYY-MM-DD`; a timestamp keeps its own calendar date."""
    def apply(value: Any) -> Transformed:
        if value is None:
            return Transformed(None)
        moment = _parse_moment(value)
        if moment is None:
            return _error("NOT_A_DATE", f"{value!r} is not an ISO-8601 date")
        day = moment.date() if isinstance(moment, datetime) else moment
        if day < DATAVERSE_MIN_DATE:
            return _error("BEFORE_1753", f"{day.isoformat()} is before Dataverse's earliest date 1753-01-01")
        return Transformed(day.isoformat())
    return apply


def utc_datetime(dates: Literal["report", "midnight"] = "report") -> Transform:
    """Dataverse DateAndTime columns take UTC; a timestamp without an offset is read as UTC and reported. A plain
    date becomes 00:00 UTC — reported, unless the map declares the source date-only (`dates: midnight`)."""
    def apply(value: Any) -> Transformed:
        if value is None:
            return Transformed(None)
        moment = _parse_moment(value)
        if moment is None:
            return _error("NOT_A_TIMESTAMP", f"{value!r} is not an ISO-8601 timestamp")
        problems: list[Problem] = []
        if not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
            if dates == "report":
                problems.append(Problem("warning", "DATE_AS_MIDNIGHT_UTC", f"{value!r} has no time; used 00:00 UTC"))
        elif moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
            problems.append(Problem("warning", "ASSUMED_UTC", f"{value!r} has no offset; read as UTC"))
        utc = moment.astimezone(timezone.utc)
        if utc.date() < DATAVERSE_MIN_DATE:
            return _error("BEFORE_1753", f"{utc.isoformat()} is before Dataverse's earliest date 1753-01-01")
        return Transformed(utc.replace(tzinfo=None).isoformat(timespec="seconds") + "Z", tuple(problems))
    return apply


class _RichText(HTMLParser):
    def __init__(self, keep_tags: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_tags = keep_tags
        self.parts: list[str] = []
        self.dropped: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in RICH_TEXT_TAGS:
            self.dropped.add(tag)
        elif self.keep_tags:
            href = next((v for k, v in attrs if k == "href" and v and v.startswith(("http://", "https://",
                                                                                     "mailto:"))), None)
            self.parts.append(f'<a href="{html.escape(href, quote=True)}">' if tag == "a" and href else f"<{tag}>")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in RICH_TEXT_TAGS and self.keep_tags and tag != "br":
            self.parts.append(f"</{tag}>")
        elif tag in _BLOCK_TAGS and not self.keep_tags:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(html.escape(data, quote=False) if self.keep_tags else data)


def _plain(value: str) -> tuple[str, set[str]]:
    dropped: set[str] = set()

    def replace(tag: re.Match[str]) -> str:
        name = tag.group(1).lower()
        if name not in RICH_TEXT_TAGS:
            dropped.add(name)
        return "\n" if name in _BLOCK_TAGS else ""

    text_only = html.unescape(_TAG.sub(replace, _COMMENT.sub("", value)))
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text_only)).strip(), dropped


def rich_text(output: Literal["plain", "html", "preserve"], max_length: int) -> Transform:
    """Clio rich text (a small set of tags) to plain text or to HTML limited to those tags; other markup is
    dropped and reported; over-long results are truncated and reported. `preserve`: text without markup stays
    plain text, text with markup becomes HTML (what a Dynamics timeline note shows as rich text)."""
    limit = text(max_length)

    def apply(value: Any) -> Transformed:
        if value is None:
            return Transformed(None)
        if not isinstance(value, str):
            return _error("NOT_TEXT", f"expected text, got {type(value).__name__}")
        if "<" not in value and "&" not in value:  # no markup: nothing to parse
            result = value if output != "html" else html.escape(value, quote=False)
            return limit(result if output == "html" else result.strip())
        if output == "plain":  # text out: a tag scan is enough (and much faster than a parser)
            result, dropped = _plain(value)
        else:
            parser = _RichText(keep_tags=True)
            parser.feed(value)
            parser.close()
            result, dropped = "".join(parser.parts), parser.dropped
        limited = limit(result)
        problems = list(limited.problems)
        if dropped:
            problems.append(Problem("warning", "MARKUP_DROPPED", f"tags removed: {sorted(dropped)}"))
        return Transformed(limited.value, tuple(problems))
    return apply


def email(max_length: int = 100) -> Transform:
    limit = text(max_length, overflow="error")

    def apply(value: Any) -> Transformed:
        if value is None or (isinstance(value, str) and not value.strip()):
            return Transformed(None)
        if not isinstance(value, str) or not _EMAIL.match(value.strip()):
            return _warned(None, "INVALID_EMAIL", f"{value!r} is not an email address; not written")
        local, _, domain = value.strip().rpartition("@")
        return limit(f"{local}@{domain.lower()}")
    return apply


def phone(max_length: int = 50) -> Transform:
    limit = text(max_length)

    def apply(value: Any) -> Transformed:
        if value is None or (isinstance(value, str) and not value.strip()):
            return Transformed(None)
        cleaned = re.sub(r"\s+", " ", str(value)).strip()
        if not re.search(r"\d", cleaned):
            return _warned(None, "INVALID_PHONE", f"{value!r} has no digits; not written")
        return limit(cleaned)
    return apply


def boolean() -> Transform:
    def apply(value: Any) -> Transformed:
        if value is None or isinstance(value, bool):
            return Transformed(value)
        folded = str(value).strip().lower()
        if folded in ("true", "1", "yes"):
            return Transformed(True)
        if folded in ("false", "0", "no"):
            return Transformed(False)
        return _error("NOT_A_BOOLEAN", f"{value!r} is not true or false")
    return apply


FACTORIES: dict[str, Callable[..., Transform]] = {
    "text": text, "choice": choice, "number": number, "seconds_to": seconds_to, "money": money, "date_only": date_only,
    "utc_datetime": utc_datetime, "rich_text": rich_text, "email": email, "phone": phone, "boolean": boolean}


def build(name: str, args: dict[str, Any] | None = None) -> Transform:
    """The transform a map file names, with its arguments; unknown names and bad arguments fail at map load."""
    if name not in FACTORIES:
        raise ValueError(f"Unknown transform '{name}' (known: {sorted(FACTORIES)})")
    return _never_raises(FACTORIES[name](**(args or {})))
