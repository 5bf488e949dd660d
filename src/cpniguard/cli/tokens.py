"""`cpniguard tokens`: bearer tokens for employees and integrations."""

from __future__ import annotations

import typer

from cpniguard.cli.context import container, fail_with_input_error, not_found_exit, stderr
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.api_tokens import issue_api_token, revoke_api_token
from cpniguard.services.employees import employee_key

app = typer.Typer(help="Issue bearer tokens for the HTTP API.", no_args_is_help=True, add_completion=False)


@app.callback()
def tokens() -> None:
    """Bearer tokens for employees and integrations; only their digest is stored."""


@app.command()
def issue(
    role: Role = typer.Option(..., case_sensitive=False, help="What the token may do."),
    label: str = typer.Option(..., help="What the token is for, e.g. 'billing feed'."),
    employee: str | None = typer.Option(
        None, help="The employee it acts for (their role must match); the gate checks their training."
    ),
) -> None:
    """Issue a token and print its secret once on stdout (store it now; it cannot be shown again)."""
    with container() as built:
        try:
            issued = issue_api_token(
                role=role,
                label=label,
                employee_id=employee_key(uow_factory=built.unit_of_work, username=employee, role=role),
                uow_factory=built.unit_of_work,
                clock=built.clock,
            )
        except InvalidInputError as error:
            fail_with_input_error(error)
    stderr.print(f"token {issued.token_id} issued with role {issued.role} ({issued.label}); shown once:")
    print(issued.secret)


@app.command()
def revoke(
    token_id: int = typer.Argument(..., help="The token's number, as printed when it was issued."),
) -> None:
    """Revoke a token at once."""
    with container() as built:
        try:
            revoke_api_token(token_id=token_id, uow_factory=built.unit_of_work, clock=built.clock)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stderr.print(f"token {token_id} revoked")


if __name__ == "__main__":
    app(prog_name="cpniguard tokens")
