"""The marketing mailbox: opt-outs and approvals that arrive by email (47 CFR 64.2008(d)(3)).

Customers opt out by writing to the marketing address at any time, or by replying to a
notice email (64.2008(d)(3)(ii)); the mailbox is free and open around the clock (RULES.md 4.9).
A bounced notice email does not count as notice (64.2008(d)(3)(iii)), so bounce reports are read too.
Whatever arrives is read without raising: the raw message is kept by the service, and anything
this module cannot read with confidence goes to staff with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from enum import StrEnum

from cpniguard.domain.mailbox_text import (
    MAX_TEXT_CHARS,
    MailboxIntent,
    Part,
    addresses,
    best_text,
    classify_request,
    cleaned_text,
    first_header,
    header_values,
    message_parts,
    one_line,
    payload_bytes,
    payload_of,
    read_safely,
)

__all__ = [
    "MAX_TEXT_CHARS",
    "InboundMail",
    "MailboxAction",
    "MailboxIntent",
    "MailboxMatch",
    "MailboxRouting",
    "MailboxStatus",
    "classify_request",
    "read_inbound",
    "route_inbound",
]

_MAX_RAW_BYTES = 10 * 1024 * 1024
"""Beyond this only the start of a message is parsed: a request or a bounce never needs more."""
_MAX_IDS = 100

_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]+@[^\s@.<>()\[\],;:\"\\]+(?:\.[^\s@.<>()\[\],;:\"\\]+)+")
_ADDRESS_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FAILED_CHECK = re.compile(r"\b(dmarc|spf|dkim)\s*=\s*fail\b")
_STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_ORIGINAL_TYPES = frozenset({"message/rfc822", "message/global"})
_ORIGINAL_HEADER_TYPES = frozenset({"text/rfc822-headers", "message/global-headers"})
_NOT_FAILED = frozenset({"delayed", "delivered", "relayed", "expanded"})
"""RFC 3464 2.3.3 actions that report progress, not a failure."""


MAILBOX_REFERENCE_PREFIX = "mailbox:"
"""The ledger reference of an event recorded from a stored email: `mailbox:{stored message key}`."""


class MailboxStatus(StrEnum):
    """Where a stored email stands."""

    RECEIVED = "received"
    """Stored, not yet processed (or processing failed and will be retried)."""
    PROCESSED = "processed"
    NEEDS_REVIEW = "needs_review"
    """Unknown sender, ambiguous text or several matching accounts: staff decide."""
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class InboundMail:
    """What the mailbox could read from one raw message; see `read_inbound`."""

    sender: str | None
    """The single From address, lower-cased; None when missing, unreadable or one of several."""
    display_name: str
    subject: str
    text: str
    """The best plain text (text/plain, else text/html without tags), at most MAX_TEXT_CHARS."""
    message_id: str | None = None
    replied_to: tuple[str, ...] = ()
    """Message-IDs from In-Reply-To, then References, angle brackets kept, whitespace removed."""
    is_bounce: bool = False
    bounced_message_ids: tuple[str, ...] = ()
    suspicious: tuple[str, ...] = ()
    """Plain-English reasons the sender may be spoofed."""
    problems: tuple[str, ...] = ()
    """What was malformed, and where."""


class MailboxAction(StrEnum):
    """What the service does with a message."""

    RECORD_OPT_OUT = "record_opt_out"
    RECORD_OPT_IN = "record_opt_in"
    RECORD_REVOCATION = "record_revocation"
    RECORD_BOUNCE = "record_bounce"
    """The service finds the notice by the bounced Message-ID; it no longer counts (64.2008(d)(3)(iii))."""
    REVIEW = "review"


@dataclass(frozen=True, slots=True)
class MailboxMatch:
    """An account that has the sender's address as a current email contact."""

    account_id: int
    is_of_record: bool
    """The address has been on the account for 30 days or more (47 CFR 64.2003(b))."""


@dataclass(frozen=True, slots=True)
class MailboxRouting:
    """The decision on one message, with the reason staff read in the review queue."""

    action: MailboxAction
    account_id: int | None
    reason: str


def read_inbound(raw: bytes, *, envelope_sender: str) -> InboundMail:
    """Read a raw email for the marketing mailbox; never raises, whatever the bytes.

    47 CFR 64.2008(d)(3)(ii), (iii): finds who wrote, what they wrote, which notice they replied to,
    and whether it is a bounce report (RFC 3464) for a notice. Malformed parts are read as far as they
    can be and listed in `problems`; signs of spoofing are listed in `suspicious`.
    """
    problems: list[str] = []
    try:
        return _read(raw, envelope_sender, problems)
    except Exception as error:  # noqa: BLE001 - the last guard: the stdlib's parser raises many kinds of error
        problems.append(f"the message could not be read ({type(error).__name__}); the raw text was used")
        text = cleaned_text(raw[: 2 * MAX_TEXT_CHARS].decode("utf-8", errors="replace"))
        return InboundMail(None, "", "", text[:MAX_TEXT_CHARS], problems=_tidy(problems))


def _read(raw: bytes, envelope_sender: str, problems: list[str]) -> InboundMail:
    if len(raw) > _MAX_RAW_BYTES:
        problems.append(f"the message is {len(raw)} bytes; only the first {_MAX_RAW_BYTES} were read")
    message = _parsed(raw[:_MAX_RAW_BYTES], headers_only=False)
    parts = message_parts(message, problems)
    froms = addresses(message, "From", problems)
    sender, display_name = _single_sender(froms)
    is_bounce, bounced = _bounce(message, parts, envelope_sender, problems)
    header = first_header(message, "Subject", problems)
    return InboundMail(
        sender=sender,
        display_name=display_name,
        subject=header or "",
        text=best_text(parts, problems),
        message_id=_message_id(first_header(message, "Message-ID", problems)),
        replied_to=_replied_to(message, problems),
        is_bounce=is_bounce,
        bounced_message_ids=bounced,
        suspicious=_suspicions(message, froms, envelope_sender, problems),
        problems=_tidy(problems),
    )


def _parsed(raw: bytes, *, headers_only: bool) -> Part:
    return BytesParser(policy=policy.default).parsebytes(raw, headersonly=headers_only)


def _tidy(texts: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(one_line(text, 300) for text in texts if text))


def _single_sender(froms: list[tuple[str, str]]) -> tuple[str | None, str]:
    if len(froms) != 1:
        return None, ""
    display_name, address = froms[0]
    valid = len(address) <= 254 and _ADDRESS.fullmatch(address) is not None  # noqa: PLR2004 - RFC 5321's limit
    return (address.lower() if valid else None), display_name


def _message_id(value: str | None) -> str | None:
    return "".join(value.split()) or None if value else None


def _replied_to(message: Part, problems: list[str]) -> tuple[str, ...]:
    values = [
        *header_values(message, "In-Reply-To", problems),
        *header_values(message, "References", problems),
    ]
    return tuple(dict.fromkeys(found for value in values for found in _message_ids(value)))[:_MAX_IDS]


def _message_ids(value: str) -> list[str]:
    tokens = re.findall(r"<[^<>]*>", value) if "<" in value else value.replace(",", " ").split()
    return [token for token in ("".join(token.split()) for token in tokens) if token not in {"", "<>"}]


def _bounce(
    message: Part, parts: list[tuple[str, str, Part]], envelope_sender: str, problems: list[str]
) -> tuple[bool, tuple[str, ...]]:
    """Whether this is a delivery failure report (RFC 3464), and the Message-IDs it reports on."""
    statuses = [part for _, kind, part in parts if kind in _STATUS_TYPES]
    is_report = any(kind == "multipart/report" and _is_delivery_report(part) for _, kind, part in parts)
    if not is_report and not (statuses and _is_null_or_daemon(envelope_sender)):
        return False, ()
    actions = {
        words[0].lower()
        for part in statuses
        for action in _status_fields(part, "Action")
        if (words := action.split())
    }
    if actions and actions <= _NOT_FAILED:
        problems.append(f"a delivery status report that reports no failure ({', '.join(sorted(actions))})")
        return False, ()
    return True, _bounced_ids(message, parts)


def _is_delivery_report(part: Part) -> bool:
    report_type = read_safely(lambda: part.get_param("report-type"), None)
    return isinstance(report_type, str) and report_type.strip().lower() == "delivery-status"


def _is_null_or_daemon(envelope_sender: str) -> bool:
    address = envelope_sender.strip().strip("<>").strip()
    return not address or address.partition("@")[0].lower() == "mailer-daemon"


def _status_fields(part: Part, name: str) -> list[str]:
    """A field of a message/delivery-status part, from every block that has it."""
    payload = payload_of(part)  # the parser splits a delivery-status body into blocks of fields
    blocks = [block for block in payload if isinstance(block, Message)] if isinstance(payload, list) else []
    return [value for block in blocks for value in header_values(block, name, [])]


def _bounced_ids(message: Part, parts: list[tuple[str, str, Part]]) -> tuple[str, ...]:
    found = header_values(message, "Original-Message-ID", [])
    for _, kind, part in parts:
        if kind in _ORIGINAL_TYPES:
            found.append(_original_message_id(part))
        elif kind in _ORIGINAL_HEADER_TYPES:
            found.append(_message_id_in_headers(payload_bytes(part)))
        elif kind in _STATUS_TYPES:
            found.extend(_status_fields(part, "Original-Message-ID"))
    ids = (_message_id(value) for value in found)
    return tuple(dict.fromkeys(value for value in ids if value))[:_MAX_IDS]


def _original_message_id(part: Part) -> str:
    payload = payload_of(part)  # the parser reads an attached message whatever its transfer encoding
    inner = payload[0] if isinstance(payload, list) and payload else None
    return (first_header(inner, "Message-ID", []) if isinstance(inner, Message) else None) or ""


def _message_id_in_headers(headers: bytes) -> str:
    original = read_safely(lambda: _parsed(headers, headers_only=True), None)
    return first_header(original, "Message-ID", []) or "" if original is not None else ""


def _suspicions(
    message: Part, froms: list[tuple[str, str]], envelope_sender: str, problems: list[str]
) -> tuple[str, ...]:
    """Plain-English signs that the From address may be forged."""
    reasons = [f"the From field names {len(froms)} addresses"] if len(froms) > 1 else []
    sender, display_name = _single_sender(froms)
    if sender is not None:
        reasons.extend(_envelope_mismatch(sender, envelope_sender))
        reply_to = addresses(message, "Reply-To", problems)
        reasons.extend(_reply_to_mismatches(sender, [address for _, address in reply_to]))
        shown = {found.lower() for found in _ADDRESS_IN_TEXT.findall(display_name)} - {sender}
        reasons.extend(f"the display name shows another address ({address})" for address in sorted(shown))
    for result in header_values(message, "Authentication-Results", problems):
        checks = _FAILED_CHECK.findall(result.lower())
        reasons.extend(f"an Authentication-Results header reports {check}=fail" for check in checks)
    return tuple(dict.fromkeys(reasons))


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower().rstrip(".")


def _is_aligned(domain: str, other: str) -> bool:
    """The same domain, or one a subdomain of the other (DMARC's relaxed alignment)."""
    return domain == other or domain.endswith(f".{other}") or other.endswith(f".{domain}")


def _envelope_mismatch(sender: str, envelope_sender: str) -> list[str]:
    envelope = envelope_sender.strip().strip("<>").strip()
    if "@" not in envelope or _is_aligned(_domain(sender), _domain(envelope)):
        return []
    return [
        f"the From domain {_domain(sender)} differs from the envelope sender's domain {_domain(envelope)}"
    ]


def _reply_to_mismatches(sender: str, reply_to: list[str]) -> list[str]:
    return [
        f"the Reply-To address {address.lower()} is on another domain than From ({_domain(sender)})"
        for address in reply_to
        if "@" in address and not _is_aligned(_domain(sender), _domain(address))
    ]


def route_inbound(
    mail: InboundMail, *, matches: Sequence[MailboxMatch], replied_notice_account: int | None
) -> MailboxRouting:
    """Decide what a mailbox message records, or why staff must review it.

    47 CFR 64.2008(d)(3): bounce reports mark their notice as not given ((iii)); a reply to a notice
    is itself an opt-out ((ii)) unless it opts in from an address of record or revokes; a letter to
    the marketing address records what it asks when it comes from the one account that has the
    address. An opt-in needs an address of record (on the account 30+ days, 64.2003(b)); an opt-out or
    revocation only restricts use, so any current address may give it. Suspicious or unknown senders,
    several accounts and unclear text go to review.
    """
    unattributable = _routing_without_sender(mail)
    if unattributable is not None or mail.sender is None:
        return unattributable or _review("the From address is missing, unreadable or one of several")
    accounts: dict[int, bool] = {}
    for match in matches:
        accounts[match.account_id] = accounts.get(match.account_id, False) or match.is_of_record
    intent = classify_request(mail.subject, mail.text)
    if replied_notice_account is not None:
        return _routing_of_notice_reply(intent, mail.sender, accounts, replied_notice_account)
    if not accounts:
        return _review(f"unknown sender: {mail.sender} is not an email address on any account")
    if len(accounts) > 1:
        return _review(f"the address is on {len(accounts)} accounts: staff must choose the customer")
    [(account_id, is_of_record)] = accounts.items()
    return _routing_of_request(intent, account_id, is_of_record=is_of_record)


_UNTRUSTED_OPT_IN = (
    "an opt-in from an address on the account for under 30 days is not trusted (47 CFR 64.2003(b)); "
    "staff must confirm it with the customer"
)
_ACTIONS = {
    MailboxIntent.OPT_OUT: MailboxAction.RECORD_OPT_OUT,
    MailboxIntent.REVOKE: MailboxAction.RECORD_REVOCATION,
    MailboxIntent.OPT_IN: MailboxAction.RECORD_OPT_IN,
}
_REASONS = {
    MailboxIntent.OPT_OUT: "the customer asked by email to opt out (64.2008(d)(3))",
    MailboxIntent.REVOKE: "the customer revoked an earlier approval by email (64.2007(a)(2))",
    MailboxIntent.OPT_IN: "the customer gave opt-in approval from an address of record (64.2003(b), (k))",
    MailboxIntent.AMBIGUOUS: "the text is ambiguous: it asks for conflicting things or negates a request",
    MailboxIntent.UNCLEAR: "no opt-out, opt-in or revocation was recognised in the text",
}
_READ_AS = {
    MailboxIntent.OPT_OUT: "asked to opt out",
    MailboxIntent.AMBIGUOUS: "is ambiguous",
    MailboxIntent.UNCLEAR: "makes no recognised request",
}


def _review(reason: str) -> MailboxRouting:
    return MailboxRouting(MailboxAction.REVIEW, None, reason)


def _routing_without_sender(mail: InboundMail) -> MailboxRouting | None:
    """Bounces and suspicious mail are decided before the sender is trusted to name an account."""
    if mail.is_bounce:
        return _routing_of_bounce(mail)
    if mail.suspicious:
        return _review("the message may be spoofed: " + "; ".join(mail.suspicious))
    return None


def _routing_of_bounce(mail: InboundMail) -> MailboxRouting:
    if not mail.bounced_message_ids:
        return _review("a bounce report that names no message: staff must find the notice it concerns")
    ids = ", ".join(mail.bounced_message_ids)
    return MailboxRouting(
        MailboxAction.RECORD_BOUNCE, None, f"a bounce report for {ids} (64.2008(d)(3)(iii))"
    )


def _routing_of_notice_reply(
    intent: MailboxIntent, sender: str, accounts: dict[int, bool], account_id: int
) -> MailboxRouting:
    if account_id not in accounts:
        return _review(f"reply to a notice sent to another account: {sender} is not on account {account_id}")
    if intent in {MailboxIntent.OPT_IN, MailboxIntent.REVOKE}:
        return _routing_of_request(intent, account_id, is_of_record=accounts[account_id])
    return MailboxRouting(
        MailboxAction.RECORD_OPT_OUT,
        account_id,
        f"the customer replied to a CPNI notice, which is itself an opt-out (47 CFR 64.2008(d)(3)(ii)); "
        f"the text {_READ_AS[intent]}",
    )


def _routing_of_request(intent: MailboxIntent, account_id: int, *, is_of_record: bool) -> MailboxRouting:
    if intent is MailboxIntent.OPT_IN and not is_of_record:
        return MailboxRouting(MailboxAction.REVIEW, account_id, _UNTRUSTED_OPT_IN)
    return MailboxRouting(_ACTIONS.get(intent, MailboxAction.REVIEW), account_id, _REASONS[intent])
