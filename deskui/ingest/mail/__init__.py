"""Buyer messages as e-mail: ``.eml`` files, mbox files and Maildir folders.

Each message becomes a row of ``messages`` in a ticket:

* Amazon buyer-seller messages (from ``…@marketplace.amazon.<tld>``) are ``amazon`` tickets, one
  per buyer alias and order (``tickets.external_id`` = ``ORDER/ALIAS``), linked to the order and to
  the buyer (``customers``: channel ``amazon``, ``external_id`` = the alias address). The seller's
  own mail to an alias is the same thread, direction ``out``.
* A-to-z Guarantee claim notices are ``amazon`` tickets of their own (``atoz/ORDER``), linked to
  the order and its buyer when known; the order's ``claim_status`` becomes ``open``.
* Other mail is threaded by Message-ID / In-Reply-To / References (``tickets.external_id`` = the
  thread's first Message-ID) and gets the channel a rule names (see ``channel_for``).

The package, in the order a message goes through it: ``reading`` (mbox, Maildir, .eml) ->
``headers`` (parsing) -> ``classify`` (``Rules``) -> ``writer`` (``MailImporter``, a batch at a
time); ``pipeline`` runs the first three in a forked worker process for large files.
"""

from __future__ import annotations

from deskui.forking import WORKERS_ENV
from deskui.ingest.base import ImportContext
from deskui.ingest.mail.classify import DEFAULT_CHANNEL, DEFAULT_RULES, Rules
from deskui.ingest.mail.headers import parse_mail
from deskui.ingest.mail.model import Mail, RawMail
from deskui.ingest.mail.pipeline import PARALLEL_MIN_BYTES, PARALLEL_MIN_FILES, parsed_batches, pipeline, worth_a_worker
from deskui.ingest.mail.reading import READERS, is_maildir, read_eml, read_maildir, read_mbox
from deskui.ingest.mail.writer import MailImporter


def import_mail(ctx: ImportContext, fmt: str, **options) -> None:
    rules = Rules(
        channel_rules=options.get("channel_rules"),
        seller_addresses=options.get("seller_addresses"),
        default_channel=options.get("default_channel"),
    )
    importer = MailImporter(ctx, rules)
    if worth_a_worker(ctx.path, fmt):
        importer.run(pipeline(ctx, fmt, rules))
    else:
        importer.run(parsed_batches(ctx, fmt, rules))


__all__ = ["DEFAULT_CHANNEL", "DEFAULT_RULES", "PARALLEL_MIN_BYTES", "PARALLEL_MIN_FILES", "READERS", "WORKERS_ENV", "Mail",
           "MailImporter", "RawMail", "Rules", "import_mail", "is_maildir", "parse_mail", "parsed_batches", "read_eml",
           "read_maildir", "read_mbox"]
