"""The Unicode repair step: ftfy over every document's text (filters/unicode_repair.py), first of
the batch steps, so that topics, language ID and the filters read repaired text. It removes
nothing; `text_repaired` says which documents it changed."""

from __future__ import annotations

from curate.pipeline.steps import Removal
from filters.unicode_repair import repair_text


class RepairStep:
    name = "unicode"

    def apply(self, columns: dict[str, list]) -> list[Removal | None]:
        repaired = [repair_text(text) for text in columns["text"]]
        columns["text_repaired"] = [new != old for new, old in zip(repaired, columns["text"])]
        columns["text"] = repaired
        return [None] * len(repaired)
