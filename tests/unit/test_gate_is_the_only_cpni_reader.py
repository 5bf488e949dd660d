"""DESIGN.md invariant 1, 47 CFR 64.2009(a): nothing reads CPNI except through the gate.

The walk parses every module of the package. A module that reads a CPNI table (a
`select`, a `session.get`, or SQL text naming one) must be the gate's store,
adapters/db/cpni.py, and each of its functions that reads one must take a `permit`
(the proof of a logged, permitted decision), except the gate's own fact lookup.

Campaign audiences are the one other door (issue 7): adapters/db/campaign_audience.py
selects customers by their CPNI for an approved campaign (64.2009(d)), and the service logs
each selection in the same transaction. Its public functions that read CPNI take the
campaign's `plan`; reading the stored members back reads only what those entries logged.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cpniguard.adapters.db.tables import Base
from cpniguard.domain.classification import CPNI_CLASSES

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "cpniguard"
GATE_STORE = PACKAGE / "adapters" / "db" / "cpni.py"
GATE_OWN_USE = {"disclosure_profile"}
"""Reads the gate makes to decide (categories subscribed); they disclose nothing."""
CAMPAIGN_GATE = PACKAGE / "adapters" / "db" / "campaign_audience.py"
LOGGED_SELECTIONS = {(PACKAGE / "adapters" / "db" / "campaigns.py", "audience_members")}
"""Reads of an audience's members: each member is a logged CAMPAIGN_SELECTED decision."""
NOT_WALKED = ("adapters/db/migrations/", "adapters/db/tables.py")


def _cpni_tables() -> dict[str, str]:
    """ORM class name -> table name, for every table with a CPNI or call detail column."""
    found = {}
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if any(column.info.get("data_class") in CPNI_CLASSES for column in table.columns):
            found[mapper.class_.__name__] = str(table.name)
    return found


CPNI_TABLES = _cpni_tables()
SQL_READ = re.compile(r"\b(?:FROM|JOIN)\s+(" + "|".join(CPNI_TABLES.values()) + r")\b", re.IGNORECASE)


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _reads_cpni(node: ast.AST, aliases: Aliases) -> bool:
    """Whether `node` holds a select/get over a CPNI table, or SQL text reading one."""
    table_names = set(CPNI_TABLES) | aliases.tables
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        callee = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
        names = _names_in(call)
        if callee in {"select", "get", "scalar", "scalars"} and names & table_names:
            return True
    if _names_in(node) & aliases.statements:  # a prebuilt select, however it reaches execute()
        return True
    strings = (n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return any(SQL_READ.search(text) for text in strings)


class Aliases:
    """Module names bound to a CPNI table's columns, and to prebuilt selects over one."""

    def __init__(self, tree: ast.Module) -> None:
        self.tables: set[str] = set()
        self.statements: set[str] = set()
        for statement in tree.body:
            if not isinstance(statement, ast.Assign | ast.AnnAssign) or statement.value is None:
                continue
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if _reads_cpni(statement.value, self):
                self.statements |= names
            elif _names_in(statement.value) & (set(CPNI_TABLES) | self.tables):
                self.tables |= names


def violations(path: Path, source: str) -> list[str]:
    """Every CPNI read in `source` that does not go through the gate."""
    tree = ast.parse(source)
    aliases = Aliases(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef) or not _reads_cpni(node, aliases):
            continue
        arguments = {arg.arg for arg in node.args.args + node.args.kwonlyargs}
        takes_permit = "permit" in arguments
        if path == CAMPAIGN_GATE:
            if not node.name.startswith("_") and "plan" not in arguments:
                found.append(
                    f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} reads CPNI without a plan"
                )
        elif (path, node.name) in LOGGED_SELECTIONS:
            continue
        elif path != GATE_STORE:
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} reads CPNI outside the gate")
        elif not takes_permit and node.name not in GATE_OWN_USE:
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} reads CPNI without a permit")
    return found


def _modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not any(part in path.as_posix() for part in NOT_WALKED)
    ]


def test_the_walk_knows_the_cpni_tables() -> None:
    assert {"call_detail_records", "invoices", "invoice_lines", "services", "service_configurations"} <= set(
        CPNI_TABLES.values()
    )


def test_no_module_reads_cpni_except_through_the_gate() -> None:
    found = [v for path in _modules() for v in violations(path, path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_campaign_gate_reads_cpni_only_for_a_plan() -> None:
    source = CAMPAIGN_GATE.read_text(encoding="utf-8")
    leak = "\ndef leak(session):\n    return session.scalars(select(Service))\n"

    assert violations(CAMPAIGN_GATE, source) == []
    assert violations(CAMPAIGN_GATE, source + leak) == [
        f"adapters/db/campaign_audience.py:{source.count(chr(10)) + 2} leak reads CPNI without a plan"
    ]


def test_the_gate_store_reads_cpni_only_with_a_permit() -> None:
    source = GATE_STORE.read_text(encoding="utf-8")
    tree = ast.parse(source)
    readers = [
        n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and _reads_cpni(n, Aliases(tree))
    ]
    assert set(readers) >= {"call_detail", "invoices", "services"}
    assert violations(GATE_STORE, source) == []


PREBUILT_SELECT = """
_R = Service.__table__.c
_Q = select(_R.product_name)
def leak(session):
    statement = _Q
    return session.execute(statement)
"""


@pytest.mark.parametrize(
    "source",
    [
        "def leak(session):\n    return session.scalars(select(CallDetailRecord))\n",
        "def leak(session):\n    return session.get(Invoice, 1)\n",
        "def leak(connection):\n    return connection.exec_driver_sql('SELECT * FROM invoice_lines')\n",
        "_R = Service.__table__.c\ndef leak(session):\n    return session.execute(select(_R.product_name))\n",
        PREBUILT_SELECT,
    ],
    ids=["orm-select", "session-get", "raw-sql", "column-alias", "prebuilt-select"],
)
def test_the_walk_catches_a_cpni_read_outside_the_gate(source: str) -> None:
    path = PACKAGE / "services" / "leaky.py"
    assert violations(path, source) != []


def test_the_walk_catches_a_gate_read_without_a_permit() -> None:
    source = (
        "def call_detail(self, account_id):\n    return self._session.execute(select(CallDetailRecord))\n"
    )
    assert violations(GATE_STORE, source) != []
