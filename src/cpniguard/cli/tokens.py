"""`cpniguard tokens`: bearer tokens for employees and integrations."""

from __future__ import annotations

import typer

from cpniguard.cli.context import container, fail_with_input_error, stderr
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.api_tokens import issue_api_token

LABEL_MAX_CHARACTERS = 120

app = typer.Typer(help="Issue bearer tokens for the HTTP API.", no_args_is_help=True, add_completion=False)


@app.callback()
def tokens() -> None:
    """Bearer tokens for employees and integrations; only their digest is stored."""


@app.command()
def issue(
    role: Role = typer.Option(..., case_sensitive=False, help="What the token may do."),
    label: str = typer.Option(..., help="What the token is for, e.g. 'billing feed'."),
) -> None:
    """Issue a token and print its secret once on stdout (store it now; it cannot be shown again)."""
    label = label.strip()
    if not label or len(label) > LABEL_MAX_CHARACTERS:
        problem = FieldProblem("--label", f"give 1 to {LABEL_MAX_CHARACTERS} characters")
        fail_with_input_error(InvalidInputError("the label is not valid", (problem,)))
    with container() as built:
        issued = issue_api_token(
            role=role, label=label, employee_id=None, uow_factory=built.unit_of_work, clock=built.clock
        )
    stderr.print(f"token {issued.token_id} issued with role {issued.role} ({issued.label}); shown once:")
    print(issued.secret)


if __name__ == "__main__":
    app(prog_name="cpniguard tokens")
