"""Complaints by e-mail, pure: a raw message (as SES stores it, or the local SMTP listener) → a complaint.

The standard library parses the MIME; this module bounds it. A message that is too big, too deep,
has too many parts, no sender, or nothing to check in it is refused with a reason (and the
reply the sender gets), never a crash. What is taken:

- text: every text/plain part (or text/html as text when there is none) and a message forwarded
  whole (message/rfc822) with its subject, up to 5,000 characters; the subject (without Fwd:/Re:)
  only when there is no such text (a picture sent with a line in the subject);
- a link: the first http(s) link in that text;
- pictures: up to four JPEG, PNG or WebP parts of at most 10 MB each; other attachments are ignored;
- the province: a line "Provinsi: <name or code>" anywhere in the text, else unknown ("00").

The sender's address is used to answer once and to count the sender's complaints; it is not kept.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import cast

from chalicelib.domain.matching.analysis import fold
from chalicelib.domain.models.common import MAX_PICTURES
from chalicelib.domain.models.pictures import MAX_UPLOAD_BYTES, PictureType
from chalicelib.domain.models.public import PUBLIC_TEXT_CHARS
from chalicelib.domain.provinces import PROVINCES, UNKNOWN_PROVINCE

MAX_MESSAGE_BYTES = 25 * 1024 * 1024  # SES takes up to 40 MB; more than four pictures' worth is a bomb
MAX_PARTS = 100
MAX_DEPTH = 8
MAX_HEADER_BYTES = 256 * 1024
_PICTURE_TYPES = frozenset(kind.value for kind in PictureType)
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|tr|aw|wg)\s*:\s*)+", re.IGNORECASE)
_LINK = re.compile(r"https?://[^\s<>\"']+")
_PROVINCE_LINE = re.compile(r"^\s*provinsi\s*[:=-]\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_PROVINCE_BY_NAME = {fold(name): code for code, name in PROVINCES.items()} | {
    fold(re.sub(r"^(DKI|DI) ", "", name)): code for code, name in PROVINCES.items()
}


@dataclass(frozen=True)
class MailPicture:
    content_type: str
    data: bytes


@dataclass(frozen=True)
class MailComplaint:
    """What a message complains about, and who to answer."""

    sender: str
    text: str | None
    url: str | None
    province: str
    pictures: tuple[MailPicture, ...] = ()
    ignored: tuple[str, ...] = field(default=())  # what was left out, for the log (types, never content)


class MailRefused(Exception):
    """A message that is not taken; ``reason`` for the log, ``reply`` for the sender (when one can be told)."""

    def __init__(self, reason: str, reply: str, sender: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reply = reply
        self.sender = sender


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    reader = _TextOfHtml()
    reader.feed(html)
    reader.close()
    return re.sub(r"[ \t]+", " ", "".join(reader.parts)).strip()


def sender_of(message: Message) -> str | None:
    """The From address, lower case, or None when there is no usable one."""
    address = parseaddr(str(message.get("From", "")))[1].strip().lower()
    return address if re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address) else None


def province_of(text: str) -> str:
    """The province a "Provinsi: …" line names (a code or a name), else unknown."""
    for named in _PROVINCE_LINE.findall(text):
        value = named.strip()
        if value in PROVINCES:
            return str(value)
        code = _PROVINCE_BY_NAME.get(fold(value))
        if code:
            return code
    return UNKNOWN_PROVINCE


@dataclass
class _Gathered:
    texts: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    pictures: list[MailPicture] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    parts: int = 0


def _gather(part: EmailMessage, found: _Gathered, depth: int) -> None:
    found.parts += 1
    if found.parts > MAX_PARTS or depth > MAX_DEPTH:
        raise MailRefused(
            f"more than {MAX_PARTS} parts or {MAX_DEPTH} levels",
            "E-mail ini terlalu rumit untuk dibaca (terlalu banyak bagian). Kirim pesan atau tangkapan layarnya saja.",
        )
    if part.get_content_type() == "message/rfc822":
        # A message forwarded whole: its subject and body are what is complained about.
        payload = part.get_payload()
        for forwarded in payload if isinstance(payload, list) else []:
            if not isinstance(forwarded, EmailMessage):
                continue
            subject = str(forwarded.get("Subject", "") or "")
            if subject:
                found.texts.append(_SUBJECT_PREFIX.sub("", subject))
            _gather(forwarded, found, depth + 1)
        return
    if part.is_multipart():
        for child in part.iter_parts():
            _gather(cast(EmailMessage, child), found, depth + 1)
        return
    _leaf(part, found)


def _leaf(part: EmailMessage, found: _Gathered) -> None:
    kind = part.get_content_type()
    if kind in ("text/plain", "text/html") and part.get_content_disposition() != "attachment":
        try:
            content = str(part.get_content())
        except (LookupError, ValueError, AssertionError):  # an unknown charset, a broken encoding
            found.ignored.append(f"{kind} (unreadable)")
            return
        (found.texts if kind == "text/plain" else found.html).append(content)
        return
    if kind not in _PICTURE_TYPES:
        found.ignored.append(kind)
        return
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data:
        found.ignored.append(f"{kind} (unreadable)")
    elif len(data) > MAX_UPLOAD_BYTES:
        found.ignored.append(f"{kind} (over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB)")
    elif len(found.pictures) >= MAX_PICTURES:
        found.ignored.append(f"{kind} (over {MAX_PICTURES} pictures)")
    else:
        found.pictures.append(MailPicture(kind, data))


def parse_complaint_mail(raw: bytes) -> MailComplaint:
    """The complaint in a raw message; raises MailRefused saying why not (and what to answer)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise MailRefused(
            f"message of {len(raw)} bytes",
            f"E-mail ini terlalu besar (lebih dari {MAX_MESSAGE_BYTES // (1024 * 1024)} MB). "
            "Kirim paling banyak empat gambar, masing-masing paling besar 10 MB.",
        )
    head_end = raw.find(b"\r\n\r\n")
    head_end = raw.find(b"\n\n") if head_end < 0 else head_end
    if head_end > MAX_HEADER_BYTES or (head_end < 0 and len(raw) > MAX_HEADER_BYTES):
        raise MailRefused("headers too large", "E-mail ini tidak dapat dibaca.")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as error:  # noqa: BLE001 - the parser is lenient; anything it still raises is a bad message
        raise MailRefused(f"unparsable: {type(error).__name__}", "E-mail ini tidak dapat dibaca.") from None
    sender = sender_of(message)
    if sender is None:
        raise MailRefused("no usable From address", "")
    found = _Gathered()
    try:
        _gather(message, found, 0)
    except MailRefused as refused:
        refused.sender = sender
        raise
    except Exception as error:  # noqa: BLE001 - a malformed part the parser let through
        reason = f"unreadable part: {type(error).__name__}"
        raise MailRefused(reason, "E-mail ini tidak dapat dibaca.", sender) from None
    subject = _SUBJECT_PREFIX.sub("", str(message.get("Subject", "") or "")).strip()
    bodies = found.texts or [html_text(html) for html in found.html]
    body = "\n".join(part.strip() for part in bodies if part and part.strip())
    province = province_of(body)
    # The province line is about the sender, not the hoax; the subject only speaks when the body is silent.
    body = _PROVINCE_LINE.sub("", body).strip()
    text = (body or subject)[:PUBLIC_TEXT_CHARS]
    if not text.strip() and not found.pictures:
        raise MailRefused(
            "nothing to check",
            "E-mail ini kosong. Tempel pesan yang ingin diadukan, atau lampirkan tangkapan layarnya (JPEG, PNG, WebP).",
            sender,
        )
    link = _LINK.search(text)
    return MailComplaint(
        sender=sender,
        text=text or None,
        url=link.group(0).rstrip(".,);") if link else None,
        province=province,
        pictures=tuple(found.pictures),
        ignored=tuple(found.ignored),
    )


def accepted_reply(tracking_code: str, page_url: str | None) -> tuple[str, str]:
    """(subject, body) of the answer to a complaint taken: its tracking code (Indonesian, then English)."""
    link = f"{page_url.rstrip('/')}/?kode={tracking_code}" if page_url else None
    lines = [
        "Terima kasih. Aduan Anda sudah kami terima.",
        f"Kode aduan: {tracking_code}",
        f"Lacak aduan ini: {link}" if link else "Lacak aduan ini di halaman Saring dengan kode di atas.",
        "",
        "Alamat e-mail Anda hanya dipakai untuk balasan ini dan tidak disimpan.",
        "",
        "--",
        "Thank you. Your complaint has been received.",
        f"Tracking code: {tracking_code}",
    ]
    return f"Aduan diterima: {tracking_code}", "\n".join(lines) + "\n"


def refused_reply(reason_for_sender: str) -> tuple[str, str]:
    """(subject, body) of the answer to a message that was not taken."""
    body = f"{reason_for_sender}\n\n--\nYour e-mail could not be taken as a complaint; see above (Indonesian).\n"
    return "Aduan belum dapat diterima", body
