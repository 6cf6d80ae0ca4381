"""PostgreSQL as deskui's second store, for a team on several machines (docs/postgres.md).

SQLite stays the default; a database argument of ``postgresql://...`` means this package. Its
modules import psycopg (the ``deskui[postgres]`` extra) only when a connection is made, so this
package imports on a SQLite-only install.
"""

from deskui.store.postgres.db import connect, is_url, shown

__all__ = ["connect", "is_url", "shown"]
