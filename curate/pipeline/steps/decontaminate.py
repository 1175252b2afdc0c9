"""The decontamination step: removes every document that shares an n-gram with a benchmark, as
`decontamination/<benchmark>`, and says which n-gram in the `decontam_ngram` column."""

from __future__ import annotations

from curate.decontaminate.index import DEFAULT_NGRAM, ContaminationIndex
from curate.pipeline.steps import Removal

REASON_PREFIX = "decontamination/"


class DecontaminateStep:
    name = "decontaminate"

    def __init__(self, files: list[str], ngram: int = DEFAULT_NGRAM):
        # Built now, so that a missing or unreadable benchmark file fails before anything is written.
        self.index = ContaminationIndex.build(files, ngram)

    def apply(self, columns: dict[str, list]) -> list[Removal | None]:
        found = self.index.match(columns["text"])
        columns["decontam_ngram"] = [match[1] if match else None for match in found]
        return [Removal(self.name, REASON_PREFIX + match[0]) if match else None for match in found]
