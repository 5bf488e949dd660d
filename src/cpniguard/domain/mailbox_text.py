"""The words of a marketing-mailbox email: its headers and text as read from MIME, and the request it makes.

47 CFR 64.2008(d)(3)(ii): a customer opts out by writing to the marketing address or by replying to
a notice; 64.2007(a)(2): an opt-in or a revocation stands until the customer changes it. Requests are
read in English and French; anything the rules cannot read with confidence goes to staff.

Malformed MIME is read as far as it goes: every call into the stdlib's parser goes through
`read_safely`, and what went wrong, and where, is added to a `problems` list.
"""

from __future__ import annotations

import bisect
import codecs
import html
import re
import unicodedata
from collections.abc import Callable
from email.message import Message
from email.utils import getaddresses
from enum import StrEnum
from functools import partial
from html.parser import HTMLParser
from typing import Any, TypeAlias, TypeVar

Part: TypeAlias = "Message[Any, Any]"
"""A message or one of its MIME parts, as parsed with email.policy.default."""
_T = TypeVar("_T")

MAX_TEXT_CHARS = 20_000
"""The longest text kept from a message; a request never needs more, and staff read it on one screen."""

_MAX_HTML_CHARS = 10 * MAX_TEXT_CHARS
"""Markup beyond this cannot add to the kept text in any realistic message, and parsing it costs time."""

_MAX_PART_DEPTH = 100
_MAX_PARTS = 1_000
_MAX_HEADER_CHARS = 998
"""RFC 5322's longest line; anything longer is not a real header value."""

_NEGATION_WINDOW_WORDS = 4
"""How many words before a request are searched for a negation ("I do not want to opt out")."""
_MAX_REQUESTS = 100
"""Real messages make one or two requests; the cap bounds the work on pathological text."""


class MailboxIntent(StrEnum):
    """What a message asks for."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    REVOKE = "revoke"
    """Withdraw an earlier approval, in those words (revoke, révoquer, annuler)."""
    AMBIGUOUS = "ambiguous"
    """Several requests that conflict, or a negated one ("I do not want to opt out")."""
    UNCLEAR = "unclear"
    """No request recognised."""


_OPT_OUT_PHRASES = (
    r"(?:i (?:agree|consent) to )?opt(?:s|ing|ed)?(?: me| us)? ?out",
    r"unsubscrib\w*",
    r"stop",
    r"remove me",
    r"remove my (?:name|e ?mail|address|number|information|info|data|details|account)",
    r"take me off",
    r"(?:do not|don't|dont|never|may not|must not|cannot|can't) (?:use|share|sell|disclose) my",
    r"(?:do not|don't|dont) want (?:you|anyone) to (?:use|share|sell|disclose) my",
    r"withdraw\w* (?:my |the )?(?:consent|approval|permission|authori[sz]ation|opt in)",
    r"i (?:do not|don't|dont|no longer) (?:consent|agree|authori[sz]e|approve|accept)",
    r"i (?:refuse|decline|object|disagree)",
    r"desabonn\w*",
    r"desinscri\w*",
    r"retir\w* (?:mon|ma|le|la) (?:consentement|autorisation|accord|approbation|opt in)",
    r"ne (?:plus|pas) (?:utiliser|partager|communiquer|vendre) (?:mes|mon|ma)",
    r"n' ?(?:utilisez|partagez|communiquez|vendez) (?:plus|pas|jamais) (?:mes|mon|ma)",
    r"(?:ne|n') ?(?:veux|souhaite|desire) (?:plus|pas) que vous (?:utilisiez|partagiez|communiquiez)",
    r"je ne (?:consens|donne) pas",
    r"je n' ?(?:accepte|autorise) pas",
    r"je ne suis pas d' ?accord",
    r"(?:je )?refuse",
    r"je m' ?oppose",
    r"arret(?:ez|er)?",
)
_OPT_IN_PHRASES = (
    r"opt(?:s|ing|ed)?(?: me| us)? ?in",
    r"i (?:agree|consent|approve|accept)",
    r"i (?:hereby )?authori[sz]e",
    r"i give (?:you )?(?:my )?(?:consent|permission|approval|authori[sz]ation)",
    r"you (?:may|can|have my permission to) (?:use|share)",
    r"j' ?(?:accepte|autorise)",
    r"je consens",
    r"je donne mon (?:consentement|accord|autorisation|approbation)",
    r"je suis d' ?accord",
    r"vous pouvez (?:utiliser|partager)",
)
_REVOKE_PHRASES = (
    r"revo(?:k|qu|c)\w*(?: (?:my |the |mon |ma |le |la |l' ?)?(?:opt in|consent\w*|approval|autorisation))?",
    r"cancel\w* (?:my |the |this )?(?:consent|approval|authori[sz]ation|permission|opt in)",
    r"annul\w* (?:mon |ma |le |la |l' ?)?(?:consentement|autorisation|accord|approbation|opt in)",
)
_PHRASES = tuple(
    (intent, re.compile(rf"\b{phrase}\b"))
    for intent, phrases in (
        (MailboxIntent.OPT_OUT, _OPT_OUT_PHRASES),
        (MailboxIntent.OPT_IN, _OPT_IN_PHRASES),
        (MailboxIntent.REVOKE, _REVOKE_PHRASES),
    )
    for phrase in phrases
)
_NEGATION = re.compile(r"\b(?:not|no|never|nor|cannot|without|ne|pas|jamais|non|sans)\b|n't\b|\bn'|\bdont\b")
_CLAUSE_END = re.compile(r"[.!?;:,()]| but | mais ")
_SUBJECT_OF_A_REPLY = re.compile(r"\s*(?:re|fwd?|tr|ref|aw|wg)\s*(?:\[\d+\])?\s*:")
_SAME_LETTER = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "-": " ", "_": " "})
_REPLY_HEADER_LINE = re.compile(r"\s*(?:on\b.*\bwrote|le\b.*\ba\s+ecrit)\s*:\s*$")
_FORWARD_LINE = re.compile(  # the dashes around Outlook's "-----Original Message-----" are spaces by now
    r"\s*(?:original message|message d'origine|(?:begin )?forwarded message|message transfere)\s*:?\s*$"
)
_NOT_A_TAG = re.compile(r"<(?=!\[|[^<>]*(?:<|$))")  # marked sections (<![CDATA[) are XML, not mail HTML
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_FROM_LINE = re.compile(r"\s*(?:from|de)\s*:")
_FROM_BLOCK_LINE = re.compile(r"\s*(?:sent|to|date|subject|cc|envoye|a|objet)\s*:")


def classify_request(subject: str, text: str) -> MailboxIntent:
    """What a marketing-mailbox message asks for, in English or French.

    47 CFR 64.2008(d)(3)(ii) (opt-out by email) and 64.2007(a)(2) (approval stands until revoked).
    Only the customer's own words count: quoted lines, everything below a reply header, and the
    subject of a reply (it repeats the notice's subject) are ignored. A revocation and an opt-out
    together read as a revocation (both restrict use); a restriction and an opt-in together, or any
    negated request, are AMBIGUOUS.
    """
    own_subject = _normalised(subject[:_MAX_HEADER_CHARS])
    own_subject = "" if _SUBJECT_OF_A_REPLY.match(own_subject) else own_subject
    words = own_subject + "\n\n" + _new_text(_normalised(text[:MAX_TEXT_CHARS]))
    found = _requests(_as_clauses(words))
    if not found:
        return MailboxIntent.UNCLEAR
    if any(negated for _, negated in found):
        return MailboxIntent.AMBIGUOUS
    return _combined({intent for intent, _ in found})


def _combined(intents: set[MailboxIntent]) -> MailboxIntent:
    if MailboxIntent.OPT_IN in intents:
        return MailboxIntent.OPT_IN if len(intents) == 1 else MailboxIntent.AMBIGUOUS
    return MailboxIntent.REVOKE if MailboxIntent.REVOKE in intents else MailboxIntent.OPT_OUT


def _normalised(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.casefold().translate(_SAME_LETTER)


def _new_text(text: str) -> str:
    """The lines the sender wrote: above any reply header, and not quoted."""
    lines = text.split("\n")
    end = next((index for index in range(len(lines)) if _is_reply_header(lines, index)), len(lines))
    return "\n".join(line for line in lines[:end] if not line.lstrip().startswith(">"))


def _is_reply_header(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _FORWARD_LINE.match(line):
        return True
    following = lines[index + 1 : index + 5]
    if _FROM_LINE.match(line):
        return any(_FROM_BLOCK_LINE.match(other) for other in following)
    # Mail clients wrap a long "On <date>, <name> <address> wrote:" onto a second line.
    return bool(_REPLY_HEADER_LINE.match(line) or _REPLY_HEADER_LINE.match(" ".join([line, *following[:1]])))


def _as_clauses(text: str) -> str:
    """One line of text, hard wraps undone, paragraph breaks kept as clause ends."""
    paragraphs = re.split(r"\n[ \t]*\n", text)
    return " . ".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def _requests(text: str) -> list[tuple[MailboxIntent, bool]]:
    """Each request found, with whether it is negated; the longer phrase wins where two overlap."""
    found = [
        (match.start(), match.end(), intent)
        for intent, pattern in _PHRASES
        for match in pattern.finditer(text)
    ]
    kept: list[tuple[int, int, MailboxIntent]] = []
    for start, end, intent in sorted(found, key=lambda match: match[0] - match[1])[:_MAX_REQUESTS]:
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in kept):
            kept.append((start, end, intent))
    clause_ends = [end.end() for end in _CLAUSE_END.finditer(text)]
    return [(intent, _is_negated(text, start, clause_ends)) for start, _, intent in kept]


def _is_negated(text: str, start: int, clause_ends: list[int]) -> bool:
    before = bisect.bisect_right(clause_ends, start)
    window = text[clause_ends[before - 1] if before else 0 : start].split()[-_NEGATION_WINDOW_WORDS:]
    return bool(_NEGATION.search(" ".join(window)))


_DEFECTS = {
    "StartBoundaryNotFoundDefect": "the MIME structure could not be read; the raw text was used",
    "NoBoundaryInMultipartDefect": "the MIME structure could not be read; the raw text was used",
    "MultipartInvariantViolationDefect": "",
    "CloseBoundaryNotFoundDefect": "the closing MIME boundary is missing",
    "MissingHeaderBodySeparatorDefect": "a header line is malformed; the rest was read as the body",
    "InvalidBase64CharactersDefect": "the base64 body has characters outside base64; they were skipped",
    "InvalidBase64PaddingDefect": "the base64 body is badly padded",
    "InvalidBase64LengthDefect": "the base64 body has an impossible length and could not be decoded",
    "NonPrintableDefect": "it contains control characters",
}


def read_safely(read: Callable[[], _T], fallback: _T) -> _T:
    """`read()`, or `fallback` when the stdlib's email or HTML parser raises on malformed input."""
    try:
        return read()
    except Exception:  # noqa: BLE001 - header and payload parsing raise many kinds of error on malformed input
        return fallback


def one_line(text: str, limit: int = _MAX_HEADER_CHARS) -> str:
    """Text on one line, without control characters, at most `limit` long (header values, problems)."""
    return " ".join(cleaned_text(text[: 2 * limit]).split())[:limit]


def message_parts(message: Part, problems: list[str]) -> list[tuple[str, str, Part]]:
    """Every part as (label, content type, part), depth first; attached messages are not opened."""
    found: list[tuple[str, str, Part]] = []
    pending: list[tuple[str, int, Part]] = [("the message", 0, message)]
    while pending and len(found) < _MAX_PARTS:
        label, depth, part = pending.pop()
        content_type = read_safely(part.get_content_type, "text/plain")
        found.append((label, content_type, part))
        problems.extend(_defect_problems(label, part, already=0))
        payload = [] if content_type.startswith("message/") else payload_of(part)
        children = (
            [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []
        )
        if children and depth >= _MAX_PART_DEPTH:
            problems.append(f"{label}: parts nested more than {_MAX_PART_DEPTH} deep were not read")
            continue
        prefix = "part " if depth == 0 else f"{label}."
        pending.extend(
            (f"{prefix}{number}", depth + 1, child) for number, child in [*enumerate(children, 1)][::-1]
        )
    if pending:
        problems.append(f"the message has more than {_MAX_PARTS} parts; the rest were not read")
    return found


def _defect_problems(label: str, part: Part, *, already: int) -> list[str]:
    texts = (defect_text(defect) for defect in getattr(part, "defects", [])[already:])
    return [f"{label}: {text}" for text in texts if text]


def defect_text(defect: object) -> str:
    """A parser defect in plain English."""
    name = type(defect).__name__
    if name in _DEFECTS:
        return _DEFECTS[name]
    return str(defect) or re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Defect")).lower()


def header_values(message: Part, name: str, problems: list[str]) -> list[str]:
    """Each occurrence of a header, decoded and on one line; the raw value when it cannot be parsed."""
    headers = read_safely(
        lambda: [(str(header), header.defects) for header in message.get_all(name) or []], None
    )
    if headers is None:
        problems.append(f"the {name} header could not be parsed; its raw value was used")
        headers = [(value, ()) for value in _raw_header_values(message, name)]
    problems.extend(
        f"the {name} header is malformed: {defect_text(defect)}" for _, found in headers for defect in found
    )
    return [one_line(value) for value, _ in headers]


def _raw_header_values(message: Part, name: str) -> list[str]:
    return read_safely(
        lambda: [str(value) for key, value in message.raw_items() if key.lower() == name.lower()], []
    )


def first_header(message: Part, name: str, problems: list[str]) -> str | None:
    """The first occurrence of a header, as `header_values` reads it."""
    values = header_values(message, name, problems)
    return values[0] if values else None


def addresses(message: Part, name: str, problems: list[str]) -> list[tuple[str, str]]:
    """(display name, address) for every address in every occurrence of an address header."""
    parsed = read_safely(lambda: _parsed_addresses(message, name), None)
    if parsed is None:
        problems.append(f"the {name} header could not be parsed; its raw value was used")
        raw = _raw_header_values(message, name)
        nothing: list[tuple[str, str]] = []
        parsed = (read_safely(lambda: getaddresses(raw), nothing), [])
    found, defects = parsed
    problems.extend(f"the {name} header is malformed: {defect_text(defect)}" for defect in defects)
    return [(one_line(shown), one_line(address)) for shown, address in found if shown or address]


def _parsed_addresses(message: Part, name: str) -> tuple[list[tuple[str, str]], list[object]]:
    headers = message.get_all(name) or []
    found = [(str(item.display_name), str(item.addr_spec)) for header in headers for item in header.addresses]
    return found, [defect for header in headers for defect in header.defects]


def best_text(parts: list[tuple[str, str, Part]], problems: list[str]) -> str:
    """text/plain preferred, else text/html without tags; a multipart that could not be split is text."""
    bodies = [(label, kind, part) for label, kind, part in parts if _is_body(kind, part)]
    chosen = next((body for body in bodies if body[1] != "text/html"), bodies[0] if bodies else None)
    if chosen is None:
        return ""
    label, kind, part = chosen
    known = len(getattr(part, "defects", []))
    body = payload_bytes(part)  # decoding base64 adds its defects to the part
    problems.extend(_defect_problems(label, part, already=known))
    text, problem = decoded_text(body, read_safely(part.get_content_charset, None))
    problems.append(f"{label}: {problem}" if problem else "")
    text = text_of_html(text) if kind == "text/html" else text
    if len(text) > MAX_TEXT_CHARS:
        problems.append(f"{label}: the text was cut to {MAX_TEXT_CHARS} characters from {len(text)}")
    return cleaned_text(text[: 2 * MAX_TEXT_CHARS])[:MAX_TEXT_CHARS]


def _is_body(kind: str, part: Part) -> bool:
    if kind.startswith("multipart/"):
        return not isinstance(payload_of(part), list)
    return (
        kind in {"text/plain", "text/html"}
        and read_safely(part.get_content_disposition, None) != "attachment"
    )


def payload_of(part: Part) -> object:
    """A part's payload as parsed: a list of parts, a string, or None when it cannot be read."""
    return read_safely(part.get_payload, None)


def payload_bytes(part: Part) -> bytes:
    """A part's body with its transfer encoding undone; empty when it cannot be read."""
    payload: object = read_safely(lambda: part.get_payload(decode=True), None)
    return payload if isinstance(payload, bytes) else b""


def decoded_text(body: bytes, charset: str | None) -> tuple[str, str | None]:
    """The body as text, and what went wrong decoding it (None when the declared charset fit).

    The declared charset is tried first, then UTF-8; a body declared UTF-8 that is not quite UTF-8
    keeps its valid characters. Undeclared 8-bit text is most often Windows-1252 (a superset of
    Latin-1's printable characters); Latin-1 decodes anything that remains.
    """
    declared = _known_codec(charset)
    for codec in dict.fromkeys(codec for codec in (declared, "utf-8", "cp1252") if codec):
        text = read_safely(partial(body.decode, codec), None)  # a charset may name any codec Python has
        if text is not None:
            return text, _decoding_problem(charset, declared, codec)
        if codec == declared == "utf-8":
            return body.decode("utf-8", errors="replace"), "the text is not valid UTF-8"
    return body.decode("latin-1"), _decoding_problem(charset, declared, "latin-1")


def _known_codec(charset: str | None) -> str | None:
    info = read_safely(lambda: codecs.lookup(charset or ""), None)
    # codecs.lookup also knows bytes-to-bytes transforms (base64, zlib, rot13) that are not text.
    return info.name if info is not None and getattr(info, "_is_text_encoding", True) else None


def _decoding_problem(charset: str | None, declared: str | None, used: str) -> str | None:
    if charset and declared is None:
        return f"unknown charset {charset[:40]!r}; the text was read as {used}"
    if declared is not None and used != declared:
        return f"the text is not valid {declared}; it was read as {used}"
    if declared is None and used != "utf-8":
        return f"the text declares no charset; it was read as {used}"
    return None


def cleaned_text(text: str) -> str:
    """Text with Unix line ends and no control characters (NUL breaks storage and display)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in text if char in "\n\t" or unicodedata.category(char)[0] != "C")


def text_of_html(markup: str) -> str:
    """The readable text of an HTML body: block elements become lines, blockquotes are quoted with ">"."""
    # html.parser rescans to the end for every comment or "<" it cannot close, which is quadratic.
    markup = _NOT_A_TAG.sub("&lt;", _COMMENT.sub(" ", markup[:_MAX_HTML_CHARS]))
    text = read_safely(lambda: _HtmlReader().read(markup), None)
    # html.parser has given up on malformed markup before; dropping anything tag-like is good enough.
    return html.unescape(re.sub(r"<[^>]*>", " ", markup)) if text is None else text


class _HtmlReader(HTMLParser):
    _BLOCKS = frozenset(
        {"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre"}
    )
    _HIDDEN = frozenset({"script", "style", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[tuple[bool, list[str]]] = [(False, [])]
        self._quote_depth = 0
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        self._enter_or_leave(tag, 1)

    def handle_endtag(self, tag: str) -> None:
        self._enter_or_leave(tag, -1)

    def handle_data(self, data: str) -> None:
        if self._hidden_depth == 0:
            self._lines[-1][1].append(data)

    def _enter_or_leave(self, tag: str, step: int) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth + step)
            return
        if tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth + step)
        elif tag not in self._BLOCKS:
            return
        self._lines.append((self._quote_depth > 0, []))

    def read(self, markup: str) -> str:
        self.feed(markup)
        self.close()
        lines = ((quoted, " ".join(" ".join(parts).split())) for quoted, parts in self._lines)
        return "\n".join(("> " if quoted else "") + line for quoted, line in lines if line)
