"""`cpniguard campaigns audience build|show|export`, and who the campaign commands act as.

47 CFR 64.2009(d): an audience is built, and exported, only for an approved campaign;
64.2005(a), 64.2007(b): it holds only customers whose approval allows the campaign's use of their
CPNI; 64.2009(c): an export to a partner outside the carrier is entered in the third-party
disclosure log.

Who acts: the other CLI commands act as CLI_ASKER, a compliance officer labelled 'cli'. The
campaign record says who took each step, and a campaign is never reviewed by whoever wrote or
changed it (64.2009(d)): one fixed asker would author every campaign and so could review none.
So each campaign command that writes takes `--actor NAME` and `--as ROLE`, defaulting to
CLI_ASKER's; the services decide whether that role may take the step (a refusal names `--as`).
Whoever runs the CLI on the server administers cpniguard, so the names are recorded as given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from cpniguard.cli.breach_record import fail_naming, print_json, refuse
from cpniguard.cli.consent import CLI_ASKER
from cpniguard.cli.consent_notices import aware_instant, counting_progress, moment_text
from cpniguard.cli.context import container, not_found_exit, stderr, stdout
from cpniguard.domain.actors import actor_kind_of
from cpniguard.domain.campaigns import Audience, ExclusionReason
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.campaign_audiences import (
    AudienceExport,
    build_audience,
    campaign_audience,
    export_audience_csv,
)
from cpniguard.services.campaigns import CampaignContext, CampaignRoleError
from cpniguard.services.disclosure import Asker
from cpniguard.web.api.campaign_schemas import AudienceOut
from cpniguard.web.api.consent_schemas import LATEST_AS_OF, STATUTE_ENACTED

ACTOR = typer.Option(
    CLI_ASKER.label, "--actor", help="Who takes the step, as the campaign's record will name them."
)
AS_ROLE = typer.Option(
    CLI_ASKER.role, "--as", case_sensitive=False, help="Their role: the services decide what it may do."
)
AS_JSON = typer.Option(False, "--json", help="Print JSON for programs instead of a table.")
LOCATIONS = {
    "actor": "--actor",
    "role": "--as",
    "note": "--note",
    "action": "ACTION",
    "campaign_id": "ID",
    "audience_id": "AID",
    "as_of": "--as-of",
    "first": "--from",
    "last": "--to",
}
"""The option or argument behind each location the services name."""

app = typer.Typer(help="Audiences of approved campaigns (47 CFR 64.2009(d)).", no_args_is_help=True)


def asker(actor: str, role: Role) -> Asker:
    """Who a campaign command acts as: `--actor` in the role `--as`."""
    return Asker(kind=actor_kind_of(role), role=role, label=actor)


@contextmanager
def refusals(draft_file: Path | None = None, names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Exit 2 on a refused step, naming the option, argument or place in `draft_file` at fault.

    `names` overrides LOCATIONS for one command (an export names its audience, not a campaign).
    """
    try:
        yield
    except CampaignRoleError as error:
        refuse("--as", f"{error}; give the role of whoever takes this step")
    except InvalidInputError as error:
        fail_naming(error, lambda location: _named(location, draft_file, names or {}))
    except RetentionFloorError as error:
        refuse("ID", str(error))
    except NotFoundError as error:
        raise not_found_exit(error) from None


def _named(location: str, draft_file: Path | None, names: Mapping[str, str]) -> str:
    if location in names:
        return names[location]
    if location in LOCATIONS or draft_file is None:
        return LOCATIONS.get(location, location)
    return f"FILE {draft_file}: {location}"


def moment(value: str, option: str) -> datetime:
    """An ISO 8601 instant with its offset, from 1996-02-08 (47 U.S.C. 222) to before 9998."""
    parsed = aware_instant(value, option)
    if not STATUTE_ENACTED <= parsed < LATEST_AS_OF:
        refuse(option, f"{value!r} is not from {STATUTE_ENACTED.date()} to before {LATEST_AS_OF.date()}")
    return parsed


@app.command("build")
def build(
    campaign_id: int = typer.Argument(..., min=1, metavar="ID", help="The approved campaign."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Read consent as of this ISO 8601 instant with offset; default now."
    ),
    actor: str = ACTOR,
    role: Role = AS_ROLE,
    as_json: bool = AS_JSON,
) -> None:
    """Select the customers an approved campaign may reach, each selection logged (64.2005, 64.2007)."""
    when = None if as_of is None else moment(as_of, "--as-of")
    with container() as built, refusals():
        audience = build_audience(
            built.campaign_context(), campaign_id=campaign_id, asker=asker(actor, role), as_of=when
        )
    if as_json:
        print_json(AudienceOut.of(audience).model_dump(mode="json"))
    stderr.print(
        f"audience {audience.id} of campaign {campaign_id}: {audience.selected} selected, "
        f"{sum(audience.excluded.values())} left out",
        markup=False,
    )


@app.command("show")
def show(
    audience_id: int = typer.Argument(..., min=1, metavar="AID", help="The audience's id."),
    as_json: bool = AS_JSON,
) -> None:
    """An audience: as of when, by whom, how many selected, and how many left out by reason."""
    with container() as built, refusals():
        audience = campaign_audience(uow_factory=built.unit_of_work, audience_id=audience_id)
    if as_json:
        print_json(AudienceOut.of(audience).model_dump(mode="json"))
        return
    print_audience(audience)


def print_audience(audience: Audience) -> None:
    """The audience's facts, then who was left out by reason."""
    stdout.print(
        f"audience {audience.id} of campaign {audience.campaign_id} version {audience.campaign_version}",
        markup=False,
    )
    stdout.print(f"as of: {moment_text(audience.as_of)}", markup=False)
    stdout.print(f"built: {moment_text(audience.built_at)} by {audience.built_by}", markup=False)
    stdout.print(f"selected: {audience.selected}", markup=False)
    table = Table("left out because", "customers")
    for reason in ExclusionReason:
        table.add_row(str(reason), str(audience.excluded.get(reason, 0)))
    stdout.print(table)


@app.command("export")
def export(
    audience_id: int = typer.Argument(..., min=1, metavar="AID", help="The audience's id."),
    out: Path = typer.Option(..., "--out", help="The CSV file to write; it must not exist yet."),
    actor: str = ACTOR,
    role: Role = AS_ROLE,
) -> None:
    """Write the audience as CSV; a third party's receipt is entered in the disclosure log (64.2009(c)).

    The file appears only once every row is written and the export recorded; a refused or failed
    export leaves no file behind.
    """
    if out.exists():
        refuse("--out", f"{out} exists: choose another file, or remove it first")
    if not out.parent.is_dir():
        refuse("--out", f"{out.parent} is not a directory")
    partial = out.with_name(f".{out.name}.partial")
    with container() as built, refusals(names={"campaign_id": "AID"}):
        try:
            done = _export(built.campaign_context(), audience_id, partial, asker(actor, role))
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(out)
    stderr.print(f"{done.written} customers of audience {audience_id} written to {out}", markup=False)
    if done.withheld:
        stderr.print(
            f"{done.withheld} withheld: the campaign no longer selects them (an approval revoked or"
            " lapsed, an account closed, criteria no longer met since the audience was built)",
            markup=False,
        )


def _export(context: CampaignContext, audience_id: int, partial: Path, who: Asker) -> AudienceExport:
    try:
        file = partial.open("w", encoding="utf-8", newline="")
    except OSError as error:
        refuse("--out", f"cannot write {partial.parent}: {error.strerror}")
    with file, counting_progress("customers") as progress:
        task = progress.add_task(f"audience {audience_id}", total=None)
        return export_audience_csv(
            context,
            audience_id=audience_id,
            out=file,
            asker=who,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
