"""`cpniguard campaigns`: marketing campaigns, their supervisory review and records (47 CFR 64.2009).

64.2009(c): the register records each campaign that uses CPNI (its description, the specific CPNI
used, the products and services offered) and every disclosure of CPNI to a third party, kept at
least one year; 64.2009(d): outbound campaigns are approved by a supervisor who did not write
them. A draft is a JSON file with the body of `POST /api/v1/campaigns`. Commands that write take
`--actor` and `--as` (see cli/campaigns_audience.py for why); bad input exits 2 naming the option,
argument or place in the file at fault, and writes nothing. Audiences are under `audience`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from cpniguard.cli import campaigns_audience
from cpniguard.cli.breach_record import fail_naming, print_json, refuse
from cpniguard.cli.campaigns_audience import ACTOR, AS_JSON, AS_ROLE, asker, moment, refusals
from cpniguard.cli.consent_notices import moment_text
from cpniguard.cli.context import container, stderr, stdout
from cpniguard.domain.campaigns import Campaign, CampaignDraft, CampaignStatus, ReviewAction, ReviewStep
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.campaign_register import (
    ApprovedVersion,
    RegisterEntry,
    campaign_register,
    disclosure_log,
    purge_campaign,
)
from cpniguard.services.campaigns import (
    MAX_LISTING,
    campaign,
    create_campaign,
    edit_campaign,
    list_campaigns,
    review_campaign,
    review_history,
    submit_campaign,
)
from cpniguard.services.ports import UnitOfWorkFactory
from cpniguard.web.api.campaign_schemas import (
    CampaignDetailOut,
    CampaignIn,
    CampaignOut,
    DisclosureOut,
    RegisterEntryOut,
)

CAMPAIGN_ID = typer.Argument(
    ..., min=1, metavar="ID", help="The campaign's id (see `cpniguard campaigns list`)."
)
DRAFT_FILE = typer.Argument(
    ..., metavar="FILE", help="The campaign as JSON: the body of POST /api/v1/campaigns."
)
NOTE = typer.Option("", "--note", help="A note for the campaign's record.")
FIRST = typer.Option(..., "--from", help="From this ISO 8601 instant with offset, inclusive.")
LAST = typer.Option(..., "--to", help="To this ISO 8601 instant with offset, inclusive.")

app = typer.Typer(
    help="Marketing campaigns that use CPNI: drafts, supervisory review, audiences, records (64.2009).",
    no_args_is_help=True,
)
app.add_typer(campaigns_audience.app, name="audience")


class ReviewDecision(StrEnum):
    """What a supervisor decides on a submitted campaign (64.2009(d))."""

    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"


@app.command("create")
def create(
    file: Path = DRAFT_FILE, actor: str = ACTOR, role: Role = AS_ROLE, as_json: bool = AS_JSON
) -> None:
    """Enter a campaign in the register as a draft (64.2009(c)); `--actor` is its author."""
    draft = _draft(file)
    with container() as built, refusals(file):
        created = create_campaign(built.campaign_context(), draft=draft, asker=asker(actor, role))
    if as_json:
        print_json(CampaignOut.of(created).model_dump(mode="json"))
    stderr.print(f"campaign {created.id} registered as a draft by {created.author}", markup=False)


@app.command("list")
def list_command(
    status: CampaignStatus | None = typer.Option(None, "--status", case_sensitive=False, help="Only these."),
    as_json: bool = AS_JSON,
) -> None:
    """The campaigns in the register, oldest first."""
    with container() as built:
        found = _every_campaign(built.unit_of_work, status)
    if as_json:
        print_json([CampaignOut.of(c).model_dump(mode="json") for c in found])
        return
    table = Table("id", "name", "sponsor", "status", "version", "author", "runs")
    for listed in found:
        draft = listed.draft
        table.add_row(
            str(listed.id),
            escape(draft.name),
            escape(_sponsor(draft.sponsor, draft.sponsor_name)),
            listed.status,
            str(listed.version),
            escape(listed.author),
            f"{draft.starts_on} to {draft.ends_on}",
        )
    stdout.print(table)
    stderr.print(f"{len(found)} campaigns", markup=False)


def _every_campaign(uow_factory: UnitOfWorkFactory, status: CampaignStatus | None) -> list[Campaign]:
    found: list[Campaign] = []
    while True:
        after_id = found[-1].id if found else 0
        page = list_campaigns(uow_factory=uow_factory, status=status, after_id=after_id, limit=MAX_LISTING)
        found.extend(page)
        if len(page) < MAX_LISTING:
            return found


@app.command("show")
def show(campaign_id: int = CAMPAIGN_ID, as_json: bool = AS_JSON) -> None:
    """A campaign: what it says, where its review stands, and every step of its record (64.2009(d))."""
    with container() as built, refusals():
        found = campaign(uow_factory=built.unit_of_work, campaign_id=campaign_id)
        steps = review_history(uow_factory=built.unit_of_work, campaign_id=campaign_id)
    if as_json:
        print_json(CampaignDetailOut.with_history(found, steps).model_dump(mode="json"))
        return
    draft = found.draft
    lines = [
        f"campaign {found.id}: {draft.name}",
        f"status: {found.status}, version {found.version}, by {found.author}",
        f"sponsor: {_sponsor(draft.sponsor, draft.sponsor_name)}; channel: {draft.channel}",
        f"runs: {draft.starts_on} to {draft.ends_on}",
        f"offers: {_offers(draft)}",
        f"CPNI used: {', '.join(draft.cpni_fields)}",
        f"description: {draft.description}",
    ]
    for line in lines:
        stdout.print(line, markup=False)
    stdout.print(_steps_table(steps))


@app.command("edit")
def edit(  # noqa: PLR0913, PLR0917  (typer takes each option as an argument)
    campaign_id: int = CAMPAIGN_ID,
    file: Path = DRAFT_FILE,
    note: str = NOTE,
    actor: str = ACTOR,
    role: Role = AS_ROLE,
    as_json: bool = AS_JSON,
) -> None:
    """Replace the campaign's draft as a new version; an approved one goes back to review (64.2009(d))."""
    draft = _draft(file)
    with container() as built, refusals(file):
        edited = edit_campaign(
            built.campaign_context(),
            campaign_id=campaign_id,
            draft=draft,
            asker=asker(actor, role),
            note=note,
        )
    if as_json:
        print_json(CampaignOut.of(edited).model_dump(mode="json"))
    stderr.print(f"campaign {campaign_id} is at version {edited.version}, {edited.status}", markup=False)


@app.command("submit")
def submit(
    campaign_id: int = CAMPAIGN_ID, note: str = NOTE, actor: str = ACTOR, role: Role = AS_ROLE
) -> None:
    """Send the campaign's current version to a supervisor for review (64.2009(d))."""
    with container() as built, refusals():
        submit_campaign(
            built.campaign_context(), campaign_id=campaign_id, asker=asker(actor, role), note=note
        )
    stderr.print(f"campaign {campaign_id} submitted for review", markup=False)


@app.command("review")
def review(
    campaign_id: int = CAMPAIGN_ID,
    decision: ReviewDecision = typer.Argument(
        ..., metavar="ACTION", case_sensitive=False, help="approved, returned or rejected."
    ),
    note: str = typer.Option("", "--note", help="Why: required to return or reject."),
    actor: str = typer.Option(
        ..., "--actor", help="Who reviews: never whoever wrote or changed the campaign (64.2009(d))."
    ),
    role: Role = AS_ROLE,
) -> None:
    """Approve, return or reject a submitted campaign (64.2009(d)); the reviewer never wrote it."""
    with container() as built, refusals():
        reviewed = review_campaign(
            built.campaign_context(),
            campaign_id=campaign_id,
            action=ReviewAction(decision),
            note=note,
            asker=asker(actor, role),
        )
    stderr.print(f"campaign {campaign_id} {reviewed.status} by {actor}", markup=False)


@app.command("register")
def register(first: str = FIRST, last: str = LAST, as_json: bool = AS_JSON) -> None:
    """The campaigns active in the period, with the CPNI each used, its offers and approvals (64.2009(c))."""
    period = moment(first, "--from"), moment(last, "--to")
    with container() as built, refusals():
        entries = campaign_register(uow_factory=built.unit_of_work, first=period[0], last=period[1])
    if as_json:
        print_json([RegisterEntryOut.of(entry).model_dump(mode="json") for entry in entries])
        return
    table = Table("id", "campaign", "sponsor", "status", "CPNI used", "offers", "approved by", "audiences")
    for entry in entries:
        table.add_row(
            str(entry.campaign_id),
            escape(entry.name),
            escape(_as_approved(entry, lambda used: _sponsor(used.sponsor, used.sponsor_name))),
            f"{entry.status} (v{entry.version})",
            escape(_as_approved(entry, lambda used: ", ".join(used.cpni_fields))),
            escape(_as_approved(entry, _offers)),
            escape(_approvals(entry)),
            str(len(entry.audiences)),
        )
    stdout.print(table)
    stderr.print(f"{len(entries)} campaigns from {first} to {last}", markup=False)


@app.command("disclosures")
def disclosures(first: str = FIRST, last: str = LAST, as_json: bool = AS_JSON) -> None:
    """Disclosures of CPNI to third parties in the period, oldest first (64.2009(c))."""
    period = moment(first, "--from"), moment(last, "--to")
    with container() as built, refusals():
        found = disclosure_log(uow_factory=built.unit_of_work, first=period[0], last=period[1])
    if as_json:
        print_json([DisclosureOut.of(disclosure).model_dump(mode="json") for disclosure in found])
        return
    table = Table("disclosed", "to", "class", "campaign", "audience", "customers", "CPNI", "by")
    for disclosure in found:
        table.add_row(
            moment_text(disclosure.disclosed_at),
            escape(disclosure.recipient),
            disclosure.recipient_class,
            str(disclosure.campaign_id),
            str(disclosure.audience_id),
            str(disclosure.customers),
            escape(", ".join(disclosure.cpni_fields)),
            escape(disclosure.disclosed_by),
        )
    stdout.print(table)
    stderr.print(f"{len(found)} disclosures from {first} to {last}", markup=False)


@app.command("purge")
def purge(
    campaign_id: int = CAMPAIGN_ID,
    yes: bool = typer.Option(False, "--yes", help="Confirm: the campaign's record is deleted for good."),
    actor: str = ACTOR,
    role: Role = AS_ROLE,
) -> None:
    """Delete a campaign's record a year after its last activity and approved run (64.2009(c), (d)).

    The year runs from the later of the last step, audience or disclosure and the last day of the
    latest run an approval covered; sooner is refused.
    """
    if not yes:
        refuse("--yes", f"purging deletes campaign {campaign_id}'s record for good: confirm with --yes")
    with container() as built, refusals():
        removed = purge_campaign(built.campaign_context(), campaign_id=campaign_id, asker=asker(actor, role))
    stderr.print(f"campaign {campaign_id} purged: {removed} rows deleted", markup=False)


def _draft(path: Path) -> CampaignDraft:
    """The draft in `path`, or exit 2 naming each place in the file at fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        refuse("FILE", f"cannot read {path}: {error.strerror}")
    except UnicodeDecodeError:
        refuse("FILE", f"{path} is not UTF-8 text")
    try:
        return CampaignIn.model_validate_json(text).to_draft()
    except ValidationError as error:
        problems = tuple(FieldProblem(_place(e["loc"]), e["msg"]) for e in error.errors())
        fail_naming(
            InvalidInputError(f"{path} is not a campaign draft", problems), lambda p: f"FILE {path}: {p}"
        )


def _place(location: tuple[int | str, ...]) -> str:
    """A pydantic location as the domain writes one: `offers[1].category`."""
    place = ""
    for part in location:
        place += f"[{part}]" if isinstance(part, int) else f".{part}" if place else str(part)
    return place or "the whole file"


def _sponsor(sponsor: str, name: str) -> str:
    return f"{sponsor} ({name})" if name else sponsor


def _offers(campaign: CampaignDraft | RegisterEntry | ApprovedVersion) -> str:
    return "; ".join(f"{offer.product} ({offer.category})" for offer in campaign.offers)


def _as_approved(entry: RegisterEntry, shown: Callable[[RegisterEntry | ApprovedVersion], str]) -> str:
    """`shown` of the current version, then of each approved version where it differs (64.2009(c))."""
    current = shown(entry)
    earlier = [
        f"v{approved.version}: {text}"
        for approved in entry.approved_versions
        if approved.version != entry.version and (text := shown(approved)) != current
    ]
    return " | ".join([current, *earlier])


def _approvals(entry: RegisterEntry) -> str:
    return "; ".join(f"{a.actor} at {moment_text(a.at)} (v{a.version})" for a in entry.approvals)


def _steps_table(steps: list[ReviewStep]) -> Table:
    table = Table("step", "by", "role", "at", "version", "note")
    for step in steps:
        table.add_row(
            step.action,
            escape(step.actor),
            step.actor_role,
            moment_text(step.at),
            str(step.version),
            escape(step.note),
        )
    return table
