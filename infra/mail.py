"""Outgoing mail: one port, two adapters chosen by ``JANGTEO_MAIL_URL``, and a send-once log.

- ``file://`` (the default) writes every message as an RFC 5322 ``.eml`` file under
  ``var/mail/`` (``file:///some/dir`` picks another directory). Names sort by time; each file
  appears whole (written to a hidden temp file, then renamed), so a reader never sees half.
- ``smtp://user:pass@host:port`` sends through a mail server with the standard library's
  smtplib, in a thread; ``smtps://`` speaks TLS from the start (port 465), ``?starttls=1``
  upgrades a plain connection (port 587), ``?timeout=30`` bounds every network step.

Domains describe a message as a :class:`Mail` (plain text, optional HTML alternative); the
mailer turns it into an :class:`~email.message.EmailMessage` with our ``From``, a Date and a
Message-ID, UTF-8 bodies and RFC 2047-encoded Korean headers.

Workers may run a consumer twice for the same event, so :func:`send_once` records each mail
under a caller's key (``"<event id>:<recipient>"``) in ``sent_mails``: a key already recorded
is never sent again. The row is inserted in a transaction that stays open while the message is
handed over and commits after the server (or the file system) took it: a failed send leaves no
row and the retry sends; a racing second delivery waits on the key and then skips. Only a crash
between hand-over and commit sends twice (docs/decisions.md: at-least-once, narrow window).
"""

from __future__ import annotations

import abc
import asyncio
import datetime as dt
import os
import smtplib
import ssl
import tempfile
import uuid
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from advanced_alchemy.base import BigIntBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import String, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from infra.clock import utcnow
from infra.settings import Settings

#: CRLF line endings and 78-column folding: the form RFC 5322 and SMTP expect on the wire.
WIRE = policy.SMTP


@dataclass(frozen=True, kw_only=True)
class Mail:
    """One message to one recipient, as a domain describes it."""

    to: str
    subject: str
    text: str
    html: str | None = None
    to_name: str | None = None
    reply_to: str | None = None
    #: Tells this mail apart from others to the same address for the same cause (two vendors
    #: sharing one contact address each get their notice); part of :meth:`once_key`.
    kind: str = ""

    def once_key(self, scope: str) -> str:
        """The send-once key of this mail for ``scope`` (an event id): scope, address, kind."""
        return ":".join(part for part in (scope, self.to.strip().lower(), self.kind) if part)


def _address(value: str, name: str | None = None) -> Address:
    if name is None:
        name, value = parseaddr(value)
    return Address(display_name=name or "", addr_spec=value)


def _body_encoding(text: str) -> str:
    # Korean text in base64: a third longer, where quoted-printable would triple it and 8bit
    # needs a server that announces 8BITMIME.
    return "7bit" if text.isascii() else "base64"


def build_message(mail: Mail, *, sender: str, now: dt.datetime | None = None) -> EmailMessage:
    """An RFC 5322 message: UTF-8 text, the HTML as an alternative, encoded headers."""
    message = EmailMessage(policy=policy.default)
    from_address = _address(sender)
    message["From"] = from_address
    message["To"] = _address(mail.to, mail.to_name)
    if mail.reply_to:
        message["Reply-To"] = _address(mail.reply_to)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now or utcnow())
    message["Message-ID"] = make_msgid(domain=from_address.domain or "jangteo.kr")
    message["Auto-Submitted"] = "auto-generated"
    text = mail.text if mail.text.endswith("\n") else mail.text + "\n"
    message.set_content(text, charset="utf-8", cte=_body_encoding(text))
    if mail.html is not None:
        message.add_alternative(
            mail.html, subtype="html", charset="utf-8", cte=_body_encoding(mail.html)
        )
    return message


class Mailer(abc.ABC):
    """The outgoing-mail port. ``send`` returns once the message is safely handed over."""

    def __init__(self, sender: str) -> None:
        self.sender = sender

    def compose(self, mail: Mail) -> EmailMessage:
        return build_message(mail, sender=self.sender)

    @abc.abstractmethod
    async def send(self, message: EmailMessage) -> None: ...


class FileMailer(Mailer):
    """Writes ``<UTC time>-<random>.eml`` files: sortable by time, unique, never half-written."""

    def __init__(self, directory: Path, sender: str) -> None:
        super().__init__(sender)
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self.write, message)

    def write(self, message: EmailMessage) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.eml"
        data = message.as_bytes(policy=WIRE)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            target = self.directory / name
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    starttls: bool = False
    timeout: float = 30.0


class SmtpMailer(Mailer):
    """Sends through an SMTP server with smtplib, one connection per message, in a thread."""

    def __init__(self, server: SmtpServer, sender: str) -> None:
        super().__init__(sender)
        self.server = server

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        server = self.server
        smtp: smtplib.SMTP
        if server.implicit_tls:
            smtp = smtplib.SMTP_SSL(
                server.host,
                server.port,
                timeout=server.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with smtp:
            if server.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)


_TRUE = ("1", "true", "yes", "on")


def parse_smtp_url(url: str) -> SmtpServer:
    """``smtp[s]://[user[:password]@]host[:port][?starttls=1&timeout=30]``; secrets URL-quoted."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"not an SMTP URL: {parts.scheme}://{parts.hostname or ''}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    implicit_tls = parts.scheme == "smtps"
    starttls = query.get("starttls", "").lower() in _TRUE
    default_port = 465 if implicit_tls else 587 if starttls else 25
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        implicit_tls=implicit_tls,
        starttls=starttls,
        timeout=float(query.get("timeout", "30")),
    )


def make_mailer(settings: Settings) -> Mailer:
    """The adapter ``settings.mail_url`` names."""
    url = settings.mail_url
    scheme = urlsplit(url).scheme
    if scheme == "file":
        path = unquote(urlsplit(url).path)
        return FileMailer(Path(path) if path else settings.mail_dir, settings.mail_from)
    if scheme in ("smtp", "smtps"):
        return SmtpMailer(parse_smtp_url(url), settings.mail_from)
    raise ValueError(f"JANGTEO_MAIL_URL: unknown scheme {scheme!r} (file, smtp or smtps)")


class SentMail(BigIntBase):
    """One row per mail sent under an idempotency key: the send-once record and a mail log."""

    __tablename__ = "sent_mails"

    key: Mapped[str] = mapped_column(String(400), unique=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    message_id: Mapped[str] = mapped_column(String(250))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)


async def send_once(session: AsyncSession, mailer: Mailer, key: str, mail: Mail) -> bool:
    """Send ``mail`` unless a mail was sent under ``key`` before; True when sent now.

    Owns the session's transaction: it commits after a successful send and rolls back when
    the send fails (the exception propagates, so the caller's retry sends again).
    """
    message = mailer.compose(mail)
    values = {
        "key": key,
        "to": mail.to[:320],
        "subject": mail.subject[:500],
        "message_id": str(message["Message-ID"])[:250],
        "sent_at": utcnow(),
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    try:
        result = await session.execute(insert(SentMail).values(**values).on_conflict_do_nothing())
        if not result.rowcount:  # type: ignore[attr-defined]
            await session.rollback()
            return False
        await mailer.send(message)
    except BaseException:
        await session.rollback()
        raise
    await session.commit()
    return True


async def purge_sent(session: AsyncSession, older_than: dt.timedelta) -> int:
    """Forget mails sent longer ago than ``older_than``; commits, returns how many.

    The send-once record only has to outlive redeliveries of the events that caused the mail
    (the outbox keeps relayed events two weeks), so a retention of months loses nothing; it
    keeps the mail log readable and the table small.
    """
    result = await session.execute(delete(SentMail).where(SentMail.sent_at < utcnow() - older_than))
    await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
