"""Every customer-facing message renders in English and French, with nothing left untranslated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jinja2 import Environment
from tests.conftest import TEST_NOW

from cpniguard.adapters.notify.templates import (
    LOCALES_DIR,
    JinjaMessageRenderer,
    catalog_messages,
    message_names,
    template_sources,
)
from cpniguard.domain.accounts import Language
from cpniguard.domain.breach_customer_notice import (
    BREACH_NOTICE_EMAIL_TEMPLATE,
    BREACH_NOTICE_LETTER_TEMPLATE,
    customer_notice_content,
    customer_notice_fields,
)
from cpniguard.domain.breach_timeline import DATA_TYPES, BreachEvent, BreachEventKind
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.consent_notices import CONFIRMED_DECISIONS
from cpniguard.domain.notices import MESSAGE_FIELDS, account_change_fields
from cpniguard.domain.notifications import AccountChange

CODE_FIELDS = {"code": "483920", "expires_at": "2026-11-02T15:10:00+00:00"}


NOTICE_FIELDS = {
    "notice_subject": "Notice about your CPNI",
    "notice_text": "You have a right under federal law to protect your CPNI.",
    "opt_out_address": "marketing@example-telecom.test",
}


def breach_notice_fields() -> dict[str, str]:
    """A breach notice naming every data type, so every description and step is rendered."""
    events = [
        BreachEvent(
            BreachEventKind.DATE_RANGE,
            TEST_NOW,
            TEST_NOW,
            "t",
            details={"from": "2026-10-01", "to": "2026-10-09"},
        ),
        BreachEvent(
            BreachEventKind.DATA_TYPES,
            TEST_NOW,
            TEST_NOW,
            "t",
            details={"types": ",".join(sorted(DATA_TYPES))},
        ),
    ]
    carrier = CarrierContact(
        "Example Telecom", "1 Main St, Albany NY", "Privacy Office", "privacy@example.test", "+1 518 555 0100"
    )
    content = customer_notice_content(
        events,
        carrier=carrier,
        state_regulator_contact="NY PSC, 1-800-342-3377",
        credit_monitoring_offer="A year of free credit monitoring: call 1-800-555-0199.",
    )
    return customer_notice_fields(content)


def every_message() -> list[tuple[str, dict[str, str]]]:
    """Each message with fields to fill it: account_change once per kind of change,
    consent_confirmation once per decision."""
    changes = [("account_change", account_change_fields(change, TEST_NOW)) for change in AccountChange]
    decisions = [
        ("consent_confirmation", {"decision": decision, "recorded_at": TEST_NOW.isoformat()})
        for decision in CONFIRMED_DECISIONS
    ]
    breaches = [
        (name, breach_notice_fields())
        for name in (BREACH_NOTICE_EMAIL_TEMPLATE, BREACH_NOTICE_LETTER_TEMPLATE)
    ]
    special = {"account_change", "consent_confirmation", "cpni_notice", "cpni_notice_letter"}
    special |= {name for name, _ in breaches}
    codes = [(name, dict(CODE_FIELDS)) for name in sorted(MESSAGE_FIELDS) if name not in special]
    notices = [("cpni_notice", dict(NOTICE_FIELDS)), ("cpni_notice_letter", dict(NOTICE_FIELDS))]
    return changes + decisions + notices + breaches + codes


def source_texts() -> set[str]:
    """Every translatable text in the templates, as Babel extracts it."""
    environment = Environment(extensions=["jinja2.ext.i18n"], autoescape=False)  # noqa: S701 - text
    environment.policies["ext.i18n.trimmed"] = True
    return {
        message
        for _, source in template_sources()
        for _, _, message in environment.extract_translations(source)  # type: ignore[attr-defined]
        if isinstance(message, str)
    }


@pytest.mark.parametrize("language", list(Language))
def test_every_message_renders_with_every_text_translated(language: Language) -> None:
    renderer = JinjaMessageRenderer()
    for name, fields in every_message():
        rendered = renderer.render(name, language, fields)
        assert rendered.subject
        assert rendered.body
    assert renderer.untranslated() == {}


@pytest.mark.parametrize("language", list(Language))
def test_each_catalog_translates_every_text_of_the_templates(language: Language) -> None:
    missing = source_texts() - set(catalog_messages(LOCALES_DIR, language))
    assert not missing, f"{language} catalog lacks: {sorted(missing)}"


def test_every_template_is_a_declared_message_and_every_declared_message_has_a_template() -> None:
    assert message_names() == sorted(MESSAGE_FIELDS)


def test_french_messages_differ_from_english_and_write_dates_in_french() -> None:
    renderer = JinjaMessageRenderer()
    fields = account_change_fields(AccountChange.PASSWORD, TEST_NOW)
    english = renderer.render("account_change", Language.EN, fields)
    french = renderer.render("account_change", Language.FR, fields)
    assert "November 2, 2026" in english.body
    assert "2 novembre 2026" in french.body
    assert "mot de passe" in french.body
    english_sentences = {text.split("%")[0] for text in source_texts() if len(text.split()) > 3}
    assert not [s for s in english_sentences if s in french.body or s in (french.subject or "")]


def test_a_text_missing_from_a_catalog_is_reported(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    french = locales / "fr" / "LC_MESSAGES" / "messages.po"
    text = french.read_text(encoding="utf-8")
    french.write_text(text.replace('msgstr "votre NIP"', 'msgstr ""'), encoding="utf-8")
    renderer = JinjaMessageRenderer(locales_dir=locales)
    renderer.render("account_change", Language.FR, account_change_fields(AccountChange.PIN, TEST_NOW))
    assert renderer.untranslated() == {Language.FR: {"your PIN"}}


def test_a_fuzzy_translation_counts_as_missing(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    french = locales / "fr" / "LC_MESSAGES" / "messages.po"
    text = french.read_text(encoding="utf-8")
    french.write_text(text.replace('msgid "your PIN"', '#, fuzzy\nmsgid "your PIN"'), encoding="utf-8")
    assert "your PIN" not in catalog_messages(locales, Language.FR)


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("account_change", {"change": "password"}),
        ("account_change", {"change": "password", "changed_at": "x", "new_value": "secret"}),
        ("welcome", {}),
    ],
)
def test_a_message_filled_from_other_fields_than_it_declares_is_refused(
    name: str, fields: dict[str, str]
) -> None:
    with pytest.raises(ValueError, match=r"filled from|no message template"):
        JinjaMessageRenderer().render(name, Language.EN, fields)
