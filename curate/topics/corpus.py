"""Labelled text for the topic model, built offline from curate's own inputs: documents read as the
pipeline reads them, given a language, weakly labelled by the seeds and split by a hash of the text."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from curate.config import ReadConfig
from curate.extract.extractors import HtmlToText, make_extractor
from curate.inputs import expand_inputs, open_text_lines
from curate.layout import OutputLayout
from curate.readers import read_input
from curate.topics.labels import seed_label

HELD_OUT_PERCENT = 10
LANGID_BATCH = 1000
TEXT_LINE_SUFFIXES = (".txt", ".txt.gz", ".txt.zst")  # plain text: one document a line


@dataclass(frozen=True)
class Document:
    text: str
    lang: str | None  # from the input's language field, else language ID (read_documents)


@dataclass(frozen=True)
class LabelledDocument:
    text: str
    lang: str
    topic: str


def input_files(inputs: Iterable[str]) -> list[str]:
    """The files behind the command-line inputs: a finished run's folder stands for its shards."""
    files: list[str] = []
    for arg in inputs:
        layout = OutputLayout(Path(arg))
        shards = layout.shard_paths() if layout.shards_dir.is_dir() else []
        if shards:
            files.extend(str(path) for path in shards)
        else:
            files.extend(expand_inputs([arg], base_url=""))
    return files


def _texts_of(
    location: str, config: ReadConfig, html_to_text: HtmlToText
) -> Iterator[tuple[str, str | None]]:
    """(text, language field or None) of each readable document; HTML through curate's extractor."""
    if location.endswith(TEXT_LINE_SUFFIXES):
        with open_text_lines(location) as lines:
            yield from ((line.strip(), None) for line in lines if line.strip())
        return
    with read_input(location, config) as opened:
        for record in opened.records:
            if record.skip or record.error:
                continue
            text = record.text if record.text is not None else html_to_text(record.html, record.http_charset)
            if text and text.strip():
                yield text, record.lang


def _with_languages(items: Iterator[tuple[str, str | None]], lid_model: str | None) -> Iterator[Document]:
    """Documents with the language their input gave, else the one language ID finds, in batches."""
    from langid import LanguageIdentifier

    identifier: LanguageIdentifier | None = None
    while batch := list(islice(items, LANGID_BATCH)):
        missing = [text for text, lang in batch if lang is None]
        if missing and identifier is None:
            identifier = LanguageIdentifier(lid_model)  # loaded only when an input lacks languages
        found = iter(identifier.predict(missing) if identifier and missing else [])
        for text, lang in batch:
            yield Document(text, lang or next(found).lang)


def read_documents(
    inputs: Iterable[str], text_field: str = "text", lid_model: str | None = None
) -> Iterator[Document]:
    """Every document of the inputs with its language: the input's own field (lang, language or
    metadata.language, as curate's readers take it) where it has one, else curate's language ID."""
    config = ReadConfig(text_field=text_field)
    html_to_text = make_extractor("resiliparse")
    texts = (item for location in input_files(inputs) for item in _texts_of(location, config, html_to_text))
    return _with_languages(texts, lid_model)


def label_documents(documents: Iterable[Document]) -> list[LabelledDocument]:
    """The documents the seeds label (seed_label), the rest left out."""
    labelled = []
    for doc in documents:
        label = seed_label(doc.text, doc.lang or "")
        if label is not None:
            labelled.append(LabelledDocument(doc.text, doc.lang or "", label.topic))
    return labelled


def _bucket(text: str, buckets: int) -> int:
    """The text's bucket of `buckets`, from a hash of the text alone: every run, and `curate topics
    eval` after `train`, puts a document in the same one."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % buckets


def is_held_out(text: str, percent: int = HELD_OUT_PERCENT) -> bool:
    """Whether a text belongs to the held-out split."""
    return _bucket(text, 100) < percent


def fold_of(text: str, folds: int) -> int:
    """The cross-validation fold of a text, 0 .. folds - 1."""
    return _bucket(text, folds)


def split(
    labelled: Iterable[LabelledDocument], percent: int = HELD_OUT_PERCENT
) -> tuple[list[LabelledDocument], list[LabelledDocument]]:
    """(train, held-out), `percent` of the documents held out."""
    train: list[LabelledDocument] = []
    held_out: list[LabelledDocument] = []
    for doc in labelled:
        (held_out if is_held_out(doc.text, percent) else train).append(doc)
    return train, held_out
