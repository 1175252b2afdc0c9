"""The one typed configuration: TOML sections map onto dataclasses, unknown keys and bad values fail.

Every threshold is named for what it bounds (`max_*`, `min_*`). Later stages add their own sections.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import langcodes

from curate.errors import UsageError
from curate.train.settings import ModelConfig, PretrainConfig
from filters import (
    DEFAULT_ORDER,
    FILTERS,
    BadwordsThresholds,
    C4Thresholds,
    FineWebThresholds,
    GopherQualityThresholds,
    GopherRepetitionThresholds,
    QualityThresholds,
    UrlThresholds,
)
from filters.badwords import MODES as BADWORD_MODES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MiB = 1 << 20
EXTRACTORS = ("resiliparse", "trafilatura")


@dataclass
class ReadConfig:
    http_status: list[int] = field(default_factory=lambda: [200])  # response codes kept
    max_record_bytes: int = 10 * MiB  # larger payloads are skipped as `too_large`
    cc_base_url: str = "https://data.commoncrawl.org/"  # resolves lines of a `*.paths(.gz)` file
    text_field: str = "text"  # JSONL/Parquet inputs: the field holding the text
    id_field: str = "id"  # JSONL/Parquet inputs: the field holding a document id, if any
    retries: int = 3  # remote inputs: reconnections after a failed open or read, then the input fails
    retry_wait_s: float = 1.0  # wait before the first retry; doubled for each next one

    def validate(self) -> None:
        _check(all(100 <= s <= 599 for s in self.http_status), "read.http_status", "HTTP codes")
        _check(self.max_record_bytes > 0, "read.max_record_bytes", "a positive byte count")
        _check(self.retries >= 0, "read.retries", "a count >= 0")
        _check(self.retry_wait_s >= 0, "read.retry_wait_s", "seconds >= 0")


@dataclass
class ExtractConfig:
    extractor: str = "resiliparse"
    main_content: bool = True  # drop navigation, footers and other boilerplate
    timeout_s: float = 2.0  # per document; 0 runs the extractor in-process, unbounded
    max_html_bytes: int = 5 * MiB  # larger pages are skipped as `too_large`

    def validate(self) -> None:
        _check(self.extractor in EXTRACTORS, "extract.extractor", " or ".join(EXTRACTORS))
        _check(self.timeout_s >= 0, "extract.timeout_s", "seconds >= 0")
        _check(self.max_html_bytes > 0, "extract.max_html_bytes", "a positive byte count")


@dataclass
class LangidConfig:
    enabled: bool = True
    model: str = ""  # lid.176.bin / GlotLID path; else $CURATE_LID_MODEL, else the shipped lid.176.ftz
    profile: str = "fineweb"  # default thresholds: fineweb (> 0.65) or fineweb2 (per language, >=)
    thresholds: dict[str, float] = field(default_factory=dict)  # per-language overrides
    prefix_chars: int = 5000  # characters read per document (0: all); see the README's table
    langs: list[str] = field(default_factory=list)  # keep only these languages (empty: all)
    keep_below_threshold: bool = False  # keep such documents as `und` instead of removing them
    top_k: int = 1  # > 1 also stores the next best languages in `lang_alternatives`

    def validate(self) -> None:
        from langid import PROFILES

        _check(self.profile in PROFILES, "langid.profile", " or ".join(PROFILES))
        for lang, threshold in self.thresholds.items():
            _check_language(f"langid.thresholds.{lang}", lang)
            _check(0 <= threshold <= 1, f"langid.thresholds.{lang}", "0..1")
        for lang in self.langs:
            _check_language("langid.langs", lang)
        _check(self.prefix_chars >= 0, "langid.prefix_chars", "characters >= 0")
        _check(1 <= self.top_k <= 10, "langid.top_k", "1..10")


def _fineweb_c4() -> C4Thresholds:
    return C4Thresholds(require_terminal_punct=False)  # as FineWeb runs C4's rules


@dataclass
class FiltersConfig:
    enabled: bool = True
    order: list[str] = field(default_factory=lambda: list(DEFAULT_ORDER))  # batch filters, in order
    badwords_dir: str = ""  # LDNOOBW lists; else $CURATE_BADWORDS_DIR, the cache, or a download
    max_text_chars: int = 1_000_000  # longer texts are removed as `too_large` before any filter runs
    timeout_s: float = 5.0  # per document and filter; over it the document is removed as `timeout`
    url: UrlThresholds = field(default_factory=UrlThresholds)  # runs before extraction
    gopher_repetition: GopherRepetitionThresholds = field(default_factory=GopherRepetitionThresholds)
    gopher_quality: GopherQualityThresholds = field(default_factory=GopherQualityThresholds)
    c4: C4Thresholds = field(default_factory=_fineweb_c4)
    fineweb: FineWebThresholds = field(default_factory=FineWebThresholds)
    badwords: BadwordsThresholds = field(default_factory=BadwordsThresholds)
    quality: QualityThresholds = field(default_factory=QualityThresholds)
    # [filters.per_language.zh.gopher_quality] min_mean_word_len = false: overrides for one language
    per_language: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def validate(self) -> None:
        for name in self.order:
            _check(name in FILTERS, "filters.order", ", ".join(FILTERS))
        _check(self.max_text_chars > 0, "filters.max_text_chars", "a positive number of characters")
        _check(self.timeout_s >= 0, "filters.timeout_s", "seconds >= 0 (0: no bound)")
        _check(self.badwords.mode in BADWORD_MODES, "filters.badwords.mode", " or ".join(BADWORD_MODES))
        if "quality" in self.order and not self.quality.model:
            raise UsageError("config: filters.order has quality but filters.quality.model is not set")
        for lang, by_filter in self.per_language.items():
            _check_language(f"filters.per_language.{lang}", lang)
            for name, overrides in by_filter.items():
                key = f"filters.per_language.{lang}.{name}"
                if name not in FILTERS:
                    raise UsageError(f"config: unknown filter in {key} (allowed: {', '.join(FILTERS)})")
                by_filter[name] = _fields_from_dict(getattr(self, name).__class__, key, overrides)


@dataclass
class OutputConfig:
    max_shard_bytes: int = 256 * MiB  # a shard is closed once its file reaches this size
    row_group_bytes: int = 64 * MiB  # uncompressed bytes buffered per Parquet row group
    compression_level: int = 3  # zstd
    keep_removed: bool = False  # keep removed documents' text: exclusion shards, examples in the report

    def validate(self) -> None:
        _check(self.max_shard_bytes >= MiB, "output.max_shard_bytes", "at least 1 MiB")
        _check(self.row_group_bytes > 0, "output.row_group_bytes", "a positive byte count")
        _check(1 <= self.compression_level <= 22, "output.compression_level", "1..22")


@dataclass
class DedupConfig:
    enabled: bool = True
    url: bool = True  # the same normalized URL: keep the latest crawl
    exact: bool = True  # the same normalized text
    near: bool = True  # MinHash LSH
    cross_language: bool = False  # compare documents of different languages too
    num_perm: int = 112  # FineWeb: 112 hashes, 14 bands x 8 rows, word 5-grams
    bands: int | None = 14  # false (with rows = false): chosen by datasketch for `threshold`
    rows: int | None = 8
    ngram: int = 5
    seed: int = 1
    threshold: float = 0.72  # target Jaccard; --verify merges no candidate pair below it
    verify: bool = False

    def validate(self) -> None:
        _check(self.num_perm >= 2, "dedup.num_perm", "at least 2")
        _check(
            (self.bands is None) == (self.rows is None), "dedup.bands", "set with dedup.rows, or both false"
        )
        if self.bands is not None and self.rows is not None:
            _check(self.bands >= 1 and self.rows >= 1, "dedup.bands", "bands and rows >= 1")
            _check(self.bands * self.rows <= self.num_perm, "dedup.bands", "bands x rows <= num_perm")
        _check(self.ngram >= 1, "dedup.ngram", "at least 1")
        _check(0 < self.threshold < 1, "dedup.threshold", "0..1, exclusive")


@dataclass
class Config:
    read: ReadConfig = field(default_factory=ReadConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    langid: LangidConfig = field(default_factory=LangidConfig)
    filters: FiltersConfig = field(default_factory=FiltersConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    model: ModelConfig = field(default_factory=ModelConfig)  # `curate pretrain` / `curate ablate`
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)

    def validate(self) -> Config:
        for section in dataclasses.fields(self):
            getattr(self, section.name).validate()
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _check(ok: bool, key: str, allowed: str) -> None:
    if not ok:
        raise UsageError(f"config: {key} is out of range (allowed: {allowed})")


def _check_language(key: str, code: str) -> None:
    """A language code must already be in the normalized form that language ID produces."""
    from langid import normalize_code

    if normalize_code(code) != code or not langcodes.tag_is_valid(code):
        hint = f"; did you mean {normalize_code(code)!r}?" if normalize_code(code) != code else ""
        raise UsageError(
            f"config: {key}: unknown language code {code!r} (ISO 639-1 where it exists, else 639-3{hint})"
        )


def _coerce(key: str, value: Any, annotation: Any) -> Any:
    """Return `value` as `annotation` (ints widen to floats; `false` switches off an optional bound;
    tables become dataclasses), else raise UsageError naming the key."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        if value is False and len(options) < len(get_args(annotation)):
            return None
        return _coerce(key, value, options[0])
    if origin is dict:
        _, item = get_args(annotation)
        if not isinstance(value, dict):
            raise UsageError(f"config: {key} must be a table")
        return {k: _coerce(f"{key}.{k}", v, item) for k, v in value.items()}
    if origin in (list, tuple):
        item = get_args(annotation)[0]
        if not isinstance(value, list):
            raise UsageError(f"config: {key} must be a list of {item.__name__}")
        return origin(_coerce(key, v, item) for v in value)
    if annotation is Any:
        return value
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation in (int, float) and isinstance(value, bool):
        raise UsageError(f"config: {key} must be {annotation.__name__}, not a bool")
    if not isinstance(value, annotation):
        raise UsageError(f"config: {key} must be {annotation.__name__}, got {type(value).__name__} {value!r}")
    return value


def _fields_from_dict(cls: type, name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Checked keyword arguments for dataclass `cls` from a TOML table."""
    hints = get_type_hints(cls)
    unknown = sorted(set(values) - set(hints))
    if unknown:
        raise UsageError(f"config: unknown key {name}.{unknown[0]} (allowed: {', '.join(sorted(hints))})")
    return {key: _coerce(f"{name}.{key}", value, hints[key]) for key, value in values.items()}


def _merge(default: Any, name: str, values: Any) -> Any:
    """`default` (a dataclass instance) with the keys of a TOML table replaced, recursively."""
    if not isinstance(values, dict):
        raise UsageError(f"config: [{name}] must be a table")
    hints = get_type_hints(type(default))
    nested = {k: v for k, v in values.items() if k in hints and dataclasses.is_dataclass(hints[k])}
    changes = _fields_from_dict(type(default), name, {k: v for k, v in values.items() if k not in nested})
    for key, value in nested.items():
        changes[key] = _merge(getattr(default, key), f"{name}.{key}", value)
    return dataclasses.replace(default, **changes)


def config_from_dict(data: dict[str, Any]) -> Config:
    """Build and validate a Config from nested dicts, as parsed from TOML."""
    sections = get_type_hints(Config)
    config = Config()
    for name, values in data.items():
        if name not in sections:
            raise UsageError(f"config: unknown section [{name}] (allowed: {', '.join(sorted(sections))})")
        setattr(config, name, _merge(getattr(config, name), name, values))
    return config.validate()


def load_config(path: str | Path | None) -> Config:
    """Defaults, overridden by the TOML file at `path` when given."""
    if path is None:
        return Config().validate()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise UsageError(f"--config: no such file: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"--config: {path} is not valid TOML: {exc}") from None
    return config_from_dict(data)
