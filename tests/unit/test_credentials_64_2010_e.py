"""Secrets the customer chooses, 47 CFR 64.2010(b), (e); 64.2003(a), (m) (RULES.md 1.6-1.7, 6.5)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpniguard.domain.credentials import (
    AccountFacts,
    backup_question_problems,
    normalized_answer,
    password_problems,
    pin_problems,
)

FACTS = AccountFacts(
    account_number="4471-902-118",
    telephone_numbers=("+12125550143",),
    birth_date=date(1984, 7, 21),
    postal_codes=("10027",),
)


def messages(problems):
    return [p.message for p in problems]


@pytest.mark.parametrize("pin", ["5831", "730419", "86205937"], ids=["four", "six", "eight"])
def test_a_pin_with_no_pattern_and_nothing_from_the_account_is_accepted(pin):
    assert pin_problems(pin, FACTS) == []


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        ("123", "must be 4 to 8 digits"),
        ("123456789", "must be 4 to 8 digits"),
        ("12a4", "must be 4 to 8 digits"),
        ("١٢٣٤", "must be 4 to 8 digits"),
        ("1234", "must not be a run of digits such as 1234 or 9876"),
        ("9876", "must not be a run of digits such as 1234 or 9876"),
        ("1111", "must not repeat digits such as 1111 or 1212"),
        ("1212", "must not repeat digits such as 1111 or 1212"),
        ("4471", "must not use digits from the account number (64.2010(b), (e))"),
        ("0143", "must not use digits from the telephone number (64.2010(b), (e))"),
        ("1984", "must not use digits from the birth date (64.2010(b), (e))"),
        ("0721", "must not use digits from the birth date (64.2010(b), (e))"),
        ("1002", "must not use digits from the postal code (64.2010(b), (e))"),
    ],
    ids=[
        "too-short",
        "too-long",
        "not-digits",
        "non-ascii-digits",
        "run-up",
        "run-down",
        "one-digit",
        "two-digits-repeated",
        "account-number",
        "telephone-number",
        "birth-year",
        "birth-month-day",
        "postal-code",
    ],
)
def test_a_pin_that_breaks_64_2010_e_is_refused_saying_why(pin, expected):
    assert expected in messages(pin_problems(pin, FACTS))


def test_a_password_that_carries_the_account_number_is_refused():
    assert messages(password_problems("blue-horse-4471902", FACTS)) == [
        "must not use digits from the account number (64.2010(b), (e))"
    ]
    assert password_problems("blue-horse-staple", FACTS) == []
    assert "must be 10 to 128 characters" in messages(password_problems("short", FACTS))
    assert "printable" in messages(password_problems("tab\there-is-long", FACTS))[0]


@pytest.mark.parametrize(
    "question",
    [
        "What are the last four of your SSN?",
        "Your mother's maiden name?",
        "What is your date of birth?",
        "When were you born?",
        "What is your ZIP code?",
        "What is your account number?",
        "How much was your bill amount last month?",
        "Quel est le nom de jeune fille de votre mère ?",
        "Quelle est votre date de naissance ?",
        "Quel est votre code postal ?",
        "Quels sont les quatre derniers chiffres de votre NAS ?",
        "Quel est le montant de votre facture ?",
    ],
)
def test_a_backup_question_built_on_biographical_or_account_information_is_refused(question):
    problems = backup_question_problems(question, "something", FACTS)
    assert [p.location for p in problems] == ["question"]
    assert "biographical or account information" in problems[0].message


def test_a_fair_backup_question_is_accepted_and_its_answer_checked():
    assert backup_question_problems("What was your first pet called?", "Rex", FACTS) == []
    assert backup_question_problems("Quel était le nom de votre premier animal ?", "Médor", FACTS) == []
    made_of_the_phone = backup_question_problems("Favourite number?", "2125550143", FACTS)
    assert messages(made_of_the_phone) == ["must not use digits from the telephone number (64.2010(b), (e))"]
    assert [p.location for p in backup_question_problems("", "ab", FACTS)] == ["question", "answer"]


def test_answers_are_compared_without_case_accents_or_punctuation():
    assert normalized_answer("  Médor! ") == normalized_answer("medor") == "medor"
    assert normalized_answer("New   York") == "new york"


@given(st.text(max_size=40))
def test_pin_rules_never_crash_and_refuse_anything_but_4_to_8_ascii_digits(text):
    problems = pin_problems(text, FACTS)
    if not (text.isascii() and text.isdigit() and 4 <= len(text) <= 8):
        assert problems != []
