"""Names, companies and places drawn once per locale with a seeded Faker, then picked per record.

Faker is slow, so it only fills small pools up front; the per-record hot loops index into them.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from faker import Faker

from firmgen.draw import Draw

# Cycled by contact index so even the tiny firm has accented, CJK and right-to-left names.
LOCALES = (
    "en_US", "fr_FR", "de_DE", "ar_AA", "es_ES", "ja_JP", "en_GB", "he_IL", "pt_BR", "zh_CN", "en_US", "de_AT",
)
TEXT_LOCALE = "en_US"


@dataclass(frozen=True)
class LocalePool:
    locale: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    provinces: tuple[str, ...]
    postcodes: tuple[str, ...]
    country: str


_COUNTRIES = {
    "en_US": "US", "fr_FR": "FR", "de_DE": "DE", "ar_AA": "AE", "es_ES": "ES", "ja_JP": "JP",
    "en_GB": "GB", "he_IL": "IL", "pt_BR": "BR", "zh_CN": "CN", "de_AT": "AT",
}


def _province(fake: Faker) -> str:
    for provider in ("state", "region", "prefecture", "province"):
        if hasattr(fake, provider):
            return str(getattr(fake, provider)())
    return str(fake.city())


def _locale_pool(locale: str, seed: int, size: int) -> LocalePool:
    fake = Faker(locale)
    fake.seed_instance(seed)
    return LocalePool(
        locale=locale,
        first_names=tuple(fake.first_name() for _ in range(size)),
        last_names=tuple(fake.last_name() for _ in range(size)),
        companies=tuple(fake.company() for _ in range(size)),
        streets=tuple(fake.street_address() for _ in range(size)),
        cities=tuple(fake.city() for _ in range(size)),
        provinces=tuple(_province(fake) for _ in range(size)),
        postcodes=tuple(fake.postcode() for _ in range(size)),
        country=_COUNTRIES[locale],
    )


class Pools:
    def __init__(self, seed: int, size: int) -> None:
        self.by_locale = {locale: _locale_pool(locale, seed, size) for locale in dict.fromkeys(LOCALES)}
        text = Faker(TEXT_LOCALE)
        text.seed_instance(seed)
        self.sentences = tuple(text.sentence(nb_words=12) for _ in range(max(40, size)))
        self.paragraphs = tuple(text.paragraph(nb_sentences=6) for _ in range(max(20, size // 2)))
        self.words = tuple(dict.fromkeys(text.words(nb=200, unique=False)))

    def for_index(self, index: int) -> LocalePool:
        return self.by_locale[LOCALES[index % len(LOCALES)]]

    def sentence(self, draw: Draw) -> str:
        return draw.pick(self.sentences)

    def paragraphs_text(self, draw: Draw, count: int, joiner: str = "\n\n") -> str:
        return joiner.join(draw.pick(self.paragraphs) for _ in range(count))


def mailbox(first: str, last: str, fallback: str) -> str:
    """first.last (accents stripped) when that makes a plain ASCII mailbox, else the fallback (CJK, Arabic, Hebrew names)."""
    decomposed = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
    local = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace(" ", "").replace("'", "")
    plain = local.replace(".", "").replace("-", "")
    return local if local.isascii() and plain.isalnum() else fallback
