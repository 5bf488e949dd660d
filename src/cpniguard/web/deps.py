"""Dependencies of the endpoints: the container, who is calling, and what their role allows."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from cpniguard.bootstrap import Container
from cpniguard.domain.audit import can_read_access_log
from cpniguard.domain.breach_roles import can_keep_breaches, can_keep_calendar, can_read_breaches
from cpniguard.domain.campaign_review import (
    can_build_audiences,
    can_draft_campaigns,
    can_read_campaigns,
    can_review_campaigns,
)
from cpniguard.domain.consent_roles import can_manage_consent, can_read_consent, can_record_consent
from cpniguard.domain.employees import (
    Role,
    can_administer,
    can_change_contact_points,
    can_handle_interactions,
    can_load_call_detail,
    can_read_contact_points,
    can_read_training,
    can_record_training,
)
from cpniguard.domain.outbox import can_read_deliveries
from cpniguard.services.api_tokens import authenticate_api_token
from cpniguard.services.ports import TokenHolder
from cpniguard.web.problems import ProblemError

_bearer = HTTPBearer(
    auto_error=False,
    description="A token from `cpniguard tokens issue --role ROLE --label TEXT`.",
)


def _container(request: Request) -> Container:
    return cast("Container", request.app.state.container)


def _templates(request: Request) -> Jinja2Templates:
    return cast("Jinja2Templates", request.app.state.templates)


ContainerDep = Annotated[Container, Depends(_container)]
TemplatesDep = Annotated[Jinja2Templates, Depends(_templates)]


def _unauthenticated(detail: str, challenge: str) -> ProblemError:
    return ProblemError(HTTPStatus.UNAUTHORIZED, detail, headers={"WWW-Authenticate": challenge})


def token_holder(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenHolder:
    """Who the bearer token speaks for; 401 when it is missing, malformed, unknown or revoked."""
    if credentials is None:
        raise _unauthenticated(
            "This endpoint needs a bearer token: send 'Authorization: Bearer <token>'.",
            'Bearer realm="cpniguard"',
        )
    holder = authenticate_api_token(token=credentials.credentials, uow_factory=container.unit_of_work)
    if holder is None:
        # One answer for malformed, unknown and revoked tokens: the caller learns nothing more.
        raise _unauthenticated(
            "The bearer token is not valid: it is malformed, unknown or revoked.",
            'Bearer realm="cpniguard", error="invalid_token"',
        )
    return holder


TokenHolderDep = Annotated[TokenHolder, Depends(token_holder)]


def _role_check(allows: Callable[[Role], bool], action: str) -> Callable[[TokenHolder], TokenHolder]:
    def check(holder: TokenHolderDep) -> TokenHolder:
        if not allows(holder.role):
            raise ProblemError(HTTPStatus.FORBIDDEN, f"The role '{holder.role}' may not {action}.")
        return holder

    return check


require_call_detail_loader = _role_check(can_load_call_detail, "load call detail records")
require_administrator = _role_check(can_administer, "use the administration endpoints")

CallDetailLoaderDep = Annotated[TokenHolder, Depends(require_call_detail_loader)]

ContactPointReaderDep = Annotated[
    TokenHolder, Depends(_role_check(can_read_contact_points, "read an account's contact points"))
]

InteractionHandlerDep = Annotated[
    TokenHolder, Depends(_role_check(can_handle_interactions, "handle interactions"))
]
TrainingRecorderDep = Annotated[
    TokenHolder, Depends(_role_check(can_record_training, "record training or discipline"))
]
TrainingReaderDep = Annotated[TokenHolder, Depends(_role_check(can_read_training, "read training records"))]
ContactChangerDep = Annotated[
    TokenHolder, Depends(_role_check(can_change_contact_points, "change an account's contact points"))
]
AccessLogReaderDep = Annotated[TokenHolder, Depends(_role_check(can_read_access_log, "read the access log"))]
DeliveryReaderDep = Annotated[
    TokenHolder, Depends(_role_check(can_read_deliveries, "read customer messages"))
]
ConsentReaderDep = Annotated[TokenHolder, Depends(_role_check(can_read_consent, "read consent records"))]
ConsentRecorderDep = Annotated[TokenHolder, Depends(_role_check(can_record_consent, "record consent events"))]
ConsentManagerDep = Annotated[
    TokenHolder,
    Depends(_role_check(can_manage_consent, "manage notices, the mailbox review queue or opt-out failures")),
]
BreachReaderDep = Annotated[
    TokenHolder, Depends(_role_check(can_read_breaches, "read breach records, deadlines or documents"))
]
BreachKeeperDep = Annotated[
    TokenHolder,
    Depends(_role_check(can_keep_breaches, "open, record, notify, close, reopen or purge breaches")),
]
CalendarKeeperDep = Annotated[
    TokenHolder, Depends(_role_check(can_keep_calendar, "add or remove days the Commission was closed"))
]
CampaignReaderDep = Annotated[
    TokenHolder,
    Depends(_role_check(can_read_campaigns, "read campaigns, their reviews, audiences or disclosures")),
]
CampaignDrafterDep = Annotated[
    TokenHolder, Depends(_role_check(can_draft_campaigns, "draft, edit or submit campaigns"))
]
CampaignReviewerDep = Annotated[
    TokenHolder, Depends(_role_check(can_review_campaigns, "approve, return or reject campaigns"))
]
CampaignPurgerDep = Annotated[
    TokenHolder, Depends(_role_check(can_review_campaigns, "purge campaign records"))
]
AudienceBuilderDep = Annotated[
    TokenHolder, Depends(_role_check(can_build_audiences, "build or export campaign audiences"))
]
