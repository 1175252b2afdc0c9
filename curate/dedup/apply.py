"""Applying dedup's decisions to staged documents as the final shards are written."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from curate.document import REMOVED_SCHEMA, SIZE_COLUMNS, document_sizes

CLUSTER_ID, CLUSTER_SIZE = "dup_cluster_id", "dup_cluster_size"


class ClusterDecisions:
    """Drops removed documents and fills the cluster columns of kept ones (a document in no
    cluster is its own cluster of size 1). Documents are named by (task, id): ids are unique
    within a task, but the same record can reach two tasks (a copied file)."""

    def __init__(self, decisions: pl.DataFrame):
        self._decisions = decisions
        self._by_task: dict[str, _TaskDecisions] = {}

    def for_task(self, task: str) -> _TaskDecisions:
        if task not in self._by_task:
            self._by_task[task] = _TaskDecisions(self._decisions.filter(pl.col("task") == task))
        return self._by_task[task]


class _TaskDecisions:
    """Dedup's decisions on one task's documents."""

    def __init__(self, decisions: pl.DataFrame):
        removed = decisions.filter(~pl.col("kept"))
        kept = decisions.filter(pl.col("kept"))
        self.removed_ids = removed["id"].to_arrow()
        self.removed_reasons = removed["reason"].to_arrow()
        self.kept_ids = kept["id"].to_arrow()
        self.kept_sizes = kept["cluster_size"].cast(pl.Int32).to_arrow()

    def _set(self, table: pa.Table, name: str, values: pa.Array | pa.ChunkedArray) -> pa.Table:
        index = table.schema.get_field_index(name)
        return table.set_column(index, table.schema.field(name), values)

    def removed(self, table: pa.Table) -> pa.Table:
        """The rows of `table` that dedup removes, in the removed-documents schema."""
        dropped = table.filter(pc.is_in(table["id"], value_set=self.removed_ids))
        reasons = pc.take(self.removed_reasons, pc.index_in(dropped["id"], value_set=self.removed_ids))
        sizes = document_sizes(dropped["text"])
        extra = {
            "stage": pa.array(["dedup"] * dropped.num_rows, pa.string()),
            "reason": reasons,
            **{name: sizes[name] for name in SIZE_COLUMNS},
        }
        for name, values in extra.items():
            dropped = dropped.append_column(name, values)
        return dropped.cast(REMOVED_SCHEMA)

    def apply(self, table: pa.Table) -> pa.Table:
        if len(self.removed_ids):
            table = table.filter(pc.invert(pc.is_in(table["id"], value_set=self.removed_ids)))
        position = pc.index_in(table["id"], value_set=self.kept_ids)
        sizes = pc.fill_null(pc.take(self.kept_sizes, position), pa.scalar(1, pa.int32()))
        return self._set(self._set(table, CLUSTER_ID, table["id"]), CLUSTER_SIZE, sizes)
