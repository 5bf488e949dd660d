"""Rules for the secrets a customer chooses: PIN, password, backup question and answer.

47 CFR 64.2010(b), (e): a password may not be prompted by, and backup authentication may
not rest on, readily available biographical information (64.2003(m): SSN or its last
four digits, mother's maiden name, home address, date of birth) or account information
(64.2003(a): account number or any part of it, the telephone number, the bill amount).
RULES.md 1.6-1.7, 6.5. These functions only judge; hashing (argon2id) is an adapter's.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cpniguard.domain.errors import FieldProblem

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 8
PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 128
QUESTION_MAX_CHARS = 200
ANSWER_MIN_CHARS = 3
ANSWER_MAX_CHARS = 100
DIGITS_TAKEN_MIN = 4
"""A run of this many digits shared with the account number, a telephone number or the
birth date counts as "taken from" it."""

BIOGRAPHICAL_OR_ACCOUNT_TERMS = (
    # English
    "social security",
    "ssn",
    "last four",
    "last 4",
    "maiden name",
    "date of birth",
    "birth date",
    "birthday",
    "born",
    "home address",
    "zip",
    "postal code",
    "account number",
    "phone number",
    "telephone number",
    "bill amount",
    "amount of your bill",
    # French
    "securite sociale",
    "assurance sociale",
    "nas",
    "quatre derniers",
    "4 derniers",
    "nom de jeune fille",
    "date de naissance",
    "anniversaire",
    "ne le",
    "nee le",
    "adresse",
    "code postal",
    "numero de compte",
    "numero de telephone",
    "montant de la facture",
    "montant de votre facture",
)
"""Words that make a backup question (or a prompt) ask for biographical or account
information, in English and French, compared on normalized text (accents removed)."""


class CredentialKind(StrEnum):
    """What a stored secret is (64.2010(e)); only argon2id hashes are kept."""

    PASSWORD = "password"  # noqa: S105 - the name of a kind, not a secret
    PIN = "pin"
    BACKUP_ANSWER = "backup_answer"
    ONLINE_ACCOUNT = "online_account"
    """The customer's sign-in to the portal; its secret is the online password."""


class ChallengeKind(StrEnum):
    """A one-time proof sent to a contact of record (64.2010(b), (e))."""

    EMAIL_CODE = "email_code"
    """A code sent to the email address of record, said back in the interaction."""
    PASSWORD_RESET = "password_reset"  # noqa: S105 - the name of a kind, not a secret
    """A reset code or link sent to the email address of record (lost password or PIN)."""
    CALLBACK = "callback"
    """A call back to the telephone number of record, confirmed by the representative."""
    LETTER = "letter"
    """A letter to the postal address of record; the interaction waits for it."""


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What a secret must not be built on: the account's numbers and the holder's birth date."""

    account_number: str
    telephone_numbers: tuple[str, ...] = ()
    birth_date: date | None = None
    postal_codes: tuple[str, ...] = ()

    def digit_sources(self) -> tuple[tuple[str, str], ...]:
        """Each source of digits with its name, for "taken from" checks."""
        sources = [("account number", _digits(self.account_number))]
        sources += [("telephone number", _digits(number)) for number in self.telephone_numbers]
        sources += [("postal code", _digits(code)) for code in self.postal_codes]
        if self.birth_date is not None:
            day = self.birth_date
            for shown in (f"{day:%Y%m%d}", f"{day:%m%d%Y}", f"{day:%d%m%Y}", f"{day:%m%d}", f"{day:%d%m}"):
                sources.append(("birth date", shown))
        return tuple((name, digits) for name, digits in sources if len(digits) >= DIGITS_TAKEN_MIN)


def _digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


def normalized(text: str) -> str:
    """Text as compared: accents removed, case folded, punctuation dropped, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def _shares_digits(candidate: str, source: str) -> bool:
    """Whether `candidate` holds a run of DIGITS_TAKEN_MIN+ digits that also appears in `source`."""
    digits = _digits(candidate)
    return any(
        digits[start : start + DIGITS_TAKEN_MIN] in source
        for start in range(len(digits) - DIGITS_TAKEN_MIN + 1)
    )


def _taken_from(candidate: str, facts: AccountFacts, location: str) -> list[FieldProblem]:
    names = sorted({name for name, source in facts.digit_sources() if _shares_digits(candidate, source)})
    return [
        FieldProblem(location, f"must not use digits from the {name} (64.2010(b), (e))") for name in names
    ]


def _is_run(digits: str) -> bool:
    steps = {int(b) - int(a) for a, b in itertools.pairwise(digits)}
    return len(steps) == 1 and steps <= {1, -1}


def pin_problems(pin: str, facts: AccountFacts) -> list[FieldProblem]:
    """Everything wrong with a PIN (64.2010(e)).

    Digits only, 4-8 of them, no run, no repeat, nothing taken from the account number, a
    telephone number, a postal code or the birth date.
    """
    if not pin.isascii() or not pin.isdigit() or not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        return [FieldProblem("pin", f"must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")]
    problems = []
    if _is_run(pin):
        problems.append(FieldProblem("pin", "must not be a run of digits such as 1234 or 9876"))
    if len(set(pin)) <= len(pin) // 2:
        problems.append(FieldProblem("pin", "must not repeat digits such as 1111 or 1212"))
    return problems + _taken_from(pin, facts, "pin")


def password_problems(password: str, facts: AccountFacts) -> list[FieldProblem]:
    """Everything wrong with a password: its length, and digits taken from the account (64.2010(e))."""
    if not PASSWORD_MIN_CHARS <= len(password) <= PASSWORD_MAX_CHARS:
        return [FieldProblem("password", f"must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters")]
    if not password.isprintable():
        return [FieldProblem("password", "must hold printable characters only")]
    return _taken_from(password, facts, "password")


def _names_biographical_or_account(text: str) -> str | None:
    """The first term of BIOGRAPHICAL_OR_ACCOUNT_TERMS that `text` uses, if any."""
    words = f" {normalized(text)} "
    return next((term for term in BIOGRAPHICAL_OR_ACCOUNT_TERMS if f" {term} " in words), None)


def backup_question_problems(question: str, answer: str, facts: AccountFacts) -> list[FieldProblem]:
    """Everything wrong with a backup question and answer (64.2010(e); 64.2003(a), (m)).

    The question may not ask for biographical or account information, and the answer may
    not be made of it (digits of the account number, a telephone number, a postal code,
    the birth date).
    """
    problems = []
    if not 1 <= len(question.strip()) <= QUESTION_MAX_CHARS or not question.isprintable():
        problems.append(FieldProblem("question", f"must be 1 to {QUESTION_MAX_CHARS} printable characters"))
    elif term := _names_biographical_or_account(question):
        problems.append(
            FieldProblem(
                "question", f"asks for biographical or account information ({term!r}); choose another"
            )
        )
    answer_text = normalized(answer)
    if not ANSWER_MIN_CHARS <= len(answer_text) <= ANSWER_MAX_CHARS:
        problems.append(
            FieldProblem("answer", f"must be {ANSWER_MIN_CHARS} to {ANSWER_MAX_CHARS} characters")
        )
    return problems + _taken_from(answer, facts, "answer")


def normalized_answer(answer: str) -> str:
    """The backup answer as it is hashed and compared: "  Rex!" and "rex" are the same answer."""
    return normalized(answer)
