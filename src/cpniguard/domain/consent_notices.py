"""What a CPNI notice must say, in every language it is given in (47 CFR 64.2008(c), (d)).

A notice's texts are `language -> {"subject": ..., clause: text}`, one text per clause of
REQUIRED_CLAUSES. The checks are data: CLAUSE_REQUIREMENTS says, clause by clause, the rule,
what the clause must say, and the words that show it says it, so a carrier's lawyer can read
and amend them. Words are compared without case or accents; a `*` at the end of a word stands
for any ending (`revok*`: revoke, revoked, revokes). `{opt_out_address}` and
`{waiting_period_days}` in a word list stand for the values the notice is checked against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from cpniguard.domain.consent_events import MAX_WAITING_PERIOD_DAYS, MIN_WAITING_PERIOD_DAYS
from cpniguard.domain.errors import FieldProblem

NOTICE_LANGUAGES = ("en", "fr")
"""64.2008(c)(6): a notice given in more than one language is translated whole in each."""

SUBJECT = "subject"
UNTRANSLATED_MIN_CHARACTERS = 20
"""Shorter texts (a name, an address) may rightly read the same in both languages."""

KeywordGroups = tuple[tuple[str, ...], ...]
"""Each group lists alternatives; a text must contain one word of every group."""


@dataclass(frozen=True, slots=True)
class ClauseRequirement:
    """One thing a notice must say: the rule, in plain words, and the words that show it."""

    rule: str
    must_say: str
    keywords: Mapping[str, KeywordGroups]


CLAUSE_REQUIREMENTS: Mapping[str, ClauseRequirement] = {
    "rights_and_duty": ClauseRequirement(
        "64.2008(c)(1)",
        "the customer has a right, and the carrier a duty, under federal law to protect CPNI",
        {
            "en": (("federal law",), ("right*",), ("dut*",)),
            "fr": (("loi fédérale", "lois fédérales"), ("droit*",), ("obligation*", "oblig*", "devoir*")),
        },
    ),
    "cpni_types": ClauseRequirement(
        "64.2008(c)(2)",
        "the types of CPNI: how services are used, and what the bill shows",
        {
            "en": (("cpni", "customer proprietary network information"), ("call*", "usage"), ("bill*",)),
            "fr": (("cpni", "renseignements confidentiels"), ("appel*", "utilisation*"), ("factur*",)),
        },
    ),
    "recipients": ClauseRequirement(
        "64.2008(c)(2)",
        "the specific entities that will receive the CPNI",
        {
            "en": (("agent*",), ("affiliate*",)),
            "fr": (("mandataire*", "agent*"), ("affilié*", "filiale*")),
        },
    ),
    "purposes": ClauseRequirement(
        "64.2008(c)(2)",
        "the purposes for which the CPNI will be used",
        {
            "en": (("market*",), ("service*", "product*", "offer*")),
            "fr": (("marketing", "commerciale*", "promotion*"), ("service*", "produit*", "offre*")),
        },
    ),
    "right_to_deny": ClauseRequirement(
        "64.2008(c)(2)",
        "the right to disapprove, and to deny or withdraw access to CPNI at any time",
        {
            "en": (("deny", "refuse", "disapprove", "withdraw*"), ("any time", "anytime")),
            "fr": (("refus*", "retir*", "retrait"), ("à tout moment", "en tout temps")),
        },
    ),
    "how_to_grant_or_deny": ClauseRequirement(
        "64.2008(c)(3)",
        "the precise steps to grant or deny access, with the opt-out address",
        {
            "en": (
                ("{opt_out_address}",),
                ("opt out", "opt-out", "opting out", "deny", "refuse", "withdraw*"),
            ),
            "fr": (("{opt_out_address}",), ("refus*", "retir*", "retrait")),
        },
    ),
    "no_effect_on_services": ClauseRequirement(
        "64.2008(c)(3)",
        "a denial of approval will not affect any service the customer has",
        {
            "en": (
                ("service*",),
                ("not affect*", "won't affect*", "doesn't affect*", "no effect", "without effect"),
            ),
            "fr": (("service*",), ("n'affect*", "sans effet", "aucun effet", "sans incidence")),
        },
    ),
    "valid_until_revoked": ClauseRequirement(
        "64.2008(c)(9)",
        "an approval or denial stays valid until the customer revokes or limits it",
        {
            "en": (("revok*", "revoc*"), ("limit*",), ("until",)),
            "fr": (("révoqu*", "révocation"), ("limit*",), ("jusqu'à",)),
        },
    ),
    "waiting_period": ClauseRequirement(
        "64.2008(d)(1)",
        "the waiting period, in days, before approval is assumed",
        {
            "en": (("{waiting_period_days}",), ("days",)),
            "fr": (("{waiting_period_days}",), ("jours",)),
        },
    ),
}
"""The clauses every notice holds, each with what it must say (64.2008(c), (d)(1))."""

SUBJECT_REQUIREMENT = ClauseRequirement(
    "64.2008(d)(3)(iv)",
    "the subject clearly and accurately describes the content: a notice about CPNI",
    {
        "en": (("cpni", "customer proprietary network information"),),
        "fr": (("cpni", "renseignements confidentiels", "informations réseau propriétaires"),),
    },
)

FORBIDDEN_WORDS: Mapping[str, tuple[str, ...]] = {
    "en": ("freez*", "frozen", "lock* your account against third part*"),
    "fr": ("gel", "gele*", "gelez", "bloquer l'accès des tiers", "bloquez l'accès des tiers"),
}
"""64.2008(c)(8): a notice may not encourage the customer to freeze third-party access."""

REQUIRED_CLAUSES: tuple[str, ...] = tuple(CLAUSE_REQUIREMENTS)
"""The clause names, in the order a notice's body gives them."""

CONFIRMED_DECISIONS = ("opt_out", "opt_in", "revocation")
"""What a consent confirmation tells the customer was recorded (the `decision` its template
labels); each stands until the customer changes it (64.2007(a)(2))."""

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00a0": " ", "\u202f": " "})


def notice_problems(
    texts: Mapping[str, Mapping[str, str]], *, waiting_period_days: int, opt_out_address: str
) -> list[FieldProblem]:
    """Everything that keeps `texts` from being a lawful CPNI notice; empty when it is one.

    47 CFR 64.2008(c)(1)-(3), (9): each required clause, with its content; (c)(6): all of it in
    every language, none left in English; (c)(8): nothing encouraging a freeze of third-party
    access; (d)(1): a waiting period of at least 30 days, the one the text states;
    (d)(3)(iv): a subject that says the notice is about CPNI.
    """
    problems: list[FieldProblem] = []
    if not MIN_WAITING_PERIOD_DAYS <= waiting_period_days <= MAX_WAITING_PERIOD_DAYS:
        message = (
            f"must be {MIN_WAITING_PERIOD_DAYS} to {MAX_WAITING_PERIOD_DAYS} days (64.2008(d)(1)): at least "
            "the rule's 30, and short enough for approval to be deemed before the notice lapses"
        )
        problems.append(FieldProblem("waiting_period_days", message))
    values = {"opt_out_address": opt_out_address, "waiting_period_days": str(waiting_period_days)}
    problems += [
        FieldProblem(f"texts.{name}", "is not a notice language")
        for name in texts
        if name not in NOTICE_LANGUAGES
    ]
    for language in NOTICE_LANGUAGES:
        problems += _language_problems(texts, language, values)
    return problems


def notice_body_text(texts: Mapping[str, str]) -> str:
    """One language's notice as the customer reads it: the clauses in order, as paragraphs.

    64.2008(c)(10): the clauses stay together, in REQUIRED_CLAUSES order; the subject is not
    part of the body. Raises KeyError when a clause is missing (check with notice_problems).
    """
    return "\n\n".join(texts[clause].strip() for clause in REQUIRED_CLAUSES)


def _language_problems(
    texts: Mapping[str, Mapping[str, str]], language: str, values: Mapping[str, str]
) -> list[FieldProblem]:
    clauses = texts.get(language)
    if clauses is None:
        return [
            FieldProblem(
                f"texts.{language}", "is missing: every part of the notice is translated (64.2008(c)(6))"
            )
        ]
    problems = [
        FieldProblem(f"texts.{language}.{name}", "is not a clause of a CPNI notice")
        for name in clauses
        if name != SUBJECT and name not in CLAUSE_REQUIREMENTS
    ]
    for name, requirement in _requirements():
        problems += _clause_problems(texts, language, name, requirement, values)
    return problems


def _requirements() -> Iterator[tuple[str, ClauseRequirement]]:
    yield SUBJECT, SUBJECT_REQUIREMENT
    yield from CLAUSE_REQUIREMENTS.items()


def _clause_problems(
    texts: Mapping[str, Mapping[str, str]],
    language: str,
    name: str,
    requirement: ClauseRequirement,
    values: Mapping[str, str],
) -> list[FieldProblem]:
    text = texts[language].get(name, "")
    if not text.strip():
        messages = [f"is missing: it must say {requirement.must_say} ({requirement.rule})"]
    else:
        messages = _content_problems(text, language, requirement, values)
    if language != NOTICE_LANGUAGES[0] and _is_untranslated(texts, language, name):
        messages.append("is the English text, untranslated (64.2008(c)(6))")
    return [FieldProblem(f"texts.{language}.{name}", message) for message in messages]


def _content_problems(
    text: str, language: str, requirement: ClauseRequirement, values: Mapping[str, str]
) -> list[str]:
    why = f"{requirement.must_say} ({requirement.rule})"
    absent = [
        f"must mention {' or '.join(map(repr, group))}: {why}"
        for group in _filled(requirement.keywords[language], values)
        if not any(_contains(text, word) for word in group)
    ]
    forbidden = [
        f"must not encourage freezing third-party access ({word!r}; 64.2008(c)(8))"
        for word in FORBIDDEN_WORDS[language]
        if _contains(text, word)
    ]
    return absent + forbidden + [f"leaves {p} unfilled" for p in _PLACEHOLDER.findall(text)]


def _filled(groups: KeywordGroups, values: Mapping[str, str]) -> KeywordGroups:
    return tuple(tuple(_fill(word, values) for word in group) for group in groups)


def _fill(word: str, values: Mapping[str, str]) -> str:
    for name, value in values.items():
        word = word.replace(f"{{{name}}}", value)
    return word


def _is_untranslated(texts: Mapping[str, Mapping[str, str]], language: str, name: str) -> bool:
    text = texts[language].get(name, "").strip()
    english = texts.get(NOTICE_LANGUAGES[0], {}).get(name, "").strip()
    return len(text) > UNTRANSLATED_MIN_CHARACTERS and _normalized(text) == _normalized(english)


def _contains(text: str, word: str) -> bool:
    return _pattern(word).search(_normalized(text)) is not None


@cache
def _pattern(word: str) -> re.Pattern[str]:
    body = r"\w*".join(re.escape(part) for part in _normalized(word).split("*"))
    return re.compile(r"(?<!\w)" + body + r"(?!\w)")


def _normalized(text: str) -> str:
    """Case-, accent- and spacing-blind text, so 'Révoquer' and 'revoquer' read the same."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
