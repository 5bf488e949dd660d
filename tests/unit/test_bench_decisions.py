"""The gate's policy, its Cedar expression and its Casbin expression must not drift apart (issue 3).

bench/decisions.py times the three; these tests run its agreement check on a small sample
so that a change to one expression without the others fails the suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from casbin_gate import MODEL_PATH, POLICY_PATH, CasbinGate  # noqa: E402
from cedar_gate import POLICY_TEXT, CedarGate  # noqa: E402
from cpniguard.domain.disclosure import decide  # noqa: E402
from decision_pairs import uncovered_values, varied_pairs  # noqa: E402
from decisions import disagreements  # noqa: E402

SAMPLE = varied_pairs(300, seed=2026)
STORE_NEEDS_PHOTO_ID = '(context.channel == "store" && context.authentication.contains("photo_id"))'


@pytest.fixture(scope="module")
def cedar() -> CedarGate:
    return CedarGate.load()


@pytest.fixture(scope="module")
def casbin() -> CasbinGate:
    return CasbinGate.load()


def test_cpniguard_cedar_and_casbin_agree_on_every_sampled_request(
    cedar: CedarGate, casbin: CasbinGate
) -> None:
    outcomes = {decide(*pair).is_permitted for pair in SAMPLE}

    assert outcomes == {True, False}
    assert disagreements(SAMPLE, cedar, casbin) == []


def test_a_cedar_policy_that_drifts_from_the_gate_is_reported(casbin: CasbinGate) -> None:
    drifted = CedarGate.load(POLICY_TEXT.replace(STORE_NEEDS_PHOTO_ID, 'context.channel == "store"'))

    found = disagreements(SAMPLE, drifted, casbin)

    assert found
    assert {(item.cpniguard, item.cedar, item.casbin) for item in found} == {(False, True, False)}
    assert all(item.pair[0].channel == "store" for item in found)


def test_a_casbin_policy_that_drifts_from_the_gate_is_reported(cedar: CedarGate, tmp_path: Path) -> None:
    lines = POLICY_PATH.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if 'r.ctx.channel == "store"' not in line]
    assert len(kept) == len(lines) - 1
    policy = tmp_path / "drifted.csv"
    policy.write_text("\n".join(kept), encoding="utf-8")

    found = disagreements(SAMPLE, cedar, CasbinGate.load(MODEL_PATH, policy))

    assert found
    assert {(item.cpniguard, item.cedar, item.casbin) for item in found} == {(False, False, True)}


def test_cedar_policies_that_do_not_match_the_schema_are_refused() -> None:
    misspelt = POLICY_TEXT.replace("context.has_written_designation", "context.has_written_designatoin")

    with pytest.raises(ValueError, match="do not match the schema"):
        CedarGate.load(misspelt)


def test_the_generator_draws_every_value_of_every_field_and_some_outside_them() -> None:
    assert uncovered_values(varied_pairs(2000, seed=2026)) == {}
