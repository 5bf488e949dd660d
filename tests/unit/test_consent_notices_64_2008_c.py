"""A CPNI notice says all that 64.2008(c) asks, in English and French, and nothing it forbids."""

from __future__ import annotations

import pytest

from cpniguard.adapters.notify.notice_files import DEFAULT_NOTICE_FILE, load_notice_file
from cpniguard.domain.consent_notices import (
    NOTICE_LANGUAGES,
    REQUIRED_CLAUSES,
    notice_body_text,
    notice_problems,
)
from cpniguard.domain.errors import FieldProblem

ADDRESS = "marketing@example-telecom.test"
CARRIER = "Example Telecom"
PARTS = ("subject", *REQUIRED_CLAUSES)
SAYS_NOTHING = {"en": "This paragraph says nothing of use.", "fr": "Ce paragraphe ne dit rien d'utile."}

Texts = dict[str, dict[str, str]]


def default_texts() -> Texts:
    _, _, texts = load_notice_file(DEFAULT_NOTICE_FILE, opt_out_address=ADDRESS, carrier_name=CARRIER)
    return texts


def problems_of(texts: Texts, *, days: int = 30, address: str = ADDRESS) -> list[FieldProblem]:
    return notice_problems(texts, waiting_period_days=days, opt_out_address=address)


def locations(problems: list[FieldProblem]) -> set[str]:
    return {p.location for p in problems}


def test_the_default_notice_has_no_problem_in_either_language() -> None:
    assert problems_of(default_texts()) == []


@pytest.mark.parametrize("language", NOTICE_LANGUAGES)
@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("missing", [None, "   "])
def test_a_missing_or_blank_clause_is_reported_where_it_is(
    language: str, part: str, missing: str | None
) -> None:
    texts = default_texts()
    if missing is None:
        del texts[language][part]
    else:
        texts[language][part] = missing
    problems = problems_of(texts)
    assert locations(problems) == {f"texts.{language}.{part}"}
    assert "is missing" in problems[0].message


@pytest.mark.parametrize("language", NOTICE_LANGUAGES)
@pytest.mark.parametrize("part", PARTS)
def test_a_clause_that_does_not_say_what_it_must_is_reported(language: str, part: str) -> None:
    texts = default_texts()
    texts[language][part] = SAYS_NOTHING[language]
    problems = problems_of(texts)
    assert locations(problems) == {f"texts.{language}.{part}"}
    assert all(p.message.startswith("must mention") and "64.20" in p.message for p in problems)


@pytest.mark.parametrize("language", NOTICE_LANGUAGES)
def test_a_missing_language_is_reported_as_an_incomplete_translation(language: str) -> None:
    texts = default_texts()
    del texts[language]
    problems = problems_of(texts)
    assert locations(problems) == {f"texts.{language}"}
    assert "64.2008(c)(6)" in problems[0].message


def test_unknown_clauses_and_languages_are_reported() -> None:
    texts = default_texts()
    texts["en"]["tailored_offers"] = "We could tailor offers to you."
    texts["de"] = dict(texts["en"])
    assert locations(problems_of(texts)) == {"texts.en.tailored_offers", "texts.de"}


@pytest.mark.parametrize("clause", REQUIRED_CLAUSES)
def test_a_french_clause_left_in_english_counts_as_untranslated(clause: str) -> None:
    texts = default_texts()
    texts["fr"][clause] = texts["en"][clause]
    problems = problems_of(texts)
    assert locations(problems) == {f"texts.fr.{clause}"}
    assert any("untranslated" in p.message for p in problems)


def test_a_short_text_may_read_the_same_in_both_languages() -> None:
    texts = default_texts()
    texts["en"]["subject"] = texts["fr"]["subject"] = "CPNI / avis CPNI"
    assert problems_of(texts) == []


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "We recommend that you freeze third-party access to your records."),
        ("en", "Lock your account against third parties today."),
        ("fr", "Nous vous conseillons le gel de l'accès des tiers."),
        ("fr", "Vous pouvez GELER l\u2019accès des tiers à vos données."),
        ("fr", "Pensez à bloquer l\u2019acces des tiers à votre compte."),
    ],
)
def test_a_text_encouraging_a_freeze_of_third_party_access_is_refused(language: str, sentence: str) -> None:
    texts = default_texts()
    texts[language]["right_to_deny"] += " " + sentence
    problems = problems_of(texts)
    assert locations(problems) == {f"texts.{language}.right_to_deny"}
    assert "64.2008(c)(8)" in problems[0].message


def test_words_that_merely_contain_a_forbidden_stem_are_not_refused() -> None:
    texts = default_texts()
    texts["fr"]["purposes"] += " La règle s'applique aussi à Angèle."
    texts["en"]["purposes"] += " Our angel investors never see it."
    assert problems_of(texts) == []


def test_a_waiting_period_other_than_the_one_stated_is_reported_in_both_languages() -> None:
    problems = problems_of(default_texts(), days=45)
    assert locations(problems) == {"texts.en.waiting_period", "texts.fr.waiting_period"}
    assert all("'45'" in p.message for p in problems)


def test_a_number_that_merely_starts_with_the_period_does_not_state_it() -> None:
    texts = default_texts()
    texts["en"]["waiting_period"] = texts["en"]["waiting_period"].replace("30 days", "300 days")
    assert locations(problems_of(texts)) == {"texts.en.waiting_period"}


def test_a_waiting_period_under_30_days_is_refused_even_when_the_text_states_it() -> None:
    texts = default_texts()
    for language in NOTICE_LANGUAGES:
        texts[language]["waiting_period"] = texts[language]["waiting_period"].replace("30", "29")
    problems = problems_of(texts, days=29)
    assert locations(problems) == {"waiting_period_days"}
    assert "64.2008(d)(1)" in problems[0].message


@pytest.mark.parametrize(
    ("language", "subject"), [("en", "News from your carrier"), ("fr", "Nouvelles de votre opérateur")]
)
def test_a_subject_that_does_not_say_the_notice_is_about_cpni_is_refused(language: str, subject: str) -> None:
    texts = default_texts()
    texts[language]["subject"] = subject
    problems = problems_of(texts)
    assert locations(problems) == {f"texts.{language}.subject"}
    assert "64.2008(d)(3)(iv)" in problems[0].message


def test_steps_that_name_another_opt_out_address_are_reported() -> None:
    problems = problems_of(default_texts(), address="optout@example-telecom.test")
    assert locations(problems) == {"texts.en.how_to_grant_or_deny", "texts.fr.how_to_grant_or_deny"}
    assert all("optout@example-telecom.test" in p.message for p in problems)


def test_keywords_are_found_whatever_the_case_and_accents() -> None:
    texts = default_texts()
    texts["fr"]["valid_until_revoked"] = (
        "VOTRE CHOIX RESTE VALABLE JUSQU\u2019A CE QUE VOUS LE REVOQUIEZ OU LE LIMITIEZ."
    )
    texts["en"]["no_effect_on_services"] = "Opting out WON\u2019T AFFECT any of your SERVICES."
    assert problems_of(texts) == []


def test_a_placeholder_left_unfilled_is_reported() -> None:
    texts = default_texts()
    texts["en"]["recipients"] += " Ask {carrier_name} for the list."
    problems = problems_of(texts)
    assert problems == [FieldProblem("texts.en.recipients", "leaves {carrier_name} unfilled")]


def test_the_notice_body_gives_every_clause_in_order_without_the_subject() -> None:
    texts = default_texts()["fr"]
    body = notice_body_text(texts)
    assert body.split("\n\n") == [texts[clause] for clause in REQUIRED_CLAUSES]
    assert texts["subject"] not in body
