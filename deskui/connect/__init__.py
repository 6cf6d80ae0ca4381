"""Live mail: buyer messages in by IMAP, replies out by SMTP (docs/mail.md). Pure Python.

* ``config``: the ``[[mailboxes]]`` and ``[smtp]`` tables of the config file.
* ``imap``: fetching a folder into the database through the mail importer, UID by UID.
* ``smtp``: sending queued outbox rows exactly once; ``bounce``: failure notices matched back.
* ``state``: what is kept per mailbox and folder; ``sync``: ``deskui sync``, once or until stopped.
"""

from deskui.connect.config import MailConfig, MailConfigError, load_mail_config
from deskui.connect.state import MailboxStatus, mailbox_statuses

__all__ = ["MailConfig", "MailConfigError", "MailboxStatus", "load_mail_config", "mailbox_statuses"]
