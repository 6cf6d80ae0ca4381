"""Where `deskui sync` keeps its place and its state: the SQL is in ``deskui.store.mailboxes``;
these names stay importable from here for the connector's callers (the inbox's status bar)."""

from deskui.store.mailboxes import MailboxStatus, commit_folder, folder_state, mailbox_statuses, set_status

__all__ = ["MailboxStatus", "commit_folder", "folder_state", "mailbox_statuses", "set_status"]
