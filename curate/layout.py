"""Where everything of a run lives under OUT: the one owner of every path, and of the map from a
file back to the task that wrote it.

    OUT/run.json                                   the run record: inputs, config, tasks, shards
    OUT/.curate.lock                               held by the run writing OUT
    OUT/logs/curate.log                            the log of every run into OUT, appended
    OUT/markers/<task>.json                        the task is done: input size, config hash, outputs
    OUT/staged/lang=xx/part-<task>-NNNNN.parquet   the task's kept documents, before dedup
    OUT/stats/<task>.parquet                       the task's ledger (stats/dedup.parquet: dedup's)
    OUT/stats/removed/<task>-NNNNN.parquet         the documents the task's steps removed
    OUT/stats/errors/<task>.parquet                the task's error log
    OUT/dedup/signatures/<task>.parquet(.sha256)   dedup's signatures of the task's staged documents
    OUT/dedup/pairs/<key>.parquet, clusters.parquet   dedup's later stages, over all tasks
    OUT/topics/clusters.npz, clusters.json, sample.parquet   the run's topic clusters, their sample
    OUT/shards/lang-xx/shard-NNNNN.parquet         the final shards
    OUT/excluded/reason-xx/shard-NNNNN.parquet     removed documents with text (output.keep_removed)
    OUT/report/<table>.parquet, stats.json, report.html   the statistics and the report
    OUT/token_counts/counts.parquet, shards.json   `curate tokenize`'s counts, and the shards they are of

A task id is `<file name>-<8 hex digits>` (curate.pipeline.task.task_id_for), so `task_of` finds it
in a file name by the patterns above and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from curate.atomic import TMP_SUFFIX, tmp_path_for
from curate.shards import HIVE, LABEL, partition_dir

STAGED_PREFIX = "part-"
SHARD_PREFIX = "shard"
CHECKSUM_SUFFIX = ".sha256"
DEDUP_LEDGER = "dedup"  # stats/dedup.parquet: dedup's transfer rows, over all tasks


@dataclass(frozen=True)
class OutputLayout:
    root: Path

    # The run as a whole.
    @property
    def run_record(self) -> Path:
        return self.root / "run.json"

    @property
    def lock(self) -> Path:
        return self.root / ".curate.lock"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs_dir / "curate.log"

    @property
    def markers_dir(self) -> Path:
        return self.root / "markers"

    @property
    def staged_dir(self) -> Path:
        return self.root / "staged"

    @property
    def stats_dir(self) -> Path:
        """The ledgers (one per task, and dedup's), the removed-document record and the error logs."""
        return self.root / "stats"

    @property
    def removed_dir(self) -> Path:
        return self.stats_dir / "removed"

    @property
    def errors_dir(self) -> Path:
        return self.stats_dir / "errors"

    @property
    def dedup_dir(self) -> Path:
        return self.root / "dedup"

    @property
    def signatures_dir(self) -> Path:
        return self.dedup_dir / "signatures"

    @property
    def pairs_dir(self) -> Path:
        return self.dedup_dir / "pairs"

    @property
    def clusters(self) -> Path:
        return self.dedup_dir / "clusters.parquet"

    @property
    def topic_clusters(self) -> Path:
        return self.root / "topics" / "clusters.npz"

    @property
    def topic_sample(self) -> Path:
        """What the run's topic clusters were fitted on (inputs and settings)."""
        return self.topic_clusters.with_suffix(".json")

    @property
    def topic_sample_texts(self) -> Path:
        """The texts that sample was extracted into, handed to the tasks that read them again."""
        return self.topic_clusters.with_name("sample.parquet")

    @property
    def shards_dir(self) -> Path:
        return self.root / "shards"

    @property
    def excluded_dir(self) -> Path:
        return self.root / "excluded"

    @property
    def report_dir(self) -> Path:
        """The statistics as Parquet tables (<table>.parquet), stats.json and report.html."""
        return self.root / "report"

    @property
    def stats_json(self) -> Path:
        return self.report_dir / "stats.json"

    @property
    def report_html(self) -> Path:
        return self.report_dir / "report.html"

    def shard_sizes(self, shards: list[Path] | None = None) -> dict[str, int]:
        """Each final shard's size (of `shards`, by default every one), keyed by its path under
        shards/: what `curate tokenize`'s counts record, to tell later whether they are stale."""
        root = self.shards_dir.resolve()
        paths = self.shard_paths() if shards is None else shards
        return {path.resolve().relative_to(root).as_posix(): path.stat().st_size for path in paths}

    @property
    def token_counts_dir(self) -> Path:
        """Tokens per language and domain, counted by `curate tokenize` (for the report and budget)."""
        return self.root / "token_counts"

    # One task's files.
    def marker(self, task: str) -> Path:
        return self.markers_dir / f"{task}.json"

    def ledger(self, name: str) -> Path:
        """The ledger of task `name` (or DEDUP_LEDGER)."""
        return self.stats_dir / f"{name}.parquet"

    def error_log(self, task: str) -> Path:
        return self.errors_dir / f"{task}.parquet"

    def signatures(self, task: str) -> Path:
        return self.signatures_dir / f"{task}.parquet"

    @staticmethod
    def staged_prefix(task: str) -> str:
        """The prefix of the task's staged file names (ShardWriter numbers them)."""
        return f"{STAGED_PREFIX}{task}"

    def staged_parts(self, lang: str, tasks: list[str]) -> list[Path]:
        """Staged files of `lang`, ordered by task (in the order given), then by part number."""
        directory = partition_dir(self.staged_dir, lang)
        return [path for task in tasks for path in sorted(directory.glob(f"{STAGED_PREFIX}{task}-*.parquet"))]

    def staged_languages(self) -> list[str]:
        return sorted(p.name.split(HIVE, 1)[1] for p in self.staged_dir.glob(f"lang{HIVE}*") if p.is_dir())

    def removed_files(self, task: str | None = None) -> list[Path]:
        """The removed-document files of `task` (of every task without it)."""
        return sorted(self.removed_dir.glob(f"{task or '*'}-[0-9]*.parquet"))

    def ledgers(self) -> list[Path]:
        return sorted(self.stats_dir.glob("*.parquet"))

    def error_logs(self) -> list[Path]:
        return sorted(self.errors_dir.glob("*.parquet"))

    # The final shards.
    @staticmethod
    def shard_dir(shards: Path, lang: str) -> Path:
        """The folder of one language's final shards under `shards`: `lang-xx`."""
        return partition_dir(shards, lang, separator=LABEL)

    def shard_paths(self) -> list[Path]:
        """The final shard files, by language, then in order."""
        every_language = self.shard_dir(Path(), "*")
        return sorted(self.shards_dir.glob(f"{every_language}/*.parquet"))

    @staticmethod
    def building(final: Path) -> Path:
        """Where a folder is built before it replaces `final` whole (`.shards.building`)."""
        return final.with_name(f".{final.name}.building")

    # From files back to tasks.
    def task_outputs(self, task: str) -> list[Path]:
        """Every complete file `task` wrote, in a fixed order (its marker records their sizes)."""
        staged = sorted(self.staged_dir.glob(f"lang{HIVE}*/{STAGED_PREFIX}{task}-*.parquet"))
        signatures = self.signatures(task)
        candidates = [
            *staged,
            self.ledger(task),
            self.error_log(task),
            signatures,
            checksum_path(signatures),
            *self.removed_files(task),
        ]
        return [path for path in candidates if path.exists()]

    def unfinished(self, task: str) -> list[Path]:
        """What an interrupted attempt at `task` left under temporary names."""
        staged = self.staged_dir.glob(f"lang{HIVE}*/.{STAGED_PREFIX}{task}-*{TMP_SUFFIX}")
        signatures = self.signatures(task)
        sealed = [tmp_path_for(signatures), tmp_path_for(checksum_path(signatures))]
        return [*staged, *(path for path in sealed if path.exists())]

    def task_files(self) -> Iterator[tuple[str, Path]]:
        """(task, file) for every file under OUT that belongs to one task."""
        for directory in (self.staged_dir, self.stats_dir, self.markers_dir, self.signatures_dir):
            for path in directory.rglob("*"):
                task = task_of(path.relative_to(self.root).as_posix())
                if task is not None:
                    yield task, path


def task_of(key: str) -> str | None:
    """The task that wrote the file at `key` (its path under OUT, `/`-separated), or None for a
    file of the run as a whole; temporary names (`.x.tmp`) belong to no task."""
    parts = key.split("/")
    name = parts[-1]
    # Only temporary names (`.x.tmp`) are hidden ones of no task: a task id may itself start with
    # a dot (an input named `.x.warc.gz`), and its marker and outputs are that task's.
    if name.startswith(".") and name.endswith(TMP_SUFFIX):
        return None
    match parts[:-1]:
        case ["staged", partition] if partition.startswith(f"lang{HIVE}") and name.startswith(STAGED_PREFIX):
            stem = name[len(STAGED_PREFIX) :]
            return _numbered(stem.removesuffix(".parquet")) if stem.endswith(".parquet") else None
        case ["stats", "removed"]:
            return _numbered(name.removesuffix(".parquet")) if name.endswith(".parquet") else None
        case ["stats"] | ["stats", "errors"]:
            return name.removesuffix(".parquet") if name.endswith(".parquet") else None
        case ["dedup", "signatures"]:
            for suffix in (f".parquet{CHECKSUM_SUFFIX}", ".parquet"):
                if name.endswith(suffix):
                    return name.removesuffix(suffix)
        case ["markers"]:
            return name.removesuffix(".json") if name.endswith(".json") else None
    return None


def _numbered(stem: str) -> str | None:
    """`<task>` of a numbered part's stem `<task>-NNNNN`."""
    task, sep, number = stem.rpartition("-")
    return task if sep and number[:1].isdigit() else None


def checksum_path(path: Path) -> Path:
    """The file holding the SHA-256 of the sealed file `path` (dedup's intermediate files)."""
    return path.with_name(path.name + CHECKSUM_SUFFIX)
