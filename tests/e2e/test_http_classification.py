import pytest
from tests.e2e.conftest import bearer

from cpniguard.adapters.db.tables import Base
from cpniguard.domain.classification import DataClass
from cpniguard.domain.employees import Role


def test_classification_lists_every_column_of_every_table(api, as_integration):
    response = api.get("/api/v1/classification", headers=as_integration)
    assert response.status_code == 200
    published = {(f["table"], f["field"]) for f in response.json()["fields"]}
    columns = {
        (table.name, column.name) for table in Base.metadata.tables.values() for column in table.columns
    }
    assert published == columns


def test_classification_marks_call_detail_as_cpni(api, as_integration):
    fields = api.get("/api/v1/classification", headers=as_integration).json()["fields"]
    called = next(f for f in fields if (f["table"], f["field"]) == ("call_detail_records", "called_number"))
    assert called == {
        "table": "call_detail_records",
        "field": "called_number",
        "data_class": "call_detail",
        "description": "number called",
        "is_cpni": True,
    }
    listed = next(f for f in fields if (f["table"], f["field"]) == ("subscriber_list_entries", "listed_name"))
    assert (listed["data_class"], listed["is_cpni"]) == ("subscriber_list", False)


def test_classification_explains_every_class(api, as_integration):
    classes = api.get("/api/v1/classification", headers=as_integration).json()["classes"]
    assert [c["data_class"] for c in classes] == [c.value for c in DataClass]
    assert all(c["meaning"] for c in classes)
    assert {c["data_class"] for c in classes if c["is_cpni"]} == {"call_detail", "cpni"}
    call_detail = next(c for c in classes if c["data_class"] == "call_detail")
    assert "64.2003(d)" in call_detail["meaning"]


@pytest.mark.parametrize("role", list(Role))
def test_classification_is_open_to_every_role(api, tokens, role):
    assert api.get("/api/v1/classification", headers=bearer(tokens[role])).status_code == 200
