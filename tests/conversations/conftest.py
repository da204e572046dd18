from tests.durable.dbosutil import _release_dbos_at_end, dbos_runner

__all__ = ["_release_dbos_at_end", "dbos_runner"]
