"""Complaints by e-mail: what is taken from a message, and what is refused (never a crash)."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest
from PIL import Image

from chalicelib.domain.mail import (
    MAX_MESSAGE_BYTES,
    MAX_PARTS,
    MailRefused,
    accepted_reply,
    html_text,
    parse_complaint_mail,
    province_of,
)
from chalicelib.events.mail import may_answer

HOAX = "KPU resmi mengundurkan hari pemungutan suara ke bulan Juni. https://hoaks.example/juni sebarkan!"


def _png(size: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def _message(
    body: str = HOAX, subject: str = "Fwd: Hoaks pemilu", sender: str = "Warga <warga@contoh.id>"
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "aduan@saring.localhost"
    message["Subject"] = subject
    message.set_content(body)
    return message


def test_a_plain_forward_gives_its_text_link_and_sender() -> None:
    found = parse_complaint_mail(bytes(_message()))
    assert found.sender == "warga@contoh.id"
    assert found.text == HOAX  # the subject speaks only when the body is silent
    assert found.url == "https://hoaks.example/juni"
    assert found.province == "00" and found.pictures == ()


def test_pictures_are_taken_up_to_four_and_other_attachments_are_left_out() -> None:
    message = _message("Provinsi: Jawa Tengah\nLihat gambar ini")
    for n in range(5):
        message.add_attachment(_png(), maintype="image", subtype="png", filename=f"layar{n}.png")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="surat.pdf")
    found = parse_complaint_mail(bytes(message))
    assert [picture.content_type for picture in found.pictures] == ["image/png"] * 4
    assert found.pictures[0].data == _png()
    assert found.ignored == ("image/png (over 4 pictures)", "application/pdf")
    assert found.province == "33" and found.text == "Lihat gambar ini"
    pictures_only = EmailMessage()
    pictures_only["From"] = "a@b.id"
    pictures_only["Subject"] = "Fwd: surat suara dibuang"
    pictures_only.add_attachment(_png(), maintype="image", subtype="png")
    assert parse_complaint_mail(bytes(pictures_only)).text == "surat suara dibuang"


def test_a_message_forwarded_whole_and_an_html_only_one_are_read_as_text() -> None:
    outer = _message("Tolong dicek", subject="Fwd: lihat")
    outer.add_attachment(_message("Pesan asli: tinta pemilu mengandung babi", subject="Tinta"))
    found = parse_complaint_mail(bytes(outer))
    assert found.text is not None and "Tinta" in found.text and "tinta pemilu mengandung babi" in found.text
    html = EmailMessage()
    html["From"] = "a@b.id"
    html.set_content(
        "<html><head><style>p{}</style></head><body><p>Surat&nbsp;suara</p><script>x()</script></body></html>",
        subtype="html",
    )
    assert parse_complaint_mail(bytes(html)).text == "Surat\xa0suara"
    assert html_text("<b>a</b><br>b") == "a\nb"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"From: a@b.id\r\nSubject: \r\n\r\n", "nothing to check"),
        (b"Subject: tanpa pengirim\r\n\r\nisi", "no usable From address"),
        (b"From: not-an-address\r\n\r\nisi", "no usable From address"),
        (b"From: a@b.id\r\n" + b"X-Pad: " + b"a" * (300 * 1024) + b"\r\n\r\nisi", "headers too large"),
        (b"x" * (MAX_MESSAGE_BYTES + 1), f"message of {MAX_MESSAGE_BYTES + 1} bytes"),
    ],
)
def test_unusable_messages_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(MailRefused) as refused:
        parse_complaint_mail(raw)
    assert refused.value.reason == reason


def test_a_mail_bomb_of_parts_or_depth_is_refused_not_walked() -> None:
    wide = _message()
    for n in range(MAX_PARTS + 5):
        wide.add_attachment(f"bagian {n}")
    with pytest.raises(MailRefused) as refused:
        parse_complaint_mail(bytes(wide))
    assert refused.value.sender == "warga@contoh.id"
    assert "parts" in refused.value.reason and "terlalu rumit" in refused.value.reply
    deep = b"From: a@b.id\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for level in range(1, 30):
        deep += f"--b{level - 1}\r\nContent-Type: multipart/mixed; boundary=b{level}\r\n\r\n".encode()
    with pytest.raises(MailRefused):
        parse_complaint_mail(deep)


def test_broken_encodings_and_charsets_do_not_crash() -> None:
    raw = (
        b"From: a@b.id\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        b"--x\r\nContent-Type: text/plain; charset=tidak-ada\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!$$$\r\n"
        b"--x\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@\r\n"
        b"--x\r\nContent-Type: text/plain\r\n\r\nSurat suara dicoblos\r\n--x--\r\n"
    )
    found = parse_complaint_mail(raw)
    assert found.text is not None and "Surat suara dicoblos" in found.text


def test_the_province_line_takes_a_code_or_a_name() -> None:
    assert province_of("Provinsi: 31") == "31"
    assert province_of("provinsi = Jakarta") == "31"
    assert province_of("PROVINSI: di yogyakarta") == "34"
    assert province_of("Provinsi: Atlantis") == "00"


def test_the_answer_carries_the_tracking_code_and_link() -> None:
    subject, body = accepted_reply("SRG-AAAA-BBBB-CCCC-DDDD", "http://127.0.0.1:8000/")
    assert "SRG-AAAA-BBBB-CCCC-DDDD" in subject
    assert "http://127.0.0.1:8000/?kode=SRG-AAAA-BBBB-CCCC-DDDD" in body and "tidak disimpan" in body


def test_only_an_authenticated_sender_is_answered_on_aws() -> None:
    assert may_answer({"spfVerdict": {"status": "PASS"}, "dkimVerdict": {"status": "FAIL"}}, local=False)
    assert may_answer({"dkimVerdict": {"status": "PASS"}}, local=False)
    assert not may_answer({"spfVerdict": {"status": "FAIL"}, "dkimVerdict": {"status": "GRAY"}}, local=False)
    assert may_answer({}, local=True)
