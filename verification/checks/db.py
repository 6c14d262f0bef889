"""Read-only queries against the target's Django database (PostgreSQL or SQLite).

Only what beat stored (its schedule, the canary's runs) is read; nothing is written. Queries
use ``{p}`` for a parameter placeholder, filled per dialect.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit


def query(database_url: str, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    if database_url.startswith("sqlite"):
        path = unquote(urlsplit(database_url).path)
        if database_url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            conn.row_factory = sqlite3.Row
            rows = conn.execute(sql.replace("{p}", "?"), tuple(params)).fetchall()
            return [dict(row) for row in rows]
        finally:
            conn.close()
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(
        database_url, connect_timeout=10, row_factory=dict_row, autocommit=True
    ) as conn:
        conn.execute("SET default_transaction_read_only = on")
        return list(conn.execute(sql.replace("{p}", "%s"), tuple(params)).fetchall())  # type: ignore[arg-type]
