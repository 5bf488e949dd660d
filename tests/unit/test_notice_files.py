"""CPNI notice files load whole and filled, or are refused with what is wrong and where."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import TEST_NOW

from cpniguard.adapters.notify.notice_files import DEFAULT_NOTICE_FILE, FILE_KEYS, load_notice_file
from cpniguard.adapters.notify.templates import JinjaMessageRenderer
from cpniguard.domain.accounts import Language
from cpniguard.domain.consent_notices import CONFIRMED_DECISIONS, notice_body_text
from cpniguard.domain.errors import FieldProblem, InvalidInputError

ADDRESS = "marketing@example-telecom.test"
CARRIER = "Example Telecom"


def default_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DEFAULT_NOTICE_FILE.read_text(encoding="utf-8"))
    return document


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "notice.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def refusal(path: Path, *, address: str = ADDRESS, carrier: str = CARRIER) -> tuple[FieldProblem, ...]:
    with pytest.raises(InvalidInputError) as raised:
        load_notice_file(path, opt_out_address=address, carrier_name=carrier)
    assert str(path) in raised.value.message
    return raised.value.problems


def locations(problems: tuple[FieldProblem, ...]) -> set[str]:
    return {p.location for p in problems}


def test_the_default_notice_loads_with_its_placeholders_filled() -> None:
    version, days, texts = load_notice_file(
        DEFAULT_NOTICE_FILE, opt_out_address=ADDRESS, carrier_name=CARRIER
    )
    assert (version, days) == ("cpni-2026-11", 30)
    assert set(texts) == {"en", "fr"}
    for clauses in texts.values():
        assert ADDRESS in clauses["how_to_grant_or_deny"]
        assert CARRIER in clauses["rights_and_duty"]
        assert not [text for text in clauses.values() if "{" in text or "}" in text]


def test_json_that_does_not_parse_is_refused_with_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "notice.json"
    path.write_text('{\n  "version": "cpni-1",\n  "texts": ,\n}\n', encoding="utf-8")
    (problem,) = refusal(path)
    assert problem.location == "line 3, column 12"
    assert problem.message.startswith("is not valid JSON")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notice.json"
    path.write_bytes(b'{"version": "\xff"}')
    assert refusal(path) == (FieldProblem("byte 13", "is not UTF-8"),)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    (problem,) = refusal(tmp_path / "absent.json")
    assert problem.location == "file"
    assert problem.message.startswith("cannot be read")


def test_a_file_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    assert refusal(write(tmp_path, ["cpni-1"])) == (FieldProblem("file", "must hold a JSON object"),)


@pytest.mark.parametrize("key", sorted(FILE_KEYS))
def test_a_missing_key_is_refused(tmp_path: Path, key: str) -> None:
    document = default_document()
    del document[key]
    assert refusal(write(tmp_path, document)) == (FieldProblem(key, "is missing"),)


def test_an_unknown_key_is_refused(tmp_path: Path) -> None:
    document = default_document() | {"language": "en"}
    assert locations(refusal(write(tmp_path, document))) == {"language"}


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"version": 202611}, "version"),
        ({"waiting_period_days": "30"}, "waiting_period_days"),
        ({"waiting_period_days": 30.0}, "waiting_period_days"),
        ({"waiting_period_days": True}, "waiting_period_days"),
        ({"texts": ["en", "fr"]}, "texts"),
    ],
)
def test_a_top_level_value_of_the_wrong_type_is_refused(
    tmp_path: Path, change: dict[str, object], location: str
) -> None:
    assert locations(refusal(write(tmp_path, default_document() | change))) == {location}


@pytest.mark.parametrize(
    ("language", "clause", "value", "location"),
    [
        ("fr", None, "Avis CPNI", "texts.fr"),
        ("en", "subject", 5, "texts.en.subject"),
        ("fr", "purposes", ["marketing"], "texts.fr.purposes"),
        ("en", "purposes", None, "texts.en.purposes"),
    ],
)
def test_a_text_of_the_wrong_type_is_refused(
    tmp_path: Path, language: str, clause: str | None, value: object, location: str
) -> None:
    document = default_document()
    if clause is None:
        document["texts"][language] = value
    else:
        document["texts"][language][clause] = value
    assert locations(refusal(write(tmp_path, document))) == {location}


@pytest.mark.parametrize("version", ["cpni:2026-11", "", "cpni 2026", "avis-é", "v" * 65, "cpni/2026"])
def test_a_version_unfit_for_outbox_keys_is_refused(tmp_path: Path, version: str) -> None:
    document = default_document() | {"version": version}
    assert locations(refusal(write(tmp_path, document))) == {"version"}


@pytest.mark.parametrize("version", ["v" * 64, "cpni-2026.11_b"])
def test_a_version_of_letters_digits_dots_dashes_and_underscores_is_kept(
    tmp_path: Path, version: str
) -> None:
    document = default_document() | {"version": version}
    loaded, _, _ = load_notice_file(write(tmp_path, document), opt_out_address=ADDRESS, carrier_name=CARRIER)
    assert loaded == version


def test_a_missing_language_is_refused(tmp_path: Path) -> None:
    document = default_document()
    del document["texts"]["fr"]
    assert locations(refusal(write(tmp_path, document))) == {"texts.fr"}


@pytest.mark.parametrize("extra", [" Ask {customer_name}.", " Braces } alone."])
def test_a_placeholder_other_than_the_address_and_carrier_name_is_refused(tmp_path: Path, extra: str) -> None:
    document = default_document()
    document["texts"]["en"]["recipients"] += extra
    assert locations(refusal(write(tmp_path, document))) == {"texts.en.recipients"}


def test_a_file_whose_notice_breaks_64_2008_is_refused_with_the_rule(tmp_path: Path) -> None:
    document = default_document() | {"waiting_period_days": 20}
    problems = refusal(write(tmp_path, document))
    assert "waiting_period_days" in locations(problems)


@pytest.mark.parametrize(
    ("address", "carrier", "location"), [(" ", CARRIER, "opt_out_address"), (ADDRESS, "", "carrier_name")]
)
def test_a_blank_address_or_carrier_name_is_refused(address: str, carrier: str, location: str) -> None:
    assert locations(refusal(DEFAULT_NOTICE_FILE, address=address, carrier=carrier)) == {location}


@pytest.mark.parametrize(
    ("language", "closing"),
    [(Language.EN, "reply to this email or write to"), (Language.FR, "répondez à ce courriel ou écrivez à")],
)
def test_the_default_notice_is_emailed_whole_in_the_customers_language(
    language: Language, closing: str
) -> None:
    _, _, texts = load_notice_file(DEFAULT_NOTICE_FILE, opt_out_address=ADDRESS, carrier_name=CARRIER)
    renderer = JinjaMessageRenderer()
    fields = {
        "notice_subject": texts[language.value]["subject"],
        "notice_text": notice_body_text(texts[language.value]),
        "opt_out_address": ADDRESS,
    }
    message = renderer.render("cpni_notice", language, fields)
    assert message.subject == texts[language.value]["subject"]
    assert notice_body_text(texts[language.value]) in message.body
    assert f"{closing} {ADDRESS}" in message.body
    assert renderer.untranslated() == {}


@pytest.mark.parametrize("language", list(Language))
def test_each_recorded_decision_is_confirmed_in_its_own_words(language: Language) -> None:
    renderer = JinjaMessageRenderer()
    bodies = {
        renderer.render(
            "consent_confirmation", language, {"decision": decision, "recorded_at": TEST_NOW.isoformat()}
        ).body
        for decision in CONFIRMED_DECISIONS
    }
    assert len(bodies) == len(CONFIRMED_DECISIONS)
    assert all(("2026" in body and "CPNI" in body) for body in bodies)
    assert renderer.untranslated() == {}
