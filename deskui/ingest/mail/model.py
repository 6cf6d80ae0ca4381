"""The two shapes a message has on its way in: the bytes a reader found (``RawMail``) and the
parsed, classified message the writer stores (``Mail``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RawMail:
    file: str
    line: int  # the line of the file the message's headers start on
    data: bytes


@dataclass
class Mail:
    file: str
    line: int
    message_id: str
    refs: list[str]            # In-Reply-To then References, nearest first
    root: str                  # the thread's first Message-ID as this message knows it
    from_addr: str
    from_name: str
    to: list[tuple[str, str]]
    others: list[str]          # Cc, Delivered-To, X-Original-To: for channel rules
    subject: str
    sent_at: str
    body: str
    raw: str
    auto_ack: bool
    kind: str = "mail"         # amazon, atoz, mail
    direction: str = "in"
    channel: str | None = None
    marketplace: str | None = None
    order_number: str | None = None
    customer_addr: str | None = None
    customer_name: str | None = None
    key: str | None = None     # Amazon thread key: ORDER/ALIAS or atoz/ORDER
    claim_opening: bool = False

    def __reduce__(self):
        # a plain tuple of the fields: about half the pickling work of a dataclass's __dict__
        return (Mail, tuple(self.__dict__.values()))

