"""`curate.filter_texts` and `curate.filter_frame`: the pipeline's language ID and filters over
texts already in memory, with the steps a run uses (LanguageStep, FilterStep), so that a text is
kept or removed here exactly as in a run."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pyarrow as pa

from curate.api.settings import ConfigLike, resolve_config
from curate.document import SIGNAL_TYPES, UNDETERMINED_LANG, without_surrogates
from curate.pipeline.steps import Removal
from curate.pipeline.steps.filters import FilterStep
from curate.pipeline.steps.isolation import run_isolated
from curate.pipeline.steps.language import LanguageStep
from curate.pipeline.task import READ_STEP

LANG_COLUMNS = {"lang": pa.string(), "lang_score": pa.float32()}
BLANK = Removal(READ_STEP, "empty", "skipped")  # never a document: the readers skip it
VERDICT_COLUMNS = {"kept": pa.bool_(), "outcome": pa.string(), "stage": pa.string(), "reason": pa.string()}


def filter_texts(
    texts: Sequence[str | None], langs: str | Sequence[str] | None = None, config: ConfigLike = None
) -> pl.DataFrame:
    """One row per text, in order: `text` (as the filters leave it: C4 drops lines), `lang`,
    `lang_score`, `kept`, then for a text not kept the `outcome` (removed, skipped or error), the
    `stage` (langid or the filter) and the `reason`, then the signal columns of every filter in
    `filters.order`. `langs`: each text's language code (or one for all); None: language ID
    finds it (with `langid.enabled`, else "und"). A blank text (or None) is skipped as `empty`,
    as a run's reader skips it."""
    settings = resolve_config(config)
    texts = [without_surrogates(text) if isinstance(text, str) else _as_text(text) for text in texts]
    columns: dict[str, list] = {"id": list(range(len(texts))), "text": texts, **_languages(langs, len(texts))}
    removals: list[Removal | None] = [None if text.strip() else BLANK for text in texts]
    if langs is None and settings.langid.enabled:
        language = LanguageStep(settings.langid)
        for name in ("lang_script", "lang_alternatives"):
            columns[name] = [None] * len(texts)
        removals = _earliest(removals, run_isolated(language.name, columns, language.apply))
    signal_types: dict[str, pa.DataType] = {}
    if settings.filters.enabled:
        step = FilterStep(settings.filters)
        signal_types = {key: SIGNAL_TYPES[kind] for f in step.filters for key, kind in f.SIGNALS.items()}
        columns.update({key: [None] * len(texts) for key in signal_types})
        # every text through the filters, also those removed before: their signals are shown too
        removals = _earliest(removals, run_isolated(step.name, columns, step.apply))
    return _frame(columns, removals, signal_types)


def filter_frame(
    df: pl.DataFrame, text_column: str = "text", lang_column: str | None = None, config: ConfigLike = None
) -> pl.DataFrame:
    """`df` with filter_texts' columns added (they replace columns of the same name), its text as
    the filters leave it in `filtered_text`; `lang_column` names the texts' languages (None:
    language ID)."""
    langs = df[lang_column].to_list() if lang_column is not None else None
    result = filter_texts(df[text_column].to_list(), langs, config)
    return df.with_columns(result.drop("text"), filtered_text=result["text"])


def _earliest(removals: list[Removal | None], later: list[Removal | None]) -> list[Removal | None]:
    """Each text's first Removal: a text leaves a run at the first step that removes it."""
    return [first or then for first, then in zip(removals, later)]


def _as_text(value: object) -> str:
    if value is None:
        return ""
    raise TypeError(f"filter_texts: texts must be str or None, got {type(value).__name__}")


def _languages(langs: str | Sequence[str] | None, count: int) -> dict[str, list]:
    if langs is None or isinstance(langs, str):
        return {"lang": [langs or UNDETERMINED_LANG] * count, "lang_score": [None] * count}
    if len(langs) != count:
        raise ValueError(f"filter_texts: {len(langs)} langs for {count} texts")
    return {"lang": [lang or UNDETERMINED_LANG for lang in langs], "lang_score": [None] * count}


def _frame(
    columns: dict[str, list], removals: list[Removal | None], signal_types: dict[str, pa.DataType]
) -> pl.DataFrame:
    verdicts = {
        "kept": [removal is None for removal in removals],
        "outcome": [removal and removal.outcome for removal in removals],
        "stage": [removal and removal.step for removal in removals],
        "reason": [removal and removal.reason for removal in removals],
    }
    types = {"text": pa.string(), **LANG_COLUMNS, **VERDICT_COLUMNS, **signal_types}
    values = {**columns, **verdicts}
    return pl.from_arrow(pa.table({name: pa.array(values[name], kind) for name, kind in types.items()}))
