"""`cpniguard outbox`: the messages the outbox gave up on, for the staff who must act on them.

A dead letter may be a duty not met (a 64.2010(f) account-change notice, a 64.2008 CPNI notice, a
64.2011 breach notice). The worker emails the compliance officer a digest naming each one by id
only; this lists whose each was, where it went, why it failed and which digest told of it.
"""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from cpniguard.cli.breach_record import fail_naming, print_json
from cpniguard.cli.consent_notices import moment_text
from cpniguard.cli.context import container, stderr, stdout
from cpniguard.domain.dead_letters import consequence
from cpniguard.domain.errors import InvalidInputError
from cpniguard.services.dead_letter_alerts import MAX_DEAD_LETTERS_PAGE, dead_letters
from cpniguard.services.ports import DeadLetterDetail

app = typer.Typer(help="The outbox's dead letters.", add_completion=False, no_args_is_help=True)


@app.command("dead-letters")
def list_dead_letters(
    after: int = typer.Option(0, "--after", help="Only dead letters with a greater message id (paging)."),
    limit: int = typer.Option(100, "--limit", help=f"How many, 1 to {MAX_DEAD_LETTERS_PAGE}."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for programs instead of a table."),
) -> None:
    """Dead letters in message order: whose, by which channel to where, why, and what their loss means."""
    with container() as built:
        try:
            found = dead_letters(uow_factory=built.unit_of_work, after_id=after, limit=limit)
        except InvalidInputError as error:
            fail_naming(error, {"after_id": "--after", "limit": "--limit"})
    if as_json:
        print_json([_json(letter) for letter in found])
        return
    table = Table("id", "account", "kind", "channel", "to", "queued", "tries", "why", "told in", "meaning")
    for letter in found:
        table.add_row(
            str(letter.message_id),
            letter.account_number or "",
            letter.template,
            str(letter.channel),
            escape(letter.recipient),
            moment_text(letter.created_at),
            str(letter.attempts),
            escape(letter.last_error or ""),
            letter.digest_key or "",
            escape(consequence(letter.template)),
        )
    stdout.print(table)
    stderr.print(f"{len(found)} dead letters", markup=False)


def _json(letter: DeadLetterDetail) -> dict[str, object]:
    return {
        "message_id": letter.message_id,
        "account_number": letter.account_number,
        "template": letter.template,
        "channel": str(letter.channel),
        "recipient": letter.recipient,
        "attempts": letter.attempts,
        "created_at": letter.created_at.isoformat(),
        "last_error": letter.last_error,
        "digest_key": letter.digest_key,
        "meaning": consequence(letter.template),
    }
