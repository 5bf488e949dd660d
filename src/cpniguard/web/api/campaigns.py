"""Marketing campaigns over HTTP (issue 7; 47 CFR 64.2005, 64.2007, 64.2009(c), (d); 47 U.S.C. 222(b)).

Marketing analysts (and supervisors, compliance officers) draft a campaign, edit it and submit it;
a supervisor or compliance officer who did not write it approves, returns or rejects it
(64.2009(d)). Once approved, an audience is built from the consent in force and exported as CSV;
an export to a partner outside the carrier is entered in the third-party disclosure log. The
register of campaigns and the disclosure log are read by the same staff and by auditors
(64.2009(c)), and kept at least one year: a purge inside that floor answers 409.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import IO, Annotated, TypeVar

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from cpniguard.bootstrap import Container
from cpniguard.domain.campaigns import CampaignStatus, ReviewAction
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.campaign_audiences import (
    MAX_MEMBERS_PAGE,
    audience_members,
    build_audience,
    campaign_audience,
    campaign_audiences,
    export_audience_csv,
)
from cpniguard.services.campaign_register import campaign_register, disclosure_log, purge_campaign
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
from cpniguard.web.api.campaign_schemas import (
    AudienceIn,
    AudienceOut,
    CampaignDetailOut,
    CampaignEditIn,
    CampaignIn,
    CampaignOut,
    CampaignPurgedOut,
    DisclosureOut,
    MemberOut,
    Moment,
    RegisterEntryOut,
    ReviewIn,
    SubmissionIn,
)
from cpniguard.web.api.disclosure import asker_of
from cpniguard.web.deps import (
    AudienceBuilderDep,
    CampaignDrafterDep,
    CampaignPurgerDep,
    CampaignReaderDep,
    CampaignReviewerDep,
    ContainerDep,
)
from cpniguard.web.problems import ProblemError, problem_responses

router = APIRouter(tags=["campaigns"])
RESPONSES = problem_responses(403, 404, 422)
CampaignId = Annotated[int, Path(ge=1, le=2**62)]
AudienceId = Annotated[int, Path(ge=1, le=2**62)]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CSV_RESPONSES = {
    **RESPONSES,
    200: {
        "content": {"text/csv": {}},
        "description": "The audience as CSV.",
        "headers": {
            "X-Audience-Rows": {"description": "Customers written.", "schema": {"type": "integer"}},
            "X-Audience-Withheld": {
                "description": "Members left out: the campaign no longer selects them as of the export.",
                "schema": {"type": "integer"},
            },
        },
    },
}
EXPORT_SPOOL_BYTES = 8 * 1024 * 1024
"""An export up to this size is built in memory; a larger one spills to a temporary file."""
EXPORT_CHUNK_CHARACTERS = 64 * 1024
PERIOD_FIELDS = {"first": "query.first", "last": "query.last"}
T = TypeVar("T")


# --- the campaign and its review


@router.post("/campaigns", status_code=HTTPStatus.CREATED, responses=problem_responses(403, 422))
def post_campaign(container: ContainerDep, drafter: CampaignDrafterDep, body: CampaignIn) -> CampaignOut:
    """Enter a campaign in the register as a draft (64.2009(c)); an unknown or 222(b) field refuses it."""
    created = create_campaign(container.campaign_context(), draft=body.to_draft(), asker=asker_of(drafter))
    return CampaignOut.of(created)


@router.get("/campaigns", responses=problem_responses(403, 422))
def get_campaigns(
    container: ContainerDep,
    _reader: CampaignReaderDep,
    status: Annotated[CampaignStatus | None, Query(description="Only campaigns in this status.")] = None,
    after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTING)] = 100,
) -> list[CampaignOut]:
    """Campaigns in id order after `after_id`, of one review status or all."""
    listed = list_campaigns(uow_factory=container.unit_of_work, status=status, after_id=after_id, limit=limit)
    return [CampaignOut.of(found) for found in listed]


@router.get("/campaigns/{campaign_id}", responses=RESPONSES)
def get_campaign(
    container: ContainerDep, _reader: CampaignReaderDep, campaign_id: CampaignId
) -> CampaignDetailOut:
    """The campaign with every step of its review record (64.2009(d)), in the order taken."""
    return _detail(container, campaign_id)


@router.put("/campaigns/{campaign_id}", responses=RESPONSES)
def put_campaign(
    container: ContainerDep, drafter: CampaignDrafterDep, campaign_id: CampaignId, body: CampaignEditIn
) -> CampaignOut:
    """Replace the draft as a new version; an approved campaign goes back to review (64.2009(d))."""
    edited = edit_campaign(
        container.campaign_context(),
        campaign_id=campaign_id,
        draft=body.to_draft(),
        asker=asker_of(drafter),
        note=body.note,
    )
    return CampaignOut.of(edited)


@router.post("/campaigns/{campaign_id}/submission", responses=RESPONSES)
def post_submission(
    container: ContainerDep,
    drafter: CampaignDrafterDep,
    campaign_id: CampaignId,
    body: SubmissionIn | None = None,
) -> CampaignOut:
    """Send the campaign's current version to a supervisor for review (64.2009(d))."""
    note = "" if body is None else body.note
    submitted = submit_campaign(
        container.campaign_context(), campaign_id=campaign_id, asker=asker_of(drafter), note=note
    )
    return CampaignOut.of(submitted)


@router.post("/campaigns/{campaign_id}/review", responses=RESPONSES)
def post_review(
    container: ContainerDep, reviewer: CampaignReviewerDep, campaign_id: CampaignId, body: ReviewIn
) -> CampaignOut:
    """Approve, return or reject a submitted campaign; never one the reviewer wrote (64.2009(d))."""
    reviewed = review_campaign(
        container.campaign_context(),
        campaign_id=campaign_id,
        action=ReviewAction(body.action),
        note=body.note,
        asker=asker_of(reviewer),
    )
    return CampaignOut.of(reviewed)


@router.delete("/campaigns/{campaign_id}", responses=problem_responses(403, 404, 409, 422))
def delete_campaign(
    container: ContainerDep, purger: CampaignPurgerDep, campaign_id: CampaignId
) -> CampaignPurgedOut:
    """Purge a campaign's record a year after its last activity and its approved run; 409 sooner.

    64.2009(c), (d): the year runs from the later of the last step, audience or disclosure and
    the last day of the latest run an approval covered. Inside it, nothing is deleted.
    """
    try:
        removed = purge_campaign(
            container.campaign_context(), campaign_id=campaign_id, asker=asker_of(purger)
        )
    except RetentionFloorError as error:
        raise ProblemError(
            HTTPStatus.CONFLICT,
            f"The campaign's record must be kept: {error}.",
            errors=(FieldProblem("campaign_id", str(error)),),
        ) from error
    return CampaignPurgedOut(campaign_id=campaign_id, rows_removed=removed)


def _detail(container: Container, campaign_id: int) -> CampaignDetailOut:
    found = campaign(uow_factory=container.unit_of_work, campaign_id=campaign_id)
    steps = review_history(uow_factory=container.unit_of_work, campaign_id=campaign_id)
    return CampaignDetailOut.with_history(found, steps)


# --- audiences


@router.post("/campaigns/{campaign_id}/audiences", status_code=HTTPStatus.CREATED, responses=RESPONSES)
def post_audience(
    container: ContainerDep,
    builder: AudienceBuilderDep,
    campaign_id: CampaignId,
    body: AudienceIn | None = None,
) -> AudienceOut:
    """Build the audience of an approved campaign from the consent in force (64.2005, 64.2007, 64.2009(d))."""
    as_of = None if body is None else body.as_of
    built = build_audience(
        container.campaign_context(), campaign_id=campaign_id, asker=asker_of(builder), as_of=as_of
    )
    return AudienceOut.of(built)


@router.get("/campaigns/{campaign_id}/audiences", responses=RESPONSES)
def get_audiences(
    container: ContainerDep, _reader: CampaignReaderDep, campaign_id: CampaignId
) -> list[AudienceOut]:
    """The campaign's audiences, oldest first."""
    found = campaign_audiences(uow_factory=container.unit_of_work, campaign_id=campaign_id)
    return [AudienceOut.of(audience) for audience in found]


@router.get("/campaign-audiences/{audience_id}", responses=RESPONSES)
def get_audience(container: ContainerDep, _reader: CampaignReaderDep, audience_id: AudienceId) -> AudienceOut:
    """The audience: as of when, by whom, how many selected and left out, by reason."""
    return AudienceOut.of(campaign_audience(uow_factory=container.unit_of_work, audience_id=audience_id))


@router.get("/campaign-audiences/{audience_id}/members", responses=RESPONSES)
def get_members(
    container: ContainerDep,
    _reader: CampaignReaderDep,
    audience_id: AudienceId,
    after_account_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_MEMBERS_PAGE)] = 1000,
) -> list[MemberOut]:
    """A page of the audience's members in account-key order after `after_account_id`."""
    found = audience_members(
        uow_factory=container.unit_of_work,
        audience_id=audience_id,
        after_account_id=after_account_id,
        limit=limit,
    )
    return [MemberOut.of(member) for member in found]


@router.get("/campaign-audiences/{audience_id}/export", responses=CSV_RESPONSES, response_class=Response)
def get_export(container: ContainerDep, builder: AudienceBuilderDep, audience_id: AudienceId) -> Response:
    """The audience as CSV (account_number, need, approval); refused unless its version is approved.

    64.2009(d): only the approved version's audience goes out. 64.2009(c): handing it to a sponsor
    outside the carrier, its communications affiliates and agents is entered in the third-party
    disclosure log, in the transaction that builds the file; the file is then streamed. Members
    the campaign no longer selects as of the export (an opt-out since the build, say) are left
    out of the file and counted in `X-Audience-Withheld`.
    """
    spooled: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed once streamed
        max_size=EXPORT_SPOOL_BYTES, mode="w+", encoding="utf-8", newline=""
    )
    try:
        done = export_audience_csv(
            container.campaign_context(), audience_id=audience_id, out=spooled, asker=asker_of(builder)
        )
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    headers = {
        "Content-Disposition": f'attachment; filename="audience-{audience_id}.csv"',
        "X-Audience-Rows": str(done.written),
        "X-Audience-Withheld": str(done.withheld),
    }
    return StreamingResponse(
        _chunks(spooled), media_type=CSV_MEDIA_TYPE, headers=headers, background=BackgroundTask(spooled.close)
    )


def _chunks(spooled: IO[str]) -> Iterator[str]:
    try:
        while chunk := spooled.read(EXPORT_CHUNK_CHARACTERS):
            yield chunk
    finally:
        spooled.close()


# --- the records of 64.2009(c)


@router.get("/campaign-register", responses=problem_responses(403, 422))
def get_register(
    container: ContainerDep,
    _reader: CampaignReaderDep,
    first: Annotated[Moment, Query(description="From this instant (ISO 8601 with offset), inclusive.")],
    last: Annotated[Moment, Query(description="To this instant (ISO 8601 with offset), inclusive.")],
) -> list[RegisterEntryOut]:
    """The campaigns with any step recorded in the period: the CPNI each used, its offers and approvals."""
    entries = _named_period(
        lambda: campaign_register(uow_factory=container.unit_of_work, first=first, last=last)
    )
    return [RegisterEntryOut.of(entry) for entry in entries]


@router.get("/third-party-disclosures", responses=problem_responses(403, 422))
def get_disclosures(
    container: ContainerDep,
    _reader: CampaignReaderDep,
    first: Annotated[Moment, Query(description="From this instant (ISO 8601 with offset), inclusive.")],
    last: Annotated[Moment, Query(description="To this instant (ISO 8601 with offset), inclusive.")],
) -> list[DisclosureOut]:
    """Disclosures of CPNI to third parties in the period, oldest first (64.2009(c))."""
    found = _named_period(lambda: disclosure_log(uow_factory=container.unit_of_work, first=first, last=last))
    return [DisclosureOut.of(disclosure) for disclosure in found]


def _named_period(read: Callable[[], T]) -> T:
    """`read()`, a refused period named by the query parameters the request gave."""
    try:
        return read()
    except InvalidInputError as error:
        problems = tuple(
            FieldProblem(PERIOD_FIELDS.get(p.location, p.location), p.message) for p in error.problems
        )
        raise InvalidInputError(error.message, problems) from error
