"""Writers and readers of the two tokenized-dataset formats trainers read: datatrove's `.ds` file sets
and Megatron-LM / NeMo's mmap indexed dataset (`.bin` + `.idx`).

A document is the run of its token ids (EOS/BOS already among them); documents lie back to back in
the order they were added. Every integer below is little-endian.

Token width (`token_dtype`): 2 bytes (uint16) while every id fits, i.e. vocab_size <= 65536 -- the rule
of datatrove's tokenizer steps (`4 if vocab_size > 65535 + 1 else 2`, datatrove/utils/tokenization.py),
which its Megatron writer and megatron-core's GPTDatasetConfig (token_dtype_code) share; Megatron's
preprocess_data switches at 65500, but its reader takes whatever dtype code the .idx names. Above that:
uint32 for datatrove, int32 for Megatron (whose dtype table has no uint32: at most 2**31 ids).

datatrove -- what `datatrove.pipeline.tokens.tokenizer.TokenizedFile` writes; read by
`datatrove.utils.dataset.DatatroveFileDataset` / `DatatroveFolderDataset` and `DocumentTokenizerMerger`:

    {name}-NNNNN.ds           token ids, uint16 or uint32, no header: token k at byte k * token_size
    {name}-NNNNN.ds.index     one uint64 per document, no header and no count (count = size / 8): the
                              document's END in tokens, cumulative and exclusive: document i is tokens
                              [end[i-1], end[i]), the first from 0; the last end is the token count
    {name}-NNNNN.ds.metadata  UTF-8 text, three lines joined by "\\n", no final newline:
                                {tokenizer_name}|{token_size}  (DocumentTokenizerMerger takes the token
                                                               size from here, splitting on "|")
                                {token_count}
                                {token_count as humanize.metric(count, unit="T")}, e.g. "1.23 MT"
                              With no tokenizer name the first line is "Unknown Tokenizer|{token_size}"
                              (datatrove itself writes "Unknown Tokenizer|2|2" there, which its merger
                              cannot split); a name holding "|" or a line break is refused.

Megatron-LM / NeMo -- megatron/core/datasets/indexed_dataset.py, also what datatrove's
`MegatronTokenizedFile` writes:

    {name}-NNNNN.bin   token ids back to back in the dtype, no header
    {name}-NNNNN.idx   offset      bytes       field
                       0           9           magic b"MMIDIDX\\x00\\x00"
                       9           8 uint64    version = 1
                       17          1 uint8     dtype code: 1 uint8, 2 int8, 3 int16, 4 int32, 5 int64,
                                               6 float64, 7 float32, 8 uint16 (written: 8 or 4)
                       18          8 uint64    sequence count n
                       26          8 uint64    document count = n + 1 (entries of the document index)
                       34          4n int32    sequence lengths, in tokens
                       34 + 4n     8n int64    sequence pointers: byte offset of each sequence in .bin
                       34 + 12n    8(n+1) int64  document index 0, 1, ..., n (one sequence per document)
                       total 42 + 20n bytes

File sets: a writer starts the next set (`-00000`, `-00001`, ...) when the next document would take the
data file (.ds / .bin) past `max_file_bytes`; a document larger than the bound goes whole into a set of
its own, so a data file passes the bound only when it holds one non-empty document.

Empty documents (0 tokens): Megatron keeps one as a 0-length sequence whose pointer is where the next
one starts (megatron-core 0.16's IndexedDataset and GPTDataset read such files). datatrove refuses it
(ValueError): its only representation, a repeated end in the index, is misread by
DatatroveFileDataset(return_positions=True), whose positions then run on across the next document's
start. A Megatron set holding no token at all (only empty documents) is not written, since Megatron
memory-maps the .bin and numpy cannot map an empty file; nor is a set of a writer given no document.

Atomicity: each file is written under a hidden temporary name (`curate.atomic.tmp_path_for`) and
renamed once whole, the index/metadata before the data file, so a data file is never partial and never
appears without its index; a killed writer leaves only `.*.tmp` files (not synced to disk: a power cut
is not covered, as elsewhere in curate).
"""

from __future__ import annotations

import os
import re
import struct
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from curate.atomic import tmp_path_for, write_atomically

FORMATS = ("datatrove", "megatron")
UINT16_VOCAB = 65536  # ids 0..65535: every vocabulary up to this size fits uint16
DATA_SUFFIX = {"datatrove": ".ds", "megatron": ".bin"}
UNKNOWN_TOKENIZER = "Unknown Tokenizer"  # datatrove's word for a file written without a tokenizer name
MEGATRON_MAGIC = b"MMIDIDX\x00\x00"
MEGATRON_VERSION = 1
MEGATRON_DTYPES = {1: "u1", 2: "i1", 3: "<i2", 4: "<i4", 5: "<i8", 6: "<f8", 7: "<f4", 8: "<u2"}
MEGATRON_CODES = {np.dtype("<u2"): 8, np.dtype("<i4"): 4}
_MEGATRON_HEADER = struct.Struct("<9sQBQQ")  # magic, version, dtype code, sequences, documents: 34 bytes
_INT32_MAX = 2**31 - 1  # Megatron's sequence lengths are int32
_SET_NUMBER = re.compile(r"^(.*)-(\d+)$")


def token_dtype(vocab_size: int, fmt: str = "datatrove") -> np.dtype:
    """The little-endian token dtype of `fmt` for ids in [0, vocab_size): uint16 while vocab_size <=
    65536, then uint32 (datatrove) or int32 (megatron)."""
    _check_format(fmt)
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int | np.integer) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive integer, not {vocab_size!r}")
    if vocab_size <= UINT16_VOCAB:
        return np.dtype("<u2")
    wide = np.dtype("<u4") if fmt == "datatrove" else np.dtype("<i4")
    if vocab_size > int(np.iinfo(wide).max) + 1:
        raise ValueError(f"vocab_size {vocab_size}: ids past {fmt}'s widest token ({wide.name})")
    return wide


class TokenWriter:
    """Writes documents into size-bounded file sets of one format; get one with `open_writer`.

    Tokens stream to the open set's data file; only the per-document lengths stay in memory."""

    fmt = ""
    data_suffix = ""

    def __init__(self, folder: Path, name: str, vocab_size: int, max_file_bytes: int, tokenizer_name: str):
        self.folder = Path(folder)
        self.name = name
        self.vocab_size = vocab_size
        self.dtype = token_dtype(vocab_size, self.fmt)
        self.max_file_bytes = max_file_bytes
        self.tokenizer_name = tokenizer_name
        self._written: list[Path] = []
        self._set_number = 0  # of the open (or next) set: numbers only the sets written
        self._data: BinaryIO | None = None  # the open set's data file, under its temporary name
        self._lengths = array("q")  # tokens of each document of the open set
        self._bytes = 0  # size of the open set's data file
        self._closed = False

    def add(self, ids: Sequence[int] | np.ndarray) -> None:
        """Append one document; ValueError (naming the id) for an id outside [0, vocab_size)."""
        if self._closed:
            raise ValueError("add() after close()")
        tokens = _checked_ids(ids, self.vocab_size, self.dtype)
        self._check_length(tokens.size)
        # roll only for a document with tokens, out of a set with tokens: a big document then sits
        # alone, and an empty one never lands in a set of its own (which would not be written)
        if tokens.size and self._bytes and self._bytes + tokens.nbytes > self.max_file_bytes:
            self._finish_set()
        if self._data is None:
            # held open across add() calls, closed by _finish_set or discard
            self._data = open(tmp_path_for(self._final(self.data_suffix)), "wb")  # noqa: SIM115
        self._data.write(tokens.tobytes())
        self._lengths.append(tokens.size)
        self._bytes += tokens.nbytes

    def close(self) -> list[Path]:
        """Finish the open set; all final files written, set by set (data file first in each)."""
        if not self._closed:
            if self._data is not None:
                self._finish_set()
            self._closed = True
        return list(self._written)

    def discard(self) -> None:
        """Drop the open set's temporary file without publishing it (sets already finished stay)."""
        if self._data is not None:
            self._data.close()
            tmp_path_for(self._final(self.data_suffix)).unlink(missing_ok=True)
            self._data = None
        self._closed = True

    def __enter__(self) -> TokenWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    def _final(self, suffix: str) -> Path:
        return self.folder / f"{self.name}-{self._set_number:05d}{suffix}"

    def _finish_set(self) -> None:
        assert self._data is not None
        self._data.close()
        self._data = None
        data_tmp = tmp_path_for(self._final(self.data_suffix))
        if self._bytes == 0:  # only empty documents: not written (see the module docstring)
            data_tmp.unlink()
        else:
            # companions first: the data file, the name trainers glob for, appears last
            companions = self._write_companions(np.frombuffer(self._lengths, dtype=np.int64))
            data = self._final(self.data_suffix)
            os.replace(data_tmp, data)
            self._written += [data, *companions]
            self._set_number += 1
        self._lengths = array("q")
        self._bytes = 0

    def _check_length(self, length: int) -> None:
        """Refuse a document the format cannot describe (none by default)."""

    def _write_companions(self, lengths: np.ndarray) -> list[Path]:
        raise NotImplementedError


class DatatroveWriter(TokenWriter):
    """`.ds` + `.ds.index` + `.ds.metadata` sets, as datatrove's DocumentTokenizer writes them."""

    fmt = "datatrove"
    data_suffix = ".ds"

    def __init__(self, folder: Path, name: str, vocab_size: int, max_file_bytes: int, tokenizer_name: str):
        if "|" in tokenizer_name or "\n" in tokenizer_name or "\r" in tokenizer_name:
            raise ValueError(
                f"tokenizer name {tokenizer_name!r}: no '|' or line break in datatrove's metadata"
            )
        super().__init__(folder, name, vocab_size, max_file_bytes, tokenizer_name)

    def _check_length(self, length: int) -> None:
        if length == 0:  # see the module docstring: a repeated end breaks datatrove's positions
            raise ValueError("an empty document: datatrove's reader misplaces positions after a repeated end")

    def _write_companions(self, lengths: np.ndarray) -> list[Path]:
        ends = np.cumsum(lengths, dtype="<u8")
        text = datatrove_metadata(self.tokenizer_name, self.dtype.itemsize, int(ends[-1]))
        index = write_atomically(self._final(".ds.index"), lambda tmp: tmp.write_bytes(ends.tobytes()))
        metadata = write_atomically(self._final(".ds.metadata"), lambda tmp: tmp.write_bytes(text.encode()))
        return [index, metadata]


class MegatronWriter(TokenWriter):
    """`.bin` + `.idx` pairs of Megatron-LM / NeMo's mmap indexed dataset, one sequence per document."""

    fmt = "megatron"
    data_suffix = ".bin"

    def _check_length(self, length: int) -> None:
        if length > _INT32_MAX:
            raise ValueError(f"a document of {length} tokens: Megatron's sequence lengths are int32")

    def _write_companions(self, lengths: np.ndarray) -> list[Path]:
        index = megatron_index(lengths, self.dtype)
        return [write_atomically(self._final(".idx"), lambda tmp: tmp.write_bytes(index))]


_WRITERS: dict[str, type[TokenWriter]] = {"datatrove": DatatroveWriter, "megatron": MegatronWriter}


def open_writer(
    fmt: str, folder: Path, name: str, vocab_size: int, max_file_bytes: int, tokenizer_name: str = ""
) -> TokenWriter:
    """A writer of `fmt` file sets `{name}-00000...` in `folder`, each data file bounded by
    `max_file_bytes` (a larger document alone in its set). Megatron has no place for `tokenizer_name`."""
    _check_format(fmt)
    if not name or "/" in name or os.sep in name or name.startswith("."):
        raise ValueError(f"file set name {name!r}: a plain, visible file name is needed")
    if isinstance(max_file_bytes, bool) or not isinstance(max_file_bytes, int) or max_file_bytes < 1:
        raise ValueError(f"max_file_bytes must be a positive integer, not {max_file_bytes!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return _WRITERS[fmt](folder, name, vocab_size, max_file_bytes, tokenizer_name)


def datatrove_metadata(tokenizer_name: str, token_size: int, token_count: int) -> str:
    """The `.ds.metadata` text: `name|token_size`, the token count, the count for people."""
    name = tokenizer_name or UNKNOWN_TOKENIZER
    return "\n".join([f"{name}|{token_size}", str(token_count), metric_tokens(token_count)])


def metric_tokens(count: int) -> str:
    """`count` as humanize.metric(count, unit="T") writes it (3 significant digits, an SI prefix),
    which datatrove puts on the metadata's last line; for counts below 10**33."""
    if count == 0:
        return "0.00 T"
    exponent = len(str(count)) - 1  # exact, unlike floor(log10()) near powers of ten
    bucket = exponent // 3 * 3
    value = count / 10**bucket
    digits = max(0, 2 - exponent % 3)
    if round(value, digits) >= 10 ** (exponent % 3 + 1):  # 999.6 rounds up to the next prefix
        exponent += 1
        value /= 10 ** (exponent // 3 * 3 - bucket)
        digits = max(0, 2 - exponent % 3)
    prefix = "kMGTPEZYRQ"[exponent // 3 - 1] if exponent >= 3 else ""
    return f"{value:.{digits}f} {prefix}T"


def megatron_index(lengths: np.ndarray, dtype: np.dtype) -> bytes:
    """The `.idx` bytes of sequences of `lengths` tokens of `dtype`, one sequence per document."""
    count = len(lengths)
    pointers = np.zeros(count, dtype="<i8")
    np.cumsum(np.asarray(lengths[:-1], dtype="<i8") * dtype.itemsize, out=pointers[1:])
    header = _MEGATRON_HEADER.pack(MEGATRON_MAGIC, MEGATRON_VERSION, MEGATRON_CODES[dtype], count, count + 1)
    parts = [np.asarray(lengths, dtype="<i4"), pointers, np.arange(count + 1, dtype="<i8")]
    return header + b"".join(part.tobytes() for part in parts)


def read_documents(path: Path) -> Iterator[np.ndarray]:
    """The documents of one file set, in order, as arrays of the stored dtype. `path`: its data file,
    index or metadata, or the prefix before those suffixes. Checks the set is whole before reading."""
    fmt, stem = _file_set(Path(path))
    if fmt == "datatrove":
        return _read_datatrove(stem)
    return _read_megatron(stem)


def token_stream(path: Path) -> np.ndarray:
    """All token ids of one file set, back to back, mapped from its data file (not read into
    memory): what a trainer's fixed windows are cut from."""
    fmt, stem = _file_set(Path(path))
    if fmt == "datatrove":
        data = _with_suffix(stem, ".ds")
        ends = np.fromfile(_with_suffix(stem, ".ds.index"), dtype="<u8")
        size = _datatrove_token_size(stem, int(ends[-1]) if ends.size else 0, data.stat().st_size)
        dtype = np.dtype("<u2") if size == 2 else np.dtype("<u4")
    else:
        data = _with_suffix(stem, ".bin")
        code = _MEGATRON_HEADER.unpack_from(_with_suffix(stem, ".idx").read_bytes()[: _MEGATRON_HEADER.size])[
            2
        ]
        dtype = np.dtype(MEGATRON_DTYPES[code])
    if data.stat().st_size == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(data, dtype=dtype, mode="r")


def data_files(folder: Path, fmt: str) -> list[Path]:
    """The data files (.ds / .bin) of `folder`, by name and then set number (not recursive)."""
    _check_format(fmt)
    suffix = DATA_SUFFIX[fmt]
    found = [p for p in Path(folder).glob(f"*{suffix}") if p.is_file() and not p.name.startswith(".")]
    return sorted(found, key=lambda p: _set_order(p.name[: -len(suffix)]))


def _set_order(stem: str) -> tuple[str, int, str]:
    """`name-00012` after `name-00002` even past 99999 sets."""
    match = _SET_NUMBER.match(stem)
    return (match[1], int(match[2]), "") if match else (stem, -1, stem)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown token format {fmt!r}: one of {', '.join(FORMATS)}")


def _checked_ids(ids: Sequence[int] | np.ndarray, vocab_size: int, dtype: np.dtype) -> np.ndarray:
    """`ids` as an array of `dtype`; ValueError naming the first id outside [0, vocab_size)."""
    try:
        values = np.asarray(ids)
    except (OverflowError, ValueError):  # ragged or unconvertible: the scan names the culprit
        values = np.asarray(ids, dtype=object)
    if values.size == 0:
        return np.empty(0, dtype=dtype)
    if values.ndim != 1:
        raise ValueError(f"a document is a flat sequence of token ids, not an array of shape {values.shape}")
    if values.dtype.kind not in "iu":  # floats, bools, ints past int64 (object)
        _scan_ids(values.tolist() if isinstance(ids, np.ndarray) else list(ids), vocab_size)
        raise TypeError(f"token ids must be integers, not {values.dtype}")
    bad = np.flatnonzero((values < 0) | (values >= vocab_size))
    if bad.size:
        raise ValueError(f"token id {values[bad[0]]} at position {bad[0]} is outside [0, {vocab_size})")
    return values.astype(dtype, copy=False)


def _scan_ids(ids: list[object], vocab_size: int) -> None:
    """Raise for the first id that is no integer (TypeError) or outside the vocabulary (ValueError)."""
    for position, value in enumerate(ids):
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
            raise TypeError(f"token id {value!r} at position {position} is not an integer")
        if not 0 <= value < vocab_size:
            raise ValueError(f"token id {value} at position {position} is outside [0, {vocab_size})")


_SUFFIX_FORMAT = {".ds.index": "datatrove", ".ds.metadata": "datatrove", ".ds": "datatrove"}
_SUFFIX_FORMAT |= {".bin": "megatron", ".idx": "megatron"}


def _file_set(path: Path) -> tuple[str, Path]:
    """(format, prefix) of the file set `path` names."""
    for suffix, fmt in _SUFFIX_FORMAT.items():
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            return fmt, path.with_name(path.name[: -len(suffix)])
    found = [fmt for fmt, suffix in DATA_SUFFIX.items() if _with_suffix(path, suffix).is_file()]
    if len(found) != 1:
        raise FileNotFoundError(f"{path}: {'both formats' if found else 'no .ds or .bin file set'} there")
    return found[0], path


def _with_suffix(stem: Path, suffix: str) -> Path:
    return stem.with_name(stem.name + suffix)


def _read_datatrove(stem: Path) -> Iterator[np.ndarray]:
    data, index = _with_suffix(stem, ".ds"), _with_suffix(stem, ".ds.index")
    raw = index.read_bytes()
    if len(raw) % 8:
        raise ValueError(f"{index}: {len(raw)} bytes, not a whole number of uint64 ends")
    ends = np.frombuffer(raw, dtype="<u8").astype(np.int64)
    starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
    if np.any(ends < starts):
        raise ValueError(f"{index}: document ends go backwards")
    total = int(ends[-1]) if ends.size else 0
    size = data.stat().st_size
    token_size = _datatrove_token_size(stem, total, size)
    if size != total * token_size:
        raise ValueError(f"{data}: {size} bytes, but the index says {total} tokens of {token_size} bytes")
    dtype = np.dtype("<u2") if token_size == 2 else np.dtype("<u4")
    return _documents(data, dtype, starts * token_size, ends - starts)


def _datatrove_token_size(stem: Path, tokens: int, data_bytes: int) -> int:
    """From the metadata's first line (`name|size`, as datatrove's merger reads it), else from the
    data size and the index's token count."""
    metadata = _with_suffix(stem, ".ds.metadata")
    if metadata.is_file():
        first = metadata.read_text(encoding="utf-8").split("\n", 1)[0]
        size = first.rpartition("|")[2]
        if size not in ("2", "4"):
            raise ValueError(f"{metadata}: no token size (2 or 4) after '|' in {first!r}")
        return int(size)
    if tokens and data_bytes // tokens in (2, 4):
        return data_bytes // tokens
    return 2


def _read_megatron(stem: Path) -> Iterator[np.ndarray]:
    data, index = _with_suffix(stem, ".bin"), _with_suffix(stem, ".idx")
    raw = index.read_bytes()
    if len(raw) < _MEGATRON_HEADER.size:
        raise ValueError(f"{index}: {len(raw)} bytes, shorter than the header")
    magic, version, code, count, documents = _MEGATRON_HEADER.unpack_from(raw)
    if magic != MEGATRON_MAGIC or version != MEGATRON_VERSION or code not in MEGATRON_DTYPES:
        raise ValueError(f"{index}: not a version-1 Megatron index (magic {magic!r}, dtype code {code})")
    offset = _MEGATRON_HEADER.size
    if len(raw) < offset + 12 * count + 8 * documents:
        raise ValueError(f"{index}: {len(raw)} bytes, too short for {count} sequences")
    dtype = np.dtype(MEGATRON_DTYPES[code])
    lengths = np.frombuffer(raw, dtype="<i4", count=count, offset=offset).astype(np.int64)
    pointers = np.frombuffer(raw, dtype="<i8", count=count, offset=offset + 4 * count).astype(np.int64)
    size = data.stat().st_size
    if np.any(lengths < 0) or np.any(pointers < 0) or np.any(pointers + lengths * dtype.itemsize > size):
        raise ValueError(f"{index}: sequences reach past the {size} bytes of {data}")
    return _documents(data, dtype, pointers, lengths)


def _documents(
    path: Path, dtype: np.dtype, pointers: np.ndarray, lengths: np.ndarray
) -> Iterator[np.ndarray]:
    """Each (byte pointer, token length) of `path` as a writable array of `dtype`."""
    with open(path, "rb") as file:
        for pointer, length in zip(pointers.tolist(), lengths.tolist()):
            buffer = bytearray(length * dtype.itemsize)
            file.seek(pointer)
            if file.readinto(buffer) != len(buffer):
                raise ValueError(f"{path}: shorter than its index says")
            yield np.frombuffer(buffer, dtype=dtype)
