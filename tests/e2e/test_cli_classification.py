import json
from pathlib import Path

from typer.testing import CliRunner

from cpniguard.adapters.db.classification import TableClassificationCatalog
from cpniguard.cli.classification import classification_markdown
from cpniguard.cli.main import app
from cpniguard.services.classification import published_classification

DOCS = Path(__file__).resolve().parents[2] / "docs" / "classification.md"


def test_published_docs_page_matches_the_schema():
    fields = published_classification(catalog=TableClassificationCatalog())
    assert DOCS.read_text(encoding="utf-8") == classification_markdown(fields), (
        "docs/classification.md is stale: "
        "run `cpniguard classification --format markdown > docs/classification.md`"
    )


def test_classification_command_prints_every_column_as_json():
    result = CliRunner().invoke(app, ["classification", "--format", "json"])
    assert result.exit_code == 0
    fields = json.loads(result.stdout)
    called = next(f for f in fields if (f["table"], f["field"]) == ("call_detail_records", "called_number"))
    assert called == {
        "table": "call_detail_records",
        "field": "called_number",
        "data_class": "call_detail",
        "is_cpni": True,
        "description": "number called",
    }
    listed = next(
        f for f in fields if f["table"] == "subscriber_list_entries" and f["field"] == "listed_name"
    )
    assert listed["data_class"] == "subscriber_list"
    assert listed["is_cpni"] is False


def test_classification_command_refuses_an_unknown_format():
    result = CliRunner().invoke(app, ["classification", "--format", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of" in result.output
