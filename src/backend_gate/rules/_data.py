"""Rule data as plain tuples (bandit's blacklists style); config options can extend them."""

from __future__ import annotations

TODO_TAGS: tuple[str, ...] = ("TODO", "FIXME", "XXX", "HACK")

# BG505 secret-in-log: words of an identifier that make it a secret, and words that make it
# metadata about a secret (a flag, a count, a name, a lifetime) rather than the secret itself.
LOG_SECRET_WORDS: tuple[str, ...] = (
    "password", "passwd", "passphrase", "secret", "token", "apikey", "api_key",
    "credential", "credentials", "private_key", "access_key", "secret_key", "client_secret",
    "session_key", "otp", "cvv", "ssn",
)
LOG_SAFE_WORDS: tuple[str, ...] = (
    "is", "has", "should", "can", "was", "needs", "require", "required", "enabled", "valid",
    "invalid", "changed", "expired", "expires", "expiry", "expiration", "exp", "count", "len",
    "length", "size", "num", "number", "min", "max", "limit", "attempts", "retries", "id", "type",
    "kind", "name", "field", "fields", "url", "uri", "endpoint", "path", "file", "hint", "policy",
    "strength", "age", "ttl", "timeout", "lifetime", "hash", "hashed", "digest", "masked",
    "redacted", "page", "cursor", "header", "param", "scope", "scopes", "usage", "provider",
    "created", "updated", "at", "version", "prefix", "label", "format", "manager", "backend",
    "class", "model", "serializer", "form", "view", "generator", "store", "factory", "service",
    "destination", "method", "channel", "status", "state", "mode", "source", "config",
    "settings", "secure", "rotation", "rotated", "sent", "verified", "reset_at", "dir", "dirs",
    "directory", "folder",
)

# BG403 controller-imports-database: a module (any import of it or its submodules) or
# `module:name` (that name imported from exactly that module) that talks to a database.
DATABASE_IMPORTS: tuple[str, ...] = (
    "sqlite3", "psycopg", "psycopg2", "psycopg_pool", "asyncpg", "pymysql", "MySQLdb",
    "aiomysql", "aiosqlite", "aiopg", "pyodbc", "cx_Oracle", "oracledb", "databases", "motor",
    "pymongo", "redis", "cassandra", "sqlalchemy.engine", "sqlalchemy.orm:Session",
    "sqlalchemy.orm:sessionmaker", "sqlalchemy.orm:scoped_session",
    "sqlalchemy.ext.asyncio:AsyncSession", "sqlalchemy.ext.asyncio:async_sessionmaker",
    "sqlalchemy.ext.asyncio:create_async_engine", "sqlalchemy:create_engine",
    "sqlmodel:Session", "sqlmodel:create_engine", "django.db:connection",
    "django.db:connections", "tortoise:Tortoise", "peewee:Database",
)

# BG301 sql-built-from-strings: call names that execute SQL text (the last attribute or the
# function name). SQL_SPECIFIC_SINKS are flagged for any built text; the others (generic names
# like `execute` or `text`) only when the text looks like SQL or the receiver looks like a database.
SQL_SINKS: tuple[str, ...] = (
    "execute", "executemany", "executescript", "exec_driver_sql", "raw", "extra", "RawSQL",
    "text", "fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one", "fetch_val", "iterate",
    "read_sql", "read_sql_query", "mogrify",
)
SQL_SPECIFIC_SINKS: tuple[str, ...] = (
    "executescript", "exec_driver_sql", "RawSQL", "read_sql", "read_sql_query", "mogrify",
    "extra",  # only its `select=` / `where=` / `tables=` / `order_by=` clauses are read: SQL
)
SQL_DB_WORDS: tuple[str, ...] = (
    "cursor", "cur", "conn", "connection", "connections", "con", "db", "database", "session",
    "engine", "pool", "objects", "tx", "transaction", "sqlite3", "asyncpg", "psycopg", "pd",
    "pandas", "sa", "sqlalchemy",
)
# Calls whose result is safe to put into SQL text: identifier quoting and numeric conversion
# (any function whose name contains `quote` counts too: quote_name, geo_quote_name).
SQL_SAFE_CALLS: tuple[str, ...] = (
    "quote_name", "quote_ident", "quote_identifier", "escape_identifier", "Identifier",
    "Literal", "Placeholder", "int", "float", "len", "bool",
)
