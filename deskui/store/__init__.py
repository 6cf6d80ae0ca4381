from deskui.store.db import StoreError, connect, data_version, default_db_path, write
from deskui.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "StoreError", "connect", "data_version", "default_db_path", "write"]
