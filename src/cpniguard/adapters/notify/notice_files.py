"""CPNI notice files: a notice's version, waiting period and texts, as JSON (47 CFR 64.2008(c)).

A file reads `{"version": ..., "waiting_period_days": ..., "texts": {language: {clause: text}}}`.
Its texts may hold two placeholders, `{opt_out_address}` and `{carrier_name}`, filled here from
the carrier's settings; no other braces. The loaded notice is checked against 64.2008(c) before
it is returned, so a notice that could not lawfully be sent never leaves this module.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from cpniguard.domain.consent_notices import notice_problems
from cpniguard.domain.errors import FieldProblem, InvalidInputError

DEFAULT_NOTICE_FILE = Path(__file__).parent / "notices" / "cpni-2026-11.json"
"""The notice shipped with cpniguard, written from the carrier's policy and 64.2008(c)."""

VERSION_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
"""No colon: the version is part of outbox idempotency keys, which are split on ':'."""

FILE_KEYS = frozenset({"version", "waiting_period_days", "texts"})
PLACEHOLDERS = ("{opt_out_address}", "{carrier_name}")

NoticeTexts = dict[str, dict[str, str]]


def load_notice_file(path: Path, *, opt_out_address: str, carrier_name: str) -> tuple[str, int, NoticeTexts]:
    """The notice in `path` as (version, waiting period in days, filled texts by language).

    47 CFR 64.2008(c), (d)(1): raises InvalidInputError listing every problem (bad JSON with
    its line and column, wrong types, missing or unknown keys, a version unfit for outbox
    keys, unknown placeholders, and whatever notice_problems finds in the filled texts).
    """
    version, days, texts = _notice(path, opt_out_address=opt_out_address, carrier_name=carrier_name)
    problems = notice_problems(texts, waiting_period_days=days, opt_out_address=opt_out_address)
    if problems:
        raise _file_error(path, *problems)
    return version, days, texts


def _notice(path: Path, *, opt_out_address: str, carrier_name: str) -> tuple[str, int, NoticeTexts]:
    document = _document(path)
    problems = _value_problems(opt_out_address=opt_out_address, carrier_name=carrier_name)
    problems += _key_problems(document)
    version, version_problems = _version(document.get("version"))
    days, days_problems = _waiting_period_days(document.get("waiting_period_days"))
    texts, text_problems = _texts(document.get("texts"))
    problems += version_problems + days_problems + text_problems
    if problems:
        raise _file_error(path, *problems)
    filled = {
        language: _filled(clauses, opt_out_address, carrier_name) for language, clauses in texts.items()
    }
    return version, days, filled


def _document(path: Path) -> dict[str, object]:
    try:
        document: object = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise _file_error(path, FieldProblem("file", f"cannot be read: {error.strerror}")) from error
    except UnicodeDecodeError as error:
        raise _file_error(path, FieldProblem(f"byte {error.start}", "is not UTF-8")) from error
    except json.JSONDecodeError as error:
        location = f"line {error.lineno}, column {error.colno}"
        raise _file_error(path, FieldProblem(location, f"is not valid JSON: {error.msg}")) from error
    if not isinstance(document, dict):
        raise _file_error(path, FieldProblem("file", "must hold a JSON object"))
    return document


def _file_error(path: Path, *problems: FieldProblem) -> InvalidInputError:
    return InvalidInputError(f"{path} is not a usable CPNI notice file", problems)


def _value_problems(**values: str) -> list[FieldProblem]:
    return [FieldProblem(name, "must not be blank") for name, value in values.items() if not value.strip()]


def _key_problems(document: dict[str, object]) -> list[FieldProblem]:
    missing = [FieldProblem(key, "is missing") for key in sorted(FILE_KEYS - set(document))]
    return missing + [
        FieldProblem(key, "is not a key of a notice file") for key in document if key not in FILE_KEYS
    ]


def _version(value: object) -> tuple[str, list[FieldProblem]]:
    if value is None:
        return "", []
    if not isinstance(value, str) or not VERSION_PATTERN.fullmatch(value):
        return "", [FieldProblem("version", "must be 1 to 64 letters, digits, '.', '_' or '-'")]
    return value, []


def _waiting_period_days(value: object) -> tuple[int, list[FieldProblem]]:
    if value is None:
        return 0, []
    if isinstance(value, bool) or not isinstance(value, int):
        return 0, [FieldProblem("waiting_period_days", "must be a whole number of days")]
    return value, []


def _texts(value: object) -> tuple[NoticeTexts, list[FieldProblem]]:
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, [FieldProblem("texts", "must be an object of languages")]
    texts: NoticeTexts = {}
    problems: list[FieldProblem] = []
    for language, clauses in value.items():
        texts[language], found = _clauses(f"texts.{language}", clauses)
        problems += found
    return texts, problems


def _clauses(location: str, value: object) -> tuple[dict[str, str], list[FieldProblem]]:
    if not isinstance(value, dict):
        return {}, [FieldProblem(location, "must be an object of clause texts")]
    clauses: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for name, text in value.items():
        if not isinstance(text, str):
            problems.append(FieldProblem(f"{location}.{name}", "must be a string"))
        elif _has_other_braces(text):
            problems.append(FieldProblem(f"{location}.{name}", f"may hold no placeholder but {PLACEHOLDERS}"))
        else:
            clauses[name] = text
    return clauses, problems


def _has_other_braces(text: str) -> bool:
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, "")
    return "{" in text or "}" in text


def _filled(clauses: dict[str, str], opt_out_address: str, carrier_name: str) -> dict[str, str]:
    return {
        name: text.replace("{opt_out_address}", opt_out_address).replace("{carrier_name}", carrier_name)
        for name, text in clauses.items()
    }
