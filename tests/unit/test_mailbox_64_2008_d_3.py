"""47 CFR 64.2008(d)(3): opt-outs, opt-ins and revocations by email, replies to notices, and bounces.

Customers opt out by writing to the marketing address or by replying to a notice ((d)(3)(ii)); a
bounced notice does not count ((d)(3)(iii)); an opt-in needs an address of record (64.2003(b)).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpniguard.domain.mailbox import (
    InboundMail,
    MailboxAction,
    MailboxIntent,
    MailboxMatch,
    classify_request,
    read_inbound,
    route_inbound,
)

pytestmark = pytest.mark.unit

OUT, IN, REVOKE = MailboxIntent.OPT_OUT, MailboxIntent.OPT_IN, MailboxIntent.REVOKE
AMBIGUOUS, UNCLEAR = MailboxIntent.AMBIGUOUS, MailboxIntent.UNCLEAR

# ---------------------------------------------------------------- classification


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Please opt me out.", OUT),
        ("I want to opt-out of CPNI marketing", OUT),
        ("Unsubscribe", OUT),
        ("STOP", OUT),
        ("stop", OUT),
        ("Please remove me from your marketing list", OUT),
        ("Remove my email address please", OUT),
        ("Do not use my information for marketing.", OUT),
        ("Please don\u2019t share my data with anyone", OUT),
        ("I withdraw my consent.", OUT),
        ("I hereby withdraw consent to use my CPNI", OUT),
        ("I do not consent to this.", OUT),
        ("I refuse.", OUT),
        ("I would like to\nopt out of this, thanks", OUT),
        ("I agree to opt out", OUT),
        ("I don't want you to share my records with partners", OUT),
        ("I authorize you to share my information with your affiliates.", IN),
        ("Yes, I agree.", IN),
        ("I consent", IN),
        ("I opt in", IN),
        ("You may use my account information to offer me plans.", IN),
        ("I revoke my consent.", REVOKE),
        ("Please cancel my consent to share my records", REVOKE),
        ("I am revoking the approval I gave last year", REVOKE),
        ("I revoke my opt-in. Stop using my information.", REVOKE),
        ("Hello, what are your opening hours?", UNCLEAR),
        ("", UNCLEAR),
    ],
)
def test_english_requests_are_recognised(text: str, intent: MailboxIntent) -> None:
    assert classify_request("", text) is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Je veux me désabonner.", OUT),
        ("Désinscrivez-moi s'il vous plaît", OUT),
        ("Merci de me désinscrire", OUT),
        ("Je retire mon consentement.", OUT),
        ("Veuillez ne plus utiliser mes renseignements.", OUT),
        ("N'utilisez plus mes renseignements personnels", OUT),
        ("Je refuse", OUT),
        ("Je n\u2019accepte pas", OUT),
        ("Je ne suis pas d'accord", OUT),
        ("Arrêtez, svp", OUT),
        ("Je ne veux plus que vous utilisiez mes renseignements", OUT),
        ("J'accepte.", IN),
        ("Je consens à l'utilisation de mes renseignements", IN),
        ("J\u2019autorise le partage de mes renseignements", IN),
        ("Je suis d'accord", IN),
        ("Je révoque mon consentement", REVOKE),
        ("Je souhaite annuler mon autorisation", REVOKE),
        ("Révocation de mon accord", REVOKE),
        ("Bonjour, quelle est l'adresse du magasin ?", UNCLEAR),
    ],
)
def test_french_requests_are_recognised(text: str, intent: MailboxIntent) -> None:
    assert classify_request("", text) is intent


@pytest.mark.parametrize(
    "text",
    [
        "DÉSABONNER",
        "desabonner",
        "DéSaBoNnEr",
        "de\u0301sabonner",
        "\uff53\uff54\uff4f\uff50",
        "UNSUBSCRIBE ME",
    ],
)
def test_accents_case_and_compatibility_forms_do_not_matter(text: str) -> None:
    assert classify_request("", text) is OUT


@pytest.mark.parametrize(
    "text",
    [
        "I do not want to opt out",
        "I don't want to unsubscribe",
        "Please do not remove me",
        "I never asked you to stop",
        "I do not want to\nopt out, I like your offers",
        "I don't want to opt in",
        "I do not wish to revoke anything",
        "Je ne veux pas me désabonner",
        "Je ne souhaite pas être désinscrit",
        "Je ne veux pas révoquer mon accord",
    ],
)
def test_a_negated_request_is_ambiguous(text: str) -> None:
    assert classify_request("", text) is AMBIGUOUS


@pytest.mark.parametrize(
    "text",
    ["I agree. Actually, unsubscribe me.", "J'accepte mais désabonnez-moi", "Opt in. No wait, I revoke it."],
)
def test_an_opt_in_with_a_restriction_is_ambiguous(text: str) -> None:
    assert classify_request("", text) is AMBIGUOUS


def test_a_sentence_break_ends_a_negation() -> None:
    assert classify_request("", "I did not know this. Please unsubscribe me.") is OUT
    assert classify_request("", "No thanks, remove me") is OUT


def test_the_subject_of_a_new_message_counts() -> None:
    assert classify_request("Unsubscribe", "") is OUT
    assert classify_request("Opt in", "Sent from my phone") is IN


@pytest.mark.parametrize(
    "subject", ["Re: Reply STOP to opt out", "RE : opt out", "TR: désabonnement", "Fwd: stop", "Réf : stop"]
)
def test_the_subject_of_a_reply_repeats_the_notice_and_is_ignored(subject: str) -> None:
    assert classify_request(subject, "I agree") is IN


@pytest.mark.parametrize(
    "text",
    [
        "I agree\n\n> To opt out, reply STOP.\n> Or write to unsubscribe@carrier.example",
        "I agree\n\nOn Mon, 2 Nov 2026 at 10:00, CPNI Notices <notices@carrier.example> wrote:\nReply STOP",
        "I agree\n\nOn Mon, 2 Nov 2026 at 10:00, CPNI Notices <\nnotices@carrier.example> wrote:\nReply STOP",
        "I agree\n\n-----Original Message-----\nFrom: notices@carrier.example\nTo opt out, reply STOP",
        "I agree\n\nFrom: CPNI Notices\nSent: Monday\nTo: Jane\nSubject: opt out\n\nReply STOP to opt out",
        "J'accepte\n\nLe lun. 2 nov. 2026 à 10:00, Avis CPNI <avis@carrier.example> a écrit :\nRépondez STOP",
        "J'accepte\n\nDe : Avis CPNI\nEnvoyé : lundi\nÀ : Jeanne\nObjet : désabonnement\n\nRépondez STOP",
        "J'accepte\n\n-----Message d'origine-----\nRépondez STOP",
    ],
)
def test_only_the_new_text_of_a_reply_is_read(text: str) -> None:
    assert classify_request("", text) is IN


def test_a_from_line_without_a_header_block_is_not_a_reply_header() -> None:
    assert classify_request("", "From: Jane\nPlease unsubscribe me") is OUT


def test_a_reply_with_only_quoted_text_makes_no_request() -> None:
    assert classify_request("Re: notice", "> Reply STOP to opt out") is UNCLEAR


@given(st.text(max_size=300), st.text(max_size=40))
def test_any_text_is_classified_without_raising(text: str, subject: str) -> None:
    assert classify_request(subject, text) in set(MailboxIntent)


@given(st.lists(st.sampled_from(["STOP", "I agree", "je révoque", "unsubscribe", "hello"]), min_size=1))
def test_quoted_lines_never_count(lines: list[str]) -> None:
    quoted = "\n".join(f"> {line}" for line in lines)

    assert classify_request("Re: notice", quoted) is UNCLEAR


def html_mail(html: str) -> InboundMail:
    raw = b"From: jane@example.com\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html.encode("utf-8")
    return read_inbound(raw, envelope_sender="jane@example.com")


def test_an_html_only_reply_is_classified_on_its_new_text() -> None:
    mail = html_mail(
        "<div dir='ltr'>Je souhaite me d&eacute;sabonner.</div><br>"
        "<div class='gmail_quote'><div>Le lun. 2 nov. 2026, Avis &lt;avis@carrier.example&gt;"
        " a &eacute;crit&nbsp;:</div><div>R&eacute;pondez J'ACCEPTE pour accepter</div></div>"
    )

    assert classify_request(mail.subject, mail.text) is OUT


def test_an_html_blockquote_is_quoted_text() -> None:
    mail = html_mail("<p>I agree</p><blockquote><p>To opt out</p><p>reply STOP</p></blockquote>")

    assert mail.text == "I agree\n> To opt out\n> reply STOP"
    assert classify_request("", mail.text) is IN


def test_very_long_text_is_classified_on_its_start() -> None:
    assert classify_request("", "stop " * 100_000) is OUT


# ---------------------------------------------------------------- routing

SENDER = "jane.doe@example.com"
OF_RECORD, NEW_ADDRESS = MailboxMatch(7, is_of_record=True), MailboxMatch(7, is_of_record=False)
OTHER = MailboxMatch(9, is_of_record=True)


def mail(text: str = "", **changes: Any) -> InboundMail:
    return replace(InboundMail(sender=SENDER, display_name="Jane", subject="", text=text), **changes)


ROUTES = [
    # (case, mail, matches, replied notice account, action, account, reason fragment)
    (
        "bounce",
        mail(is_bounce=True, bounced_message_ids=("<n@c>",)),
        [],
        None,
        MailboxAction.RECORD_BOUNCE,
        None,
        "a bounce report for <n@c>",
    ),
    (
        "bounce naming nothing",
        mail(is_bounce=True),
        [OF_RECORD],
        7,
        MailboxAction.REVIEW,
        None,
        "a bounce report that names no message",
    ),
    (
        "bounce beats suspicion",
        mail(is_bounce=True, bounced_message_ids=("<n@c>",), suspicious=("x",)),
        [],
        None,
        MailboxAction.RECORD_BOUNCE,
        None,
        "(64.2008(d)(3)(iii))",
    ),
    (
        "suspicious",
        mail("STOP", suspicious=("spf says no", "dmarc says no")),
        [OF_RECORD],
        7,
        MailboxAction.REVIEW,
        None,
        "the message may be spoofed: spf says no; dmarc says no",
    ),
    (
        "no sender",
        mail("STOP", sender=None),
        [OF_RECORD],
        None,
        MailboxAction.REVIEW,
        None,
        "the From address is missing, unreadable or one of several",
    ),
    (
        "reply from another account",
        mail("STOP"),
        [OTHER],
        7,
        MailboxAction.REVIEW,
        None,
        "reply to a notice sent to another account",
    ),
    (
        "reply from an unknown sender",
        mail("STOP"),
        [],
        7,
        MailboxAction.REVIEW,
        None,
        "reply to a notice sent to another account",
    ),
    (
        "reply opting out",
        mail("STOP"),
        [OF_RECORD],
        7,
        MailboxAction.RECORD_OPT_OUT,
        7,
        "the text asked to opt out",
    ),
    (
        "reply with no request",
        mail("Thanks!"),
        [OF_RECORD],
        7,
        MailboxAction.RECORD_OPT_OUT,
        7,
        "which is itself an opt-out (47 CFR 64.2008(d)(3)(ii))",
    ),
    (
        "reply that is ambiguous",
        mail("I do not want to opt out"),
        [NEW_ADDRESS],
        7,
        MailboxAction.RECORD_OPT_OUT,
        7,
        "the text is ambiguous",
    ),
    (
        "reply opting in from an address of record",
        mail("I agree"),
        [OF_RECORD, OTHER],
        7,
        MailboxAction.RECORD_OPT_IN,
        7,
        "address of record",
    ),
    (
        "reply opting in from a new address",
        mail("I agree"),
        [NEW_ADDRESS],
        7,
        MailboxAction.REVIEW,
        7,
        "under 30 days is not trusted",
    ),
    (
        "reply revoking",
        mail("Je révoque mon consentement"),
        [NEW_ADDRESS],
        7,
        MailboxAction.RECORD_REVOCATION,
        7,
        "revoked an earlier approval",
    ),
    (
        "letter from an unknown sender",
        mail("STOP"),
        [],
        None,
        MailboxAction.REVIEW,
        None,
        "unknown sender: jane.doe@example.com",
    ),
    (
        "letter from an address on two accounts",
        mail("STOP"),
        [OF_RECORD, OTHER],
        None,
        MailboxAction.REVIEW,
        None,
        "the address is on 2 accounts",
    ),
    (
        "letter opting out",
        mail("Unsubscribe"),
        [NEW_ADDRESS],
        None,
        MailboxAction.RECORD_OPT_OUT,
        7,
        "asked by email to opt out",
    ),
    (
        "letter revoking",
        mail("I revoke my consent"),
        [OF_RECORD],
        None,
        MailboxAction.RECORD_REVOCATION,
        7,
        "revoked an earlier approval",
    ),
    (
        "letter opting in from an address of record",
        mail("J'accepte"),
        [OF_RECORD],
        None,
        MailboxAction.RECORD_OPT_IN,
        7,
        "address of record",
    ),
    (
        "letter opting in from a new address",
        mail("I consent"),
        [NEW_ADDRESS],
        None,
        MailboxAction.REVIEW,
        7,
        "under 30 days is not trusted",
    ),
    (
        "letter opting in, the address listed twice",
        mail("I consent"),
        [NEW_ADDRESS, OF_RECORD],
        None,
        MailboxAction.RECORD_OPT_IN,
        7,
        "address of record",
    ),
    (
        "letter that is ambiguous",
        mail("I agree, unsubscribe me"),
        [OF_RECORD],
        None,
        MailboxAction.REVIEW,
        7,
        "the text is ambiguous",
    ),
    (
        "letter with no request",
        mail("What are your hours?"),
        [OF_RECORD],
        None,
        MailboxAction.REVIEW,
        7,
        "no opt-out, opt-in or revocation was recognised",
    ),
]


@pytest.mark.parametrize(
    ("mail_in", "matches", "replied", "action", "account", "reason"),
    [row[1:] for row in ROUTES],
    ids=[row[0] for row in ROUTES],
)
def test_messages_are_routed_by_64_2008_d_3(
    mail_in: InboundMail,
    matches: list[MailboxMatch],
    replied: int | None,
    action: MailboxAction,
    account: int | None,
    reason: str,
) -> None:
    routing = route_inbound(mail_in, matches=matches, replied_notice_account=replied)

    assert (routing.action, routing.account_id) == (action, account)
    assert reason in routing.reason


def test_a_spoofed_reply_read_from_raw_bytes_goes_to_review() -> None:
    raw = (
        b"From: Jane <jane.doe@example.com>\r\nIn-Reply-To: <notice-42@carrier.example>\r\n"
        b"Authentication-Results: mx.carrier.example; dmarc=fail header.from=example.com\r\n\r\nI agree\r\n"
    )
    inbound = read_inbound(raw, envelope_sender="mallory@mallory.example")

    routing = route_inbound(inbound, matches=[OF_RECORD], replied_notice_account=7)

    assert routing.action is MailboxAction.REVIEW
    assert routing.reason == (
        "the message may be spoofed: the From domain example.com differs from the envelope sender's "
        "domain mallory.example; an Authentication-Results header reports dmarc=fail"
    )
