"""Outgoing mail: .eml files, a real SMTP server (aiosmtpd), and the send-once key."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import smtplib
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from infra.mail import (
    FileMailer,
    Mail,
    Mailer,
    SentMail,
    SmtpMailer,
    SmtpServer,
    build_message,
    make_mailer,
    parse_smtp_url,
    purge_sent,
    send_once,
)
from infra.settings import Settings
from tests.localstripe import free_port

SENDER = "장터 <no-reply@jangteo.kr>"

MAIL = Mail(
    to="buyer@example.kr",
    to_name="김장터",
    subject="[장터] 주문이 접수되었습니다 (주문번호 JT-000123)",
    text="안녕하세요, 김장터님.\n합계: 24,000원\n",
    html="<p>안녕하세요, <b>김장터</b>님.</p>",
)


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def test_message_is_rfc5322_ascii_on_the_wire_and_decodes_back_to_korean() -> None:
    message = build_message(MAIL, sender=SENDER)
    raw = message.as_bytes(policy=policy.SMTP)
    assert raw.isascii(), "headers must be RFC 2047-encoded, bodies base64"
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")

    back = parse(raw)
    assert back["Subject"] == MAIL.subject
    assert back["From"].addresses[0].display_name == "장터"
    assert back["From"].addresses[0].addr_spec == "no-reply@jangteo.kr"
    assert back["To"].addresses[0].display_name == "김장터"
    assert re.fullmatch(r"<[^@>]+@jangteo\.kr>", back["Message-ID"])
    assert back["Date"] and back["MIME-Version"] == "1.0"
    assert back.get_content_type() == "multipart/alternative"
    text = back.get_body(preferencelist=("plain",))
    html = back.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert text.get_content_charset() == "utf-8"
    assert text.get_content() == MAIL.text
    assert "<b>김장터</b>" in html.get_content()


def test_text_only_ascii_mail_is_a_single_7bit_part() -> None:
    message = build_message(Mail(to="a@b.kr", subject="Hello", text="Plain"), sender=SENDER)
    assert message.get_content_type() == "text/plain"
    assert message["Content-Transfer-Encoding"] == "7bit"
    assert message.get_content() == "Plain\n"


async def test_file_mailer_writes_whole_sortable_eml_files(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path / "mail", SENDER)
    subjects = [f"[장터] 알림 {n}" for n in range(5)]
    for subject in subjects:
        await mailer.send(mailer.compose(Mail(to="a@b.kr", subject=subject, text="본문")))

    files = sorted((tmp_path / "mail").iterdir())
    assert len(files) == 5, "no temp file may be left behind"
    assert all(re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{12}\.eml", f.name) for f in files)
    assert [parse(f.read_bytes())["Subject"] for f in files] == subjects
    assert parse(files[0].read_bytes()).get_content() == "본문\n"


def test_mail_url_chooses_the_adapter(tmp_path: Path) -> None:
    base = Settings(var_dir=tmp_path)
    default = make_mailer(base)
    assert isinstance(default, FileMailer)
    assert default.directory == tmp_path / "mail"
    assert default.sender == "장터 <no-reply@jangteo.kr>"

    other = make_mailer(base.with_(mail_url=f"file://{tmp_path}/outbox"))
    assert isinstance(other, FileMailer) and other.directory == tmp_path / "outbox"

    smtp = make_mailer(base.with_(mail_url="smtp://mx.example.kr", mail_from="x@y.kr"))
    assert isinstance(smtp, SmtpMailer) and smtp.sender == "x@y.kr"
    assert smtp.server == SmtpServer(host="mx.example.kr", port=25)

    with pytest.raises(ValueError, match="unknown scheme"):
        make_mailer(base.with_(mail_url="sendmail://"))


def test_smtp_urls() -> None:
    assert parse_smtp_url("smtps://user%40jangteo.kr:p%3Ass@mail.example.kr") == SmtpServer(
        host="mail.example.kr",
        port=465,
        username="user@jangteo.kr",
        password="p:ss",
        implicit_tls=True,
    )
    assert parse_smtp_url("smtp://u:p@mail.example.kr?starttls=1&timeout=5") == SmtpServer(
        host="mail.example.kr", port=587, username="u", password="p", starttls=True, timeout=5
    )
    assert parse_smtp_url("smtp://127.0.0.1:2525").port == 2525
    with pytest.raises(ValueError):
        parse_smtp_url("smtp://")


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
    ok = auth.login == b"jangteo" and auth.password == b"s3cret:pw"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_smtp_mailer_delivers_to_a_real_server(
    smtp_server: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp_server
    settings = Settings(var_dir=tmp_path, mail_url=f"smtp://127.0.0.1:{port}?timeout=5")
    mailer = make_mailer(settings)
    await mailer.send(mailer.compose(MAIL))

    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "no-reply@jangteo.kr"
    assert envelope.rcpt_tos == ["buyer@example.kr"]
    assert isinstance(envelope.original_content, bytes)
    received = parse(envelope.original_content)
    assert received["Subject"] == MAIL.subject
    body = received.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content() == MAIL.text


async def test_smtp_mailer_logs_in_with_url_credentials(
    smtp_server: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp_server
    good = make_mailer(
        Settings(var_dir=tmp_path, mail_url=f"smtp://jangteo:s3cret%3Apw@127.0.0.1:{port}")
    )
    await good.send(good.compose(MAIL))
    assert len(inbox.envelopes) == 1

    bad = make_mailer(Settings(var_dir=tmp_path, mail_url=f"smtp://jangteo:nope@127.0.0.1:{port}"))
    with pytest.raises(smtplib.SMTPAuthenticationError):
        await bad.send(bad.compose(MAIL))
    assert len(inbox.envelopes) == 1


class CountingMailer(Mailer):
    def __init__(self, fail: int = 0, gate: asyncio.Event | None = None) -> None:
        super().__init__(SENDER)
        self.sent: list[EmailMessage] = []
        self.fail = fail
        self.gate = gate
        self.entered = asyncio.Event()

    async def send(self, message: EmailMessage) -> None:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            self.fail -= 1
            raise ConnectionError("mail server down")
        self.sent.append(message)


async def _logged(factory: async_sessionmaker[AsyncSession]) -> list[SentMail]:
    async with factory() as session:
        return list((await session.scalars(select(SentMail))).all())


async def test_send_once_sends_a_key_only_once(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    mailer = FileMailer(tmp_path / "mail", SENDER)
    async with session_factory() as session:
        assert await send_once(session, mailer, "evt-1:buyer@example.kr", MAIL) is True
    async with session_factory() as session:
        assert await send_once(session, mailer, "evt-1:buyer@example.kr", MAIL) is False
    async with session_factory() as session:
        assert await send_once(session, mailer, "evt-2:buyer@example.kr", MAIL) is True

    assert len(list((tmp_path / "mail").glob("*.eml"))) == 2
    rows = await _logged(session_factory)
    assert sorted(r.key for r in rows) == ["evt-1:buyer@example.kr", "evt-2:buyer@example.kr"]
    assert {r.subject for r in rows} == {MAIL.subject}
    assert all(r.to == "buyer@example.kr" and r.message_id.endswith("@jangteo.kr>") for r in rows)


async def test_purging_forgets_only_mails_older_than_the_retention(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    mailer = FileMailer(tmp_path / "mail", SENDER)
    async with session_factory() as session:
        await send_once(session, mailer, "old", MAIL)
        await send_once(session, mailer, "new", MAIL)
    async with session_factory() as session:
        await session.execute(update(SentMail).where(SentMail.key == "old")
                              .values(sent_at=utcnow() - dt.timedelta(days=181)))
        await session.commit()
        assert await purge_sent(session, dt.timedelta(days=180)) == 1
    assert [r.key for r in await _logged(session_factory)] == ["new"]


async def test_failed_send_records_nothing_so_the_retry_sends(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    mailer = CountingMailer(fail=1)
    async with session_factory() as session:
        with pytest.raises(ConnectionError):
            await send_once(session, mailer, "evt-1:a@b.kr", MAIL)
    assert await _logged(session_factory) == []
    async with session_factory() as session:
        assert await send_once(session, mailer, "evt-1:a@b.kr", MAIL) is True
    assert len(mailer.sent) == 1
    assert len(await _logged(session_factory)) == 1


async def test_racing_deliveries_of_one_key_send_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gate = asyncio.Event()
    mailer = CountingMailer(gate=gate)

    async def deliver() -> bool:
        async with session_factory() as session:
            return await send_once(session, mailer, "evt-1:a@b.kr", MAIL)

    first = asyncio.create_task(deliver())
    await asyncio.wait_for(mailer.entered.wait(), 10)
    second = asyncio.create_task(deliver())
    await asyncio.sleep(0.3)  # the second delivery now waits on the first one's key
    assert not second.done()
    gate.set()
    results = await asyncio.wait_for(asyncio.gather(first, second), 20)
    assert sorted(results) == [False, True]
    assert len(mailer.sent) == 1
    async with session_factory() as session:
        assert await session.scalar(select(func.count(SentMail.id))) == 1
