"""The demo, like `serve`, refuses to listen beyond loopback outside production, before seeding."""

from sqlalchemy import func, select
from typer.testing import CliRunner

from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.tables import Account
from cpniguard.cli import demo


def test_the_demo_refuses_every_interface_outside_production_and_seeds_nothing(
    cli_environment, fresh_database_url
):
    result = CliRunner().invoke(demo.app, ["--host", "0.0.0.0"], env=cli_environment)  # noqa: S104 - the point
    assert result.exit_code == 3
    assert "refusing to listen on 0.0.0.0" in result.output
    engine = build_engine(fresh_database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Account)) == 0
    finally:
        engine.dispose()
