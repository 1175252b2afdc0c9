"""The run's own topic clusters, for runs without a topic model: fitted by the driver, before any
task, on the first `topics.sample_docs` documents of the inputs (in input order, extracted as the
tasks extract them), saved as OUT/topics/clusters.npz, which every worker reads. The sample's
texts go to the tasks too (OUT/topics/sample.parquet, sample_handover), so no page is extracted twice.

The same inputs give the same clusters, so a rerun reuses the file: `clusters.json` beside it names
the inputs the sample came from, and a run whose inputs begin with those (a resumed run, or one
with `--add`) keeps them. Any other run fits anew; the file's digest is part of the config's
(resume.named_files), so tasks tagged with other clusters are redone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from curate.atomic import write_json
from curate.config import Config, TopicsConfig
from curate.document import Record
from curate.errors import UsageError
from curate.layout import OutputLayout
from curate.pipeline.sample_handover import page_digest, write_handover
from curate.pipeline.steps.record import ExtractStep, group_is_full
from curate.readers import read_input
from curate.topics.clusters import fit_clusters

log = logging.getLogger(__name__)


def with_clusters_file(config: Config, layout: OutputLayout) -> Config:
    """`config` with the clusters file its topic step reads: the user's `topics.clusters_file`
    (which must exist), else OUT's, when topics run without a model."""
    topics = config.topics
    if not topics.enabled or topics.model:
        return config
    if topics.clusters_file:
        if not Path(topics.clusters_file).is_file():
            raise UsageError(f"topics.clusters_file: no such file: {topics.clusters_file}")
        return config
    return replace(config, topics=replace(topics, clusters_file=str(layout.topic_clusters)))


def fit_run_clusters(
    config: Config,
    layout: OutputLayout,
    inputs: list[str],
    force: bool,
    extraction: ExtractStep | None = None,
) -> None:
    """Fit and save OUT's clusters unless the file there was fitted on inputs these begin with.
    `extraction`: the tasks' own, when they run in this process (its extraction process is up)."""
    if not will_fit(config, layout, inputs, force):
        return
    topics = config.topics
    sidecar = layout.topic_sample
    layout.topic_clusters.unlink(missing_ok=True)  # a half-written pair never looks fitted
    layout.topic_sample_texts.unlink(missing_ok=True)
    sample, sampled = sample_texts(config, inputs, extraction)
    if not sample:  # no input could be read: their tasks say why
        return
    write_handover(layout.topic_sample_texts, [page for page in sample if page[1]])
    texts = [text for _, _, text in sample]
    try:
        clusters = fit_clusters(texts, k=topics.clusters, languages=_languages(config, texts))
    except ValueError as exc:  # no document with words: every document is `unclustered`
        log.info("topics: no clusters fitted, every document is unclustered (%s)", exc)
        return
    layout.topic_clusters.parent.mkdir(parents=True, exist_ok=True)
    clusters.save(layout.topic_clusters)
    record = {"inputs": sampled, "sample_docs": topics.sample_docs, "clusters": topics.clusters}
    write_json(sidecar, record)
    log.info("topics: %d clusters fitted on %d documents", len(clusters.names), len(texts))


def will_fit(config: Config, layout: OutputLayout, inputs: list[str], force: bool) -> bool:
    """Whether `fit_run_clusters` fits (rather than keeps OUT's clusters, or has none to fit)."""
    topics = config.topics
    if not topics.enabled or topics.model or topics.clusters_file != str(layout.topic_clusters):
        return False
    return force or not (layout.topic_clusters.is_file() and _fitted_on(layout.topic_sample, topics, inputs))


def _languages(config: Config, texts: list[str]) -> list[str]:
    """The sample's languages, so that the words common in one of them are no feature: else the
    clusters are the languages ("más esta pero") rather than what the pages are about."""
    from langid import LanguageIdentifier

    identifier = LanguageIdentifier(config.langid.model or None)  # the run's model: a missing one fails first
    try:
        return [prediction.lang for prediction in identifier.predict(texts)]
    except Exception:  # noqa: BLE001 - one text it fails on must not cost the run its clusters
        return [_language_or_unknown(identifier, text) for text in texts]


def _language_or_unknown(identifier, text: str) -> str:
    """`text`'s language, or "" where language ID fails on it (its task books that document)."""
    try:
        return identifier.predict([text])[0].lang
    except Exception:  # noqa: BLE001 - the task, not the sample, says what failed
        return ""


def _fitted_on(sidecar: Path, topics: TopicsConfig, inputs: list[str]) -> bool:
    try:
        record = json.loads(sidecar.read_text())
        sampled = list(record["inputs"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    same_settings = (record.get("sample_docs"), record.get("clusters")) == (
        topics.sample_docs,
        topics.clusters,
    )
    return same_settings and inputs[: len(sampled)] == sampled


def sample_texts(
    config: Config, inputs: list[str], extraction: ExtractStep | None = None
) -> tuple[list[tuple[str, bytes, str]], list[str]]:
    """(the first `topics.sample_docs` texts of the inputs, each as (input, page digest or b"" for
    a record that was text already, text); the inputs they came from), extracted by `extraction`
    (left open), else by an extraction of its own. An input that cannot be read is passed over:
    its task will report it."""
    sample: list[tuple[str, bytes, str]] = []
    sampled: list[str] = []
    own = extraction is None
    extraction = extraction or ExtractStep(config.extract)
    try:
        for location in inputs:
            if len(sample) >= config.topics.sample_docs:
                break
            sampled.append(location)
            wanted = config.topics.sample_docs - len(sample)
            sample += (
                (location, digest, text) for digest, text in _texts_of(location, config, extraction, wanted)
            )
    finally:
        if own:
            extraction.close()
    return sample, sampled


def _texts_of(
    location: str, config: Config, extraction: ExtractStep, wanted: int
) -> Iterator[tuple[bytes, str]]:
    """The first `wanted` texts of the input, each with its page's digest. The pages go to
    `extraction` in groups, as a task sends them (one round trip a group), but no group holds more
    pages than texts are still wanted: no page is extracted for nothing."""
    try:
        with read_input(location, config.read) as opened:
            pages = (record for record in opened.records if not (record.skip or record.error))
            while wanted > 0:
                group = _next_group(pages, wanted)
                if not group:
                    return
                for record, removal in zip(group, extraction.apply_many(group)):
                    if removal is None and record.text and record.text.strip():
                        wanted -= 1
                        digest = b"" if record.html is None else page_digest(record.html, record.http_charset)
                        yield digest, record.text
    except Exception as exc:  # a sample, not the run: what cannot be read here, the task reports
        log.debug("topics: sample: %s passed over (%s)", location, exc)


def _next_group(records: Iterator[Record], most: int) -> list[Record]:
    """The next group of records (steps.record.group_is_full), of at most `most` records."""
    group: list[Record] = []
    size = 0
    for record in records:
        group.append(record)
        size += len(record.html or b"")
        if group_is_full(len(group), size, most):
            break
    return group
