"""OUT on object storage: a run's files written to and read from any fsspec URL (s3://, gs://, ...)
through `Store`, which retries the store's transient failures, and `working_copy`, which moves one
task's files between the store and the task's own scratch folder."""

from curate.storage.store import Store, StoreError, is_store_url, parse_storage_options

__all__ = ["Store", "StoreError", "is_store_url", "parse_storage_options"]
