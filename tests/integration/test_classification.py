"""Every stored field carries a data class (DESIGN.md invariant 4; 47 U.S.C. 222(h), 64.2003)."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect

from cpniguard.adapters.db.classification import TableClassificationCatalog, UnclassifiedColumnError
from cpniguard.adapters.db.tables import Base, CallDetailRecord, SubscriberListEntry
from cpniguard.domain.classification import CPNI_CLASSES, DataClass
from cpniguard.services.classification import published_classification

ALL_COLUMNS = sorted(
    (table.name, column.name) for table in Base.metadata.tables.values() for column in table.columns
)
CALL_DETAIL_FIELDS = (
    "direction",
    "call_type",
    "calling_number",
    "called_number",
    "started_at",
    "answered_at",
    "duration_seconds",
    "billable_seconds",
    "cell_site",
)


@pytest.fixture(scope="module")
def classes() -> dict[tuple[str, str], DataClass]:
    return {(f.table, f.field): f.data_class for f in TableClassificationCatalog().fields()}


@pytest.mark.parametrize(("table", "column"), ALL_COLUMNS, ids=[f"{t}.{c}" for t, c in ALL_COLUMNS])
def test_every_column_of_every_table_has_a_data_class(table, column):
    info = Base.metadata.tables[table].columns[column].info
    assert isinstance(info.get("data_class"), DataClass), f"{table}.{column} has no data class"
    assert str(info.get("description", "")).strip(), f"{table}.{column} has no description"


def test_the_catalog_lists_every_column_once(classes):
    assert sorted(classes) == ALL_COLUMNS
    assert len(TableClassificationCatalog().fields()) == len(ALL_COLUMNS)


def test_the_catalog_covers_every_table_the_migrations_created(engine, classes):
    stored = {
        (table, column["name"])
        for table in inspect(engine).get_table_names()
        if table != "alembic_version"
        for column in inspect(engine).get_columns(table)
    }
    assert stored == set(classes)


def test_the_catalog_refuses_a_table_with_an_unclassified_column():
    metadata = MetaData()
    Table(
        "scratch",
        metadata,
        Column("id", Integer, primary_key=True, info={"data_class": DataClass.OPERATIONAL}),
        Column("notes", String(20)),
    )
    with pytest.raises(UnclassifiedColumnError, match=r"scratch\.notes has no data class"):
        TableClassificationCatalog(metadata).fields()


def test_the_catalog_refuses_a_data_class_given_as_a_plain_string():
    metadata = MetaData()
    Table("scratch", metadata, Column("id", Integer, primary_key=True, info={"data_class": "operational"}))
    with pytest.raises(UnclassifiedColumnError, match=r"scratch\.id"):
        TableClassificationCatalog(metadata).fields()


@pytest.mark.parametrize("column", CALL_DETAIL_FIELDS)
def test_64_2003_d_fields_about_the_call_are_call_detail(classes, column):
    assert classes[CallDetailRecord.__tablename__, column] is DataClass.CALL_DETAIL


def test_64_2003_n_subscriber_list_entries_are_subscriber_list_information(classes):
    table = SubscriberListEntry.__tablename__
    listing = {column: data_class for (t, column), data_class in classes.items() if t == table}
    assert {c for c, d in listing.items() if d is DataClass.SUBSCRIBER_LIST} == {
        "listed_name",
        "listed_number",
        "listed_address",
        "advertising_classification",
    }
    assert not any(d in CPNI_CLASSES for d in listing.values())


def test_222_h_3_the_unlisted_or_non_published_choice_is_not_subscriber_list_information(classes):
    # Unlisted and non-published data is not SLI: the choice lives on the account, and only
    # published listings are stored among subscriber list entries.
    assert classes["accounts", "listing_status"] is DataClass.ACCOUNT_INFORMATION
    assert ("subscriber_list_entries", "listing_status") not in classes


CPNI_TABLES = ("services", "service_configurations", "invoices", "invoice_lines")
KEYS_AND_BOOKKEEPING = {"id", "account_id", "service_id", "invoice_id", "line_number", "invoice_number"}


@pytest.mark.parametrize("table", CPNI_TABLES)
def test_222_h_1_what_services_and_bills_say_is_cpni(classes, table):
    described = {c: d for (t, c), d in classes.items() if t == table and c not in KEYS_AND_BOOKKEEPING}
    assert described
    assert set(described.values()) == {DataClass.CPNI}, described


def test_64_2003_q_service_numbers_are_account_information_never_contact_points(classes):
    assert classes["service_numbers", "telephone_number"] is DataClass.ACCOUNT_INFORMATION
    assert classes["contact_points", "value"] is DataClass.PERSONAL


def test_222_h_3_no_table_holding_cpni_holds_subscriber_list_information(classes):
    cpni_tables = {table for (table, _), data_class in classes.items() if data_class in CPNI_CLASSES}
    assert CallDetailRecord.__tablename__ in cpni_tables
    mixed = sorted(
        f"{table}.{column}"
        for (table, column), data_class in classes.items()
        if table in cpni_tables and data_class is DataClass.SUBSCRIBER_LIST
    )
    assert mixed == []


def test_the_published_classification_is_sorted_by_table_and_field():
    published = published_classification(catalog=TableClassificationCatalog())
    assert [(f.table, f.field) for f in published] == ALL_COLUMNS
    assert all(f.is_cpni == (f.data_class in CPNI_CLASSES) for f in published)
