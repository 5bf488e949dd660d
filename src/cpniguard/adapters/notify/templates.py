"""Customer-facing messages from Jinja2 templates, in English or French, from Babel catalogs.

Each message `name` is two templates, `name.subject.txt` and `name.body.txt`, whose text sits
in `{% trans %}` blocks; the catalogs are the `.po` files under `locales/`, read when the
renderer is built (no compile step, so a clean checkout renders as is). Times arrive as
ISO 8601 strings and are written in the customer's language by Babel.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_datetime
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from cpniguard.domain.accounts import Language
from cpniguard.domain.notices import MESSAGE_FIELDS
from cpniguard.services.ports import RenderedMessage

TEMPLATES_DIR = Path(__file__).parent / "templates"
LOCALES_DIR = Path(__file__).parent / "locales"
CATALOG_DOMAIN = "messages"
TEMPLATE_PARTS = ("subject", "body")


class CatalogTranslations(gettext.NullTranslations):
    """gettext over one catalog's translated messages, remembering every message it lacked."""

    def __init__(self, messages: Mapping[str, str]) -> None:
        super().__init__()
        self._messages = dict(messages)
        self.missing: set[str] = set()

    def gettext(self, message: str) -> str:
        """The translation; the source text (and a note of the miss) when there is none."""
        found = self._messages.get(message)
        if found is None:
            self.missing.add(message)
            return message
        return found

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        """No message has plural forms yet; pick the form and translate it."""
        return self.gettext(msgid1 if n == 1 else msgid2)


@cache
def catalog_messages(locales_dir: Path, language: Language) -> Mapping[str, str]:
    """The translated, non-fuzzy messages of `language`'s catalog, by source text."""
    path = locales_dir / language.value / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language.value)
    return {
        m.id: m.string
        for m in catalog
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def message_names(templates_dir: Path = TEMPLATES_DIR) -> list[str]:
    """Every message the templates folder holds (each has a subject and a body)."""
    return sorted(p.name.removesuffix(".body.txt") for p in templates_dir.glob("*.body.txt"))


def template_sources(templates_dir: Path = TEMPLATES_DIR) -> Iterator[tuple[str, str]]:
    """Every template file's name and text (the catalogs must cover each of them)."""
    for path in sorted(templates_dir.glob("*.txt")):
        yield path.name, path.read_text(encoding="utf-8")


class JinjaMessageRenderer:
    """MessageRenderer: the templates in the customer's language (issue 4, 64.2010(f))."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR, locales_dir: Path = LOCALES_DIR) -> None:
        self.translations = {
            language: CatalogTranslations(catalog_messages(locales_dir, language)) for language in Language
        }
        self.environments = {
            language: _environment(templates_dir, language, translations)
            for language, translations in self.translations.items()
        }

    def render(self, template: str, language: Language, context: Mapping[str, str]) -> RenderedMessage:
        """The message `template` in `language`, filled from exactly the fields it declares."""
        _check_fields(template, context)
        environment = self.environments[language]
        subject, body = (
            environment.get_template(f"{template}.{part}.txt").render(context).strip()
            for part in TEMPLATE_PARTS
        )
        return RenderedMessage(subject=subject, body=body)

    def untranslated(self) -> dict[Language, set[str]]:
        """The source texts met while rendering that a catalog had no translation for."""
        return {language: set(t.missing) for language, t in self.translations.items() if t.missing}


def _check_fields(template: str, context: Mapping[str, str]) -> None:
    # A misnamed field would otherwise render an empty gap into a customer's message.
    expected = MESSAGE_FIELDS.get(template)
    if expected is None:
        raise ValueError(f"no message template {template!r}; known: {', '.join(sorted(MESSAGE_FIELDS))}")
    if set(context) != expected:
        raise ValueError(f"{template!r} is filled from {sorted(expected)}, not {sorted(context)}")


def _environment(templates_dir: Path, language: Language, translations: CatalogTranslations) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(templates_dir),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - plain-text messages, not HTML: nothing to escape
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    environment.filters["moment"] = lambda value: _moment(value, language)
    return environment


def _moment(value: str, language: Language) -> str:
    """An ISO 8601 instant, written out in `language`, in UTC (the account holds no time zone)."""
    instant = datetime.fromisoformat(value)
    return format_datetime(instant, format="long", tzinfo=UTC, locale=language.value)
