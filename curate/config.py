"""The one typed configuration: TOML sections map onto dataclasses, unknown keys and bad values fail.

Every threshold is named for what it bounds (`max_*`, `min_*`). What each key allows is declared
next to its field (`metadata=within(0, 1)`, see filters/ranges.py) and checked for every section,
for the filters' thresholds and for each language's overrides of them alike; `validate()` methods
add the checks that span keys. Each part of the pipeline has its own section.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import langcodes

from curate.errors import UsageError
from filters import (
    DEFAULT_ORDER,
    FILTERS,
    BadwordsThresholds,
    C4Thresholds,
    FineWebThresholds,
    GopherQualityThresholds,
    GopherRepetitionThresholds,
    PiiThresholds,
    QualityThresholds,
    UrlThresholds,
)
from filters.gopher_quality import STOP_WORDS
from filters.profiles import PROFILES as FILTER_PROFILES
from filters.profiles import filter_overrides
from filters.ranges import MAX_COUNT, RATIO, allowing, first_problem, one_of, within
from filters.registry import known_filters

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
MAX_PERM = 1024  # MinHash hashes (and so bands, rows)
HOUR = 3600.0  # the longest time bound (a timeout, the waits of all retries together)
EXTRACTORS = ("resiliparse", "trafilatura")
BYTES = within(1, GiB)  # a record, page or text: held in memory whole
TIMEOUT = within(0, HOUR)  # 0: no bound


def _require_setting(ok: bool, key: str, allowed: str) -> None:
    if not ok:
        raise UsageError(f"config: {key} is out of range (allowed: {allowed})")


# The [model] and [pretrain] tables: plain dataclasses, importable without torch.
@dataclass
class ModelConfig:
    """A decoder-only transformer; the default (about 1.3M parameters) trains in minutes on a CPU."""

    layers: int = field(default=4, metadata=within(1, 256))
    d_model: int = field(default=128, metadata=within(1, 1 << 16))
    heads: int = field(default=4, metadata=within(1, 1024))
    d_ff: int = field(default=512, metadata=within(1, 1 << 20))
    context: int = field(default=128, metadata=within(2, 1 << 20))  # tokens per sequence
    # the byte-level BPE tokenizer is trained to this size (or fewer, on little text)
    vocab_size: int = field(default=4096, metadata=within(257, 1 << 24))
    dropout: float = field(default=0.0, metadata=within(0, 1))

    def validate(self) -> None:
        _require_setting(self.d_model % self.heads == 0, "model.heads", "a divisor of d_model")
        _require_setting(self.dropout < 1, "model.dropout", "0..1, below 1")


@dataclass
class PretrainConfig:
    """Data mixture and optimisation. The token budget defaults to Chinchilla's 20 per parameter."""

    langs: list[str] = field(default_factory=list)  # train on these languages only (empty: all)
    # mixture by language (empty: as found)
    weights: dict[str, float] = field(default_factory=dict, metadata=within(0, 10**6, exclusive=True))
    # documents held out for validation, chosen by a hash of their id
    val_fraction: float = field(default=0.05, metadata=within(0, 1, exclusive=True))
    tokens: int = field(default=0, metadata=within(0, 10**15))  # training tokens; 0: 20 x parameters
    steps: int = field(default=0, metadata=within(0, 10**9))  # overrides `tokens` when > 0
    batch_size: int = field(default=16, metadata=within(1, 1 << 20))
    lr: float = field(default=1e-3, metadata=within(0, 10, exclusive=True))
    min_lr_ratio: float = field(default=0.1, metadata=RATIO)  # cosine decay ends at lr x this
    warmup_steps: int = field(default=100, metadata=within(0, 10**9))  # at most a tenth of the run
    weight_decay: float = field(default=0.1, metadata=within(0, 10))
    grad_clip: float = field(default=1.0, metadata=within(0, 10**6, exclusive=True))
    eval_every: int = field(default=100, metadata=within(1, 10**9))  # steps between validation passes
    # windows scored per validation: at most eval_batches x batch_size (all, or some of each language)
    eval_batches: int = field(default=20, metadata=within(1, 10**6))
    checkpoint_every: int = field(default=200, metadata=within(1, 10**9))
    seed: int = field(default=0, metadata=within(0, 2**32 - 1))  # what numpy and torch seeds accept
    device: str = "auto"  # auto: cuda when present, else cpu
    precision: str = "auto"  # auto: bf16 on a GPU that supports it, else fp32; or fp32, bf16
    # CPU threads (torch.set_num_threads); 0: torch's default. 1 measured fastest on 2 cores (README)
    threads: int = field(default=1, metadata=within(0, 1 << 12))
    compile: bool = False  # torch.compile the training step; CUDA only

    def validate(self) -> None:
        _require_setting(
            self.device in ("auto", "cpu", "cuda", "mps") or self.device.startswith("cuda:"),
            "pretrain.device",
            "auto, cpu, cuda, cuda:N, mps",
        )
        _require_setting(self.precision in ("auto", "fp32", "bf16"), "pretrain.precision", "auto, fp32, bf16")


@dataclass
class ReadConfig:
    http_status: list[int] = field(  # response codes kept
        default_factory=lambda: [200], metadata=within(100, 599, nonempty=True)
    )
    max_record_bytes: int = field(default=10 * MiB, metadata=BYTES)  # larger payloads: `too_large`
    cc_base_url: str = "https://data.commoncrawl.org/"  # resolves lines of a `*.paths(.gz)` file
    text_field: str = field(default="text", metadata=allowing(nonempty=True))  # JSONL/Parquet: the text
    id_field: str = "id"  # JSONL/Parquet inputs: the field holding a document id, if any
    # remote inputs: reconnections after a failed open or read, then the input fails
    retries: int = field(default=3, metadata=within(0, 10))
    retry_wait_s: float = field(default=1.0, metadata=within(0, 60))  # first wait; doubled for each next
    # a longer WARC/ARC/HTTP header line: the record is `bad_header`
    max_header_bytes: int = field(default=MiB, metadata=BYTES)

    def validate(self) -> None:
        waits = self.retry_wait_s * (2**self.retries - 1)
        _check(waits <= HOUR, "read.retry_wait_s", "waits that add up to at most 1 hour over read.retries")


@dataclass
class ExtractConfig:
    extractor: str = field(default="resiliparse", metadata=one_of(EXTRACTORS))
    main_content: bool = True  # drop navigation, footers and other boilerplate
    timeout_s: float = field(default=2.0, metadata=TIMEOUT)  # per document; 0: in-process, unbounded
    max_html_bytes: int = field(default=5 * MiB, metadata=BYTES)  # larger pages: `too_large`


@dataclass
class LangidConfig:
    enabled: bool = True
    model: str = ""  # lid.176.bin / GlotLID path; else $CURATE_LID_MODEL, else the shipped lid.176.ftz
    profile: str = "fineweb"  # default thresholds: fineweb (> 0.65) or fineweb2 (per language, >=)
    thresholds: dict[str, float] = field(default_factory=dict, metadata=RATIO)  # per-language overrides
    # characters read per document (0: all); see the README's table
    prefix_chars: int = field(default=5000, metadata=within(0, MAX_COUNT))
    langs: list[str] = field(default_factory=list)  # keep only these languages (empty: all)
    keep_below_threshold: bool = False  # keep such documents as `und` instead of removing them
    # > 1 also stores the next best languages in `lang_alternatives`
    top_k: int = field(default=1, metadata=within(1, 10))

    def validate(self) -> None:
        from langid import PROFILES

        _check(self.profile in PROFILES, "langid.profile", " or ".join(PROFILES))
        for lang in self.thresholds:
            _check_language(f"langid.thresholds.{lang}", lang)
        for lang in self.langs:
            _check_language("langid.langs", lang)


def _fineweb_c4() -> C4Thresholds:
    return C4Thresholds(require_terminal_punct=False)  # as FineWeb runs C4's rules


def language_overrides(
    profile: str, per_language: dict[str, dict[str, dict[str, Any]]], name: str
) -> dict[str, dict[str, Any]]:
    """lang -> field overrides of filter `name`: `profile`'s, then `per_language`'s on top (also for
    a run record's config, read back as plain tables)."""
    merged = filter_overrides(profile, name)
    for lang, by_filter in per_language.items():
        if name in by_filter:
            merged[lang] = {**merged.get(lang, {}), **by_filter[name]}
    return merged


@dataclass
class FiltersConfig:
    enabled: bool = True
    # batch filters, in order
    order: list[str] = field(default_factory=lambda: list(DEFAULT_ORDER))  # FILTERS or registered ones
    badwords_dir: str = ""  # LDNOOBW lists; else $CURATE_BADWORDS_DIR, the cache, or a download
    # longer texts are removed as `too_large` before any filter runs
    max_text_chars: int = field(default=1_000_000, metadata=BYTES)
    # per document and filter; over it the document is removed as `timeout` (0: no bound)
    timeout_s: float = field(default=5.0, metadata=TIMEOUT)
    url: UrlThresholds = field(default_factory=UrlThresholds)  # runs before extraction
    gopher_repetition: GopherRepetitionThresholds = field(default_factory=GopherRepetitionThresholds)
    gopher_quality: GopherQualityThresholds = field(default_factory=GopherQualityThresholds)
    c4: C4Thresholds = field(default_factory=_fineweb_c4)
    fineweb: FineWebThresholds = field(default_factory=FineWebThresholds)
    badwords: BadwordsThresholds = field(default_factory=BadwordsThresholds)
    quality: QualityThresholds = field(default_factory=QualityThresholds)
    pii: PiiThresholds = field(default_factory=PiiThresholds)  # masks; never removes
    # per-language overrides published by a reference, under the per_language ones below:
    # fineweb (none: FineWeb's English-tuned thresholds for every language) or fineweb2
    # (FineWeb-2's thresholds and stop words for each of its 1,860 languages, and its pipeline's
    # constants there: C4 and the paragraph rules off; see filters/data/FINEWEB2_SOURCE.md). A
    # language the profile covers gets its values instead of this section's.
    profile: str = field(default="fineweb", metadata=one_of(FILTER_PROFILES))
    # [filters.per_language.zh.gopher_quality] min_mean_word_len = false: overrides for one language
    per_language: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def overrides_for(self, name: str) -> dict[str, dict[str, Any]]:
        """lang -> field overrides of filter `name`: the profile's, then `per_language`'s on top."""
        return language_overrides(self.profile, self.per_language, name)

    def validate(self) -> None:
        known = known_filters()
        allowed = f"{' or '.join(known)}, or a filter registered with curate.register_filter"
        _check(all(name in known for name in self.order), "filters.order", allowed)
        _check(len(set(self.order)) == len(self.order), "filters.order", "each filter at most once")
        if "quality" in self.order and not self.quality.model:
            raise UsageError("config: filters.order has quality but filters.quality.model is not set")
        _check_stop_words("filters.gopher_quality", self.gopher_quality, "en")
        for lang, by_filter in self.per_language.items():
            _check_language(f"filters.per_language.{lang}", lang)
            for name, overrides in by_filter.items():
                key = f"filters.per_language.{lang}.{name}"
                if name not in FILTERS:
                    raise UsageError(f"config: unknown filter in {key} (allowed: {', '.join(FILTERS)})")
                by_filter[name] = _fields_from_dict(getattr(self, name).__class__, key, overrides)
        # the thresholds each language gets (profile, then per_language), checked as the section's own are
        for name in FILTERS:
            for lang, overrides in self.overrides_for(name).items():
                if name in self.per_language.get(lang, {}):
                    key = f"filters.per_language.{lang}.{name}"
                else:
                    key = f"filters.profile.{self.profile}.{lang}.{name}"
                problem = _overridden_problem(getattr(self, name), overrides)
                if problem:
                    _check(False, f"{key}.{problem[0]}", problem[1])
                if name == "gopher_quality":
                    _check_stop_words(key, dataclasses.replace(self.gopher_quality, **overrides), lang)


@dataclass
class UnicodeConfig:
    """ftfy's repair of mojibake, entities and stray controls, before language ID (README, "Unicode
    repair"): 0.18 ms a document, a third of language ID's, so on by default."""

    enabled: bool = True


@dataclass
class DecontaminateConfig:
    """Benchmark decontamination (README, "Hygiene"): a document that shares a word `ngram` with a
    benchmark's texts is removed as `decontamination/<benchmark>`. Off while `files` is empty."""

    files: list[str] = field(default_factory=list)  # JSONL or Parquet, one benchmark a file
    ngram: int = field(default=13, metadata=within(1, 100))  # GPT-3's 13-grams

    @property
    def enabled(self) -> bool:
        return bool(self.files)


@dataclass
class TopicsConfig:
    """Every document after extraction, kept or removed, gets a topic and a score (docs: README,
    "Topics"): from a `curate topics train` model when `model` is set, else from clusters fitted on
    the run's own first `sample_docs` documents (or read from `clusters_file`)."""

    enabled: bool = True
    model: str = ""  # a `curate topics train` model: the 22 topics of curate/topics/taxonomy.py
    clusters: int = field(default=20, metadata=within(1, 256))  # at most; fewer on a small sample
    sample_docs: int = field(default=500, metadata=within(1, 10**6))  # the documents they are fitted on
    # clusters an earlier run fitted (its OUT/topics/clusters.npz), to compare runs on the same ones
    clusters_file: str = ""


@dataclass
class OutputConfig:
    # a shard is closed once its file reaches this size
    max_shard_bytes: int = field(default=256 * MiB, metadata=within(MiB, 64 * GiB))
    # uncompressed bytes buffered per Parquet row group
    row_group_bytes: int = field(default=64 * MiB, metadata=within(KiB, 4 * GiB))
    compression_level: int = field(default=3, metadata=within(1, 22))  # zstd
    keep_removed: bool = False  # keep removed documents' text: exclusion shards, examples in the report


@dataclass
class DedupConfig:
    enabled: bool = True
    url: bool = True  # the same normalized URL: keep the latest crawl
    exact: bool = True  # the same normalized text
    near: bool = True  # MinHash LSH
    cross_language: bool = False  # compare documents of different languages too
    # FineWeb: 112 hashes, 14 bands x 8 rows, word 5-grams. Signatures are hashed in blocks of
    # num_perm x 64k shingles x 4 bytes: 1024 hashes keep a block at 256 MiB.
    num_perm: int = field(default=112, metadata=within(2, MAX_PERM))
    # false (with rows = false): chosen by datasketch for `threshold`
    bands: int | None = field(default=14, metadata=within(1, MAX_PERM))
    rows: int | None = field(default=8, metadata=within(1, MAX_PERM))
    ngram: int = field(default=5, metadata=within(1, 100))  # words per shingle
    seed: int = field(default=1, metadata=within(0, 2**32 - 1))  # numpy's RandomState takes 32 bits
    # target Jaccard; --verify merges no candidate pair below it
    threshold: float = field(default=0.72, metadata=within(0, 1, exclusive=True))
    verify: bool = False

    def validate(self) -> None:
        _check(
            (self.bands is None) == (self.rows is None), "dedup.bands", "set with dedup.rows, or both false"
        )
        if self.bands is not None and self.rows is not None:
            _check(self.bands * self.rows <= self.num_perm, "dedup.bands", "bands x rows <= num_perm")


@dataclass
class Config:
    read: ReadConfig = field(default_factory=ReadConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    unicode: UnicodeConfig = field(default_factory=UnicodeConfig)
    langid: LangidConfig = field(default_factory=LangidConfig)
    filters: FiltersConfig = field(default_factory=FiltersConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    decontaminate: DecontaminateConfig = field(default_factory=DecontaminateConfig)
    topics: TopicsConfig = field(default_factory=TopicsConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    model: ModelConfig = field(default_factory=ModelConfig)  # `curate pretrain` / `curate ablate`
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)

    def validate(self) -> Config:
        """Every key in its declared range, then each section's checks across keys; UsageError if not."""
        for name in (section.name for section in dataclasses.fields(self)):
            _check_fields(name, getattr(self, name))
            if hasattr(getattr(self, name), "validate"):
                getattr(self, name).validate()
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _check(ok: bool, key: str, allowed: str) -> None:
    if not ok:
        raise UsageError(f"config: {key} is out of range (allowed: {allowed})")


def _check_fields(key: str, section: Any) -> None:
    """Every field of dataclass `section` (named `key`) against what its declaration allows."""
    problem = first_problem(section)
    if problem:
        _check(False, f"{key}.{problem[0]}", problem[1])


def _overridden_problem(section: Any, overrides: dict[str, Any]) -> tuple[str, str] | None:
    """`first_problem` of thresholds `section` with `overrides`, remembered: a profile's 1,860
    languages are checked once per process, not at each validate()."""
    try:
        return _cached_problem(section, tuple(sorted(overrides.items())))
    except TypeError:  # a value that cannot be hashed
        return first_problem(dataclasses.replace(section, **overrides))


@lru_cache(maxsize=1 << 14)
def _cached_problem(section: Any, overrides: tuple[tuple[str, Any], ...]) -> tuple[str, str] | None:
    return first_problem(dataclasses.replace(section, **dict(overrides)))


def _check_stop_words(key: str, thresholds: GopherQualityThresholds, lang: str) -> None:
    """More distinct stop words than the list holds would remove every document of the language."""
    words = thresholds.stop_words or STOP_WORDS.get(lang)
    if words and thresholds.min_stop_words is not None:
        _check(
            thresholds.min_stop_words <= len(set(words)),
            f"{key}.min_stop_words",
            f"at most the {len(set(words))} stop words of the list",
        )


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
        if not isinstance(value, (list, tuple)):
            raise UsageError(f"config: {key} must be a list of {item.__name__}")
        return origin(_coerce(key, v, item) for v in value)
    if annotation is Any:
        return value
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # past float's range: inf, which the key's range check rejects
            return math.inf if value > 0 else -math.inf
    if annotation in (int, float) and isinstance(value, bool):
        raise UsageError(f"config: {key} must be {annotation.__name__}, not a bool")
    if not isinstance(value, annotation):
        raise UsageError(
            f"config: {key} must be {annotation.__name__}, got {type(value).__name__} {_shown(value)}"
        )
    return value


def _shown(value: Any, limit: int = 80) -> str:
    """`value` for a message, cut to `limit` characters (an integer past Python's 4,300 digits has
    no repr at all)."""
    try:
        text = repr(value)
    except ValueError:
        return f"of {value.bit_length()} bits"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


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


def config_from_dict(data: dict[str, Any], base: Config | None = None) -> Config:
    """Build and validate a Config from nested dicts, as parsed from TOML, over `base` (defaults)."""
    sections = get_type_hints(Config)
    config = dataclasses.replace(base) if base is not None else Config()
    for name, values in data.items():
        if name not in sections:
            raise UsageError(f"config: unknown section [{name}] (allowed: {', '.join(sorted(sections))})")
        setattr(config, name, _merge(getattr(config, name), name, values))
    return config.validate()


def presets() -> list[str]:
    """The built-in configurations (curate/presets/NAME.toml), for --preset."""
    folder = resources.files("curate").joinpath("presets")
    return sorted(
        entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml")
    )


def preset_config(name: str) -> Config:
    """The built-in configuration `name`: the defaults with its file's values."""
    if name not in presets():
        raise UsageError(f"--preset: no preset {name!r} (allowed: {', '.join(presets())})")
    text = resources.files("curate").joinpath("presets", f"{name}.toml").read_text(encoding="utf-8")
    return config_from_dict(tomllib.loads(text))


def load_config(path: str | Path | None, preset: str | None = None) -> Config:
    """Defaults (or the built-in preset's values), overridden by the TOML file at `path` when given."""
    base = preset_config(preset) if preset else None
    if path is None:
        return base or Config().validate()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise UsageError(f"--config: no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"--config: {path} is a directory, not a TOML file") from None
    except OSError as exc:
        raise UsageError(f"--config: cannot read {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"--config: {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise UsageError(f"--config: {path} is not valid TOML: arrays or tables nested too deeply") from None
    except ValueError as exc:  # a NUL in the path; an integer of more than 4,300 digits
        raise UsageError(f"--config: cannot read {path!r}: {str(exc).split(';')[0]}") from None
    return config_from_dict(data, base)
