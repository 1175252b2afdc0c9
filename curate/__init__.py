"""curate: turn raw web crawls into audited pretraining shards."""

__version__ = "0.1.0"

# Bumped whenever a column is added, removed or changes meaning; written into every Parquet file.
SCHEMA_VERSION = "1"
