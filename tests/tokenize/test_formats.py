"""curate.tokenize.formats: what it writes, read back by readers written here from the layouts alone
(struct / numpy.frombuffer, never the module's reader), and by datatrove's own code where installed."""

from __future__ import annotations

import signal
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.tokenize import formats
from curate.tokenize.formats import FORMATS, data_files, open_writer, read_documents, token_dtype

REPO = Path(__file__).resolve().parents[2]
VOCABS = (2, 300, 65535, 65536, 65537, 2**31)  # both sides of the uint16 edge; 2**31 fits both formats
SETTINGS = settings(max_examples=100, deadline=None)
DATATROVE_SETTINGS = settings(max_examples=40, deadline=None)  # datatrove's readers are slower


# --- independent readers, from the layouts in the brief -------------------------------------------


def spec_datatrove(ds: Path) -> list[list[int]]:
    """One `.ds` set: width from the metadata's `name|size`, ends from `.ds.index` (uint64)."""
    lines = Path(f"{ds}.metadata").read_text().split("\n")
    width = {"2": "<u2", "4": "<u4"}[lines[0].rsplit("|", 1)[1]]
    tokens = np.frombuffer(ds.read_bytes(), dtype=width)
    ends = np.frombuffer(Path(f"{ds}.index").read_bytes(), dtype="<u8").tolist()
    assert int(lines[1]) == len(tokens) == ends[-1]
    return [tokens[start:end].tolist() for start, end in zip([0, *ends[:-1]], ends)]


def spec_megatron(bin_path: Path) -> list[list[int]]:
    """One `.bin` + `.idx` pair, every header field checked."""
    idx = bin_path.with_suffix(".idx").read_bytes()
    assert idx[:9] == b"MMIDIDX\x00\x00"
    (version,) = struct.unpack_from("<Q", idx, 9)
    code = idx[17]
    count, documents = struct.unpack_from("<QQ", idx, 18)
    assert (version, documents, len(idx)) == (1, count + 1, 34 + 4 * count + 8 * count + 8 * (count + 1))
    lengths = struct.unpack_from(f"<{count}i", idx, 34)
    pointers = struct.unpack_from(f"<{count}q", idx, 34 + 4 * count)
    assert struct.unpack_from(f"<{count + 1}q", idx, 34 + 12 * count) == tuple(range(count + 1))
    width = {8: np.dtype("<u2"), 4: np.dtype("<i4")}[code]
    assert list(pointers) == [width.itemsize * sum(lengths[:i]) for i in range(count)]
    data = bin_path.read_bytes()
    assert len(data) == width.itemsize * sum(lengths)
    return [np.frombuffer(data, width, n, p).tolist() for n, p in zip(lengths, pointers)]


SPEC_READERS = {"datatrove": spec_datatrove, "megatron": spec_megatron}


def write(
    fmt: str, folder: Path, docs: list[list[int]], vocab: int, bound: int, name: str = "t"
) -> list[Path]:
    writer = open_writer(fmt, folder, name, vocab, bound, tokenizer_name="gpt2")
    for doc in docs:
        writer.add(doc)
    return writer.close()


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


@st.composite
def corpora(draw: st.DrawFn, empty_documents: bool = True) -> tuple[int, list[list[int]], int]:
    """(vocab size, documents, max_file_bytes small enough to roll files often)."""
    vocab = draw(st.sampled_from(VOCABS))
    ids = st.integers(0, vocab - 1)
    doc = st.lists(ids, min_size=0 if empty_documents else 1, max_size=12)
    docs = draw(st.lists(doc, max_size=14))
    return vocab, docs, draw(st.integers(1, 40))


def check_sets(fmt: str, folder: Path, written: list[Path], docs: list[list[int]], vocab: int, bound: int):
    """The spec reader returns `docs` across the sets; every bound holds; the module's reader agrees."""
    files = data_files(folder, fmt)
    assert [p for p in written if p.suffix in (".ds", ".bin")] == files
    assert sorted(p.name for p in written) == visible(folder)  # nothing else, no temporary left
    per_set = [SPEC_READERS[fmt](f) for f in files]
    assert [d for docs_of in per_set for d in docs_of] == (docs if any(docs) else [])
    width = 2 if vocab <= 65536 else 4
    for f, docs_of in zip(files, per_set):
        assert f.stat().st_size == width * sum(map(len, docs_of))
        assert f.stat().st_size <= bound or sum(1 for d in docs_of if d) == 1
        assert [a.tolist() for a in read_documents(f)] == docs_of


# --- both formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(corpus=corpora())
def test_spec_reader_returns_the_documents_written_across_rolls(fmt, corpus):
    vocab, docs, bound = corpus
    if fmt == "datatrove":
        docs = [d for d in docs if d]  # refused there: see test_datatrove_refuses_empty_documents
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        check_sets(fmt, folder, write(fmt, folder, docs, vocab, bound), docs, vocab, bound)


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_width_switches_past_65536_ids(fmt, tmp_path):
    wide = {"datatrove": np.dtype("<u4"), "megatron": np.dtype("<i4")}[fmt]
    assert token_dtype(1, fmt) == token_dtype(65535, fmt) == token_dtype(65536, fmt) == np.dtype("<u2")
    assert token_dtype(65537, fmt) == token_dtype(2**31, fmt) == wide
    for vocab, width in ((65536, 2), (65537, 4)):
        data = write(fmt, tmp_path, [[vocab - 1, 0]], vocab, 100, name=str(vocab))[0]  # the data file first
        assert data.stat().st_size == 2 * width
        assert SPEC_READERS[fmt](data) == [[vocab - 1, 0]]
    with pytest.raises(ValueError):
        token_dtype(0, fmt)
    with pytest.raises(ValueError):
        token_dtype({"datatrove": 2**32 + 1, "megatron": 2**31 + 1}[fmt], fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_data_files_stay_within_the_bound_and_a_big_document_sits_alone(fmt, tmp_path):
    docs = [[1] * 3, [2] * 3, [3] * 30, [4] * 2, [5] * 5, [6]]
    written = write(fmt, tmp_path, docs, 300, 12)  # 12 bytes: 6 uint16 tokens
    per_set = [SPEC_READERS[fmt](f) for f in data_files(tmp_path, fmt)]
    assert per_set == [[[1] * 3, [2] * 3], [[3] * 30], [[4] * 2], [[5] * 5, [6]]]
    companions = {"datatrove": [".ds", ".ds.index", ".ds.metadata"], "megatron": [".bin", ".idx"]}[fmt]
    assert [p.name for p in written] == [f"t-{i:05d}{suffix}" for i in range(4) for suffix in companions]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_final_file_before_close(fmt, tmp_path):
    writer = open_writer(fmt, tmp_path, "a", 300, 8)
    writer.add([1, 2, 3])
    assert visible(tmp_path) == []  # the open set lives under hidden .tmp names only
    writer.add([4, 5, 6])  # rolls: the first set is now whole and final, the second still hidden
    first = [f.name for f in data_files(tmp_path, fmt)]
    assert len(first) == 1 and len(visible(tmp_path)) == {"datatrove": 3, "megatron": 2}[fmt]
    assert all(p.name.endswith(".tmp") for p in tmp_path.iterdir() if p.name.startswith("."))
    written = writer.close()
    assert sorted(p.name for p in written) == visible(tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert writer.close() == written  # close is idempotent
    with pytest.raises(ValueError):
        writer.add([1])


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failed_or_killed_writer_leaves_no_final_partial_file(fmt, tmp_path):
    with pytest.raises(RuntimeError), open_writer(fmt, tmp_path / "raised", "r", 300, 1000) as writer:
        writer.add([1, 2])
        raise RuntimeError
    assert not list((tmp_path / "raised").iterdir())
    script = (
        "import os, signal, sys\nfrom pathlib import Path\nfrom curate.tokenize.formats import open_writer\n"
        "w = open_writer(sys.argv[1], Path(sys.argv[2]), 'k', 1000, 64)\n"
        "for i in range(40):\n    w.add([i] * 7)\n"  # 14 bytes a document: 4 a set, the 10th set open
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, fmt, str(tmp_path / "k")], cwd=REPO, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    files = data_files(tmp_path / "k", fmt)
    assert [f.name for f in files] == [f"k-{i:05d}{formats.DATA_SUFFIX[fmt]}" for i in range(9)]
    assert [d for f in files for d in SPEC_READERS[fmt](f)] == [[i] * 7 for i in range(36)]
    hidden = [p.name for p in (tmp_path / "k").iterdir() if p.name.startswith(".")]
    assert hidden == [f".k-00009{formats.DATA_SUFFIX[fmt]}.tmp"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_ids_raise_naming_the_id_and_write_nothing(fmt, tmp_path):
    writer = open_writer(fmt, tmp_path, "b", 65537, 1000)
    for bad, named in (([1, 65537], "65537"), ([-1, 3], "-1"), (np.array([70000], np.int64), "70000")):
        with pytest.raises(ValueError, match=named):
            writer.add(bad)
    with pytest.raises(ValueError, match=str(2**64)):
        writer.add([2**64])
    for not_ids in ([1.5], [True], np.array([2.0])):
        with pytest.raises(TypeError):
            writer.add(not_ids)
    with pytest.raises(ValueError):
        writer.add([[1, 2]])
    writer.add(np.array([65536, 0], np.uint32))
    (data,) = data_files(tmp_path, fmt) if writer.close() else []
    assert SPEC_READERS[fmt](data) == [[65536, 0]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_arguments_are_checked(fmt, tmp_path):
    for name in ("", "a/b", ".hidden"):
        with pytest.raises(ValueError):
            open_writer(fmt, tmp_path, name, 300, 10)
    for bound in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            open_writer(fmt, tmp_path, "a", 300, bound)
    with pytest.raises(ValueError):
        open_writer("parquet", tmp_path, "a", 300, 10)


def test_megatron_keeps_empty_documents_as_zero_length_sequences(tmp_path):
    write("megatron", tmp_path, [[], [5, 6], [], []], 300, 100)
    (data,) = data_files(tmp_path, "megatron")
    idx = data.with_suffix(".idx").read_bytes()
    assert struct.unpack_from("<4i4q", idx, 34) == (0, 2, 0, 0, 0, 0, 4, 4)  # lengths, then pointers
    assert spec_megatron(data) == [[], [5, 6], [], []]
    # a set of empty documents only is not written: Megatron cannot mmap an empty .bin
    assert write("megatron", tmp_path / "none", [[], []], 300, 100) == []
    assert not list((tmp_path / "none").iterdir())
    assert write("megatron", tmp_path / "zero", [], 300, 100) == []


def test_datatrove_refuses_empty_documents(tmp_path):
    writer = open_writer("datatrove", tmp_path, "e", 300, 100)
    with pytest.raises(ValueError, match="empty"):
        writer.add([])
    with pytest.raises(ValueError, match=r"'\|'"):
        open_writer("datatrove", tmp_path, "e", 300, 100, tokenizer_name="a|b")


def test_datatrove_metadata_text(tmp_path):
    write("datatrove", tmp_path, [[1, 2, 3]] * 500, 70000, 10**6)
    assert (tmp_path / "t-00000.ds.metadata").read_text() == "gpt2|4\n1500\n1.50 kT"
    writer = open_writer("datatrove", tmp_path, "u", 300, 10**6)
    writer.add([1])
    writer.close()
    assert (tmp_path / "u-00000.ds.metadata").read_text() == "Unknown Tokenizer|2\n1\n1.00 T"


@pytest.mark.parametrize("fmt", FORMATS)
def test_readers_refuse_a_truncated_or_foreign_set(fmt, tmp_path):
    write(fmt, tmp_path, [[1, 2, 3], [4]], 300, 100)
    (data,) = data_files(tmp_path, fmt)
    stem = tmp_path / "t-00000"
    for path in (data, stem, Path(f"{stem}{'.ds.index' if fmt == 'datatrove' else '.idx'}")):
        assert [a.tolist() for a in read_documents(path)] == [[1, 2, 3], [4]]
    data.write_bytes(data.read_bytes()[:-2])
    with pytest.raises(ValueError):
        read_documents(data)
    with pytest.raises(FileNotFoundError):
        read_documents(tmp_path / "missing")
    if fmt == "megatron":
        data.with_suffix(".idx").write_bytes(b"NOTMMIDX" + bytes(40))
        with pytest.raises(ValueError):
            read_documents(data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_data_files_in_set_order(fmt, tmp_path):
    suffix = formats.DATA_SUFFIX[fmt]
    for stem in ("x-00002", "x-100000", "x-99999", "a", ".x-00003"):
        (tmp_path / f"{stem}{suffix}").touch()
    (tmp_path / f"x-00004{suffix}.tmp").touch()
    assert [p.name for p in data_files(tmp_path, fmt)] == [
        f"{s}{suffix}" for s in ("a", "x-00002", "x-99999", "x-100000")
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.integers(0, 10**6), st.integers(0, 10**29), st.sampled_from([999_500, 99_950, 10**18 - 1]))
)
def test_metric_tokens_matches_humanize(count):
    humanize = pytest.importorskip("humanize")
    assert formats.metric_tokens(count) == humanize.metric(count, unit="T")


# --- datatrove's own code --------------------------------------------------------------------------


@DATATROVE_SETTINGS
@given(corpus=corpora(empty_documents=False))
def test_datatrove_writers_produce_the_same_bytes(corpus):
    pytest.importorskip("datatrove")
    from datatrove.pipeline.tokens.megatron_tokenizer import MegatronTokenizedFile
    from datatrove.pipeline.tokens.tokenizer import TokenizedFile

    vocab, docs, _ = corpus
    if not docs:
        return
    size = 2 if vocab <= 65536 else 4
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp, "ours"), Path(tmp, "theirs")
        for fmt in FORMATS:
            write(fmt, ours, docs, vocab, 10**9)
        reference = TokenizedFile(
            str(theirs), "r.ds", tokenizer_name_or_path="gpt2", save_final_metadata=True, token_size=size
        )
        megatron = MegatronTokenizedFile(str(theirs), "r", token_size=size)
        for doc in docs:
            reference.write(doc, None)
            megatron.write(doc)
        reference.close()
        megatron.close()
        for suffix in (".ds", ".ds.index", ".ds.metadata", ".bin", ".idx"):
            assert (ours / f"t-00000{suffix}").read_bytes() == (theirs / f"r{suffix}").read_bytes(), suffix


def expected_windows(per_set: list[list[list[int]]], seq_len: int) -> list[tuple[list[int], list[int]]]:
    """datatrove's windows: seq_len + 1 tokens, never across files, positions restarting at each
    document start and at the window's start."""
    windows = []
    for docs in per_set:
        tokens = [t for d in docs for t in d]
        starts = set(np.cumsum([0, *map(len, docs)]).tolist())
        for lo in range(0, len(tokens) - seq_len, seq_len + 1):
            positions, position = [], 0
            for j in range(lo, lo + seq_len + 1):
                position = 0 if j in starts or j == lo else position + 1
                positions.append(position)
            windows.append((tokens[lo : lo + seq_len + 1], positions))
    return windows


@DATATROVE_SETTINGS
@given(corpus=corpora(empty_documents=False), seq_len=st.integers(1, 9))
def test_datatrove_datasets_read_our_files(corpus, seq_len):
    pytest.importorskip("datatrove")
    pytest.importorskip("torch")
    from datatrove.utils.dataset import DatatroveFileDataset, DatatroveFolderDataset

    vocab, docs, bound = corpus
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write("datatrove", folder, docs, vocab, bound)
        files = data_files(folder, "datatrove")
        if not files:
            return
        size = 2 if vocab <= 65536 else 4
        per_set = [spec_datatrove(f) for f in files]
        expected = expected_windows(per_set, seq_len)
        dataset = DatatroveFolderDataset(str(folder), seq_len, token_size=size, return_positions=True)
        got = [dataset[i] for i in range(len(dataset))]
        assert [(g["input_ids"].tolist(), g["positions"].tolist()) for g in got] == expected
        single = DatatroveFileDataset(str(files[0]), seq_len, token_size=size)
        assert [single[i]["input_ids"].tolist() for i in range(len(single))] == [
            w for w, _ in expected_windows(per_set[:1], seq_len)
        ]


@pytest.mark.parametrize("vocab", [300, 70000])
def test_datatrove_merger_reads_our_index_and_token_size(vocab, tmp_path):
    pytest.importorskip("datatrove")
    from datatrove.pipeline.tokens.merger import DocumentTokenizerMerger, get_data_reader, load_doc_ends

    rng = np.random.default_rng(vocab)
    docs = [rng.integers(0, vocab, rng.integers(1, 9)).tolist() for _ in range(60)]
    write("datatrove", tmp_path / "in", docs, vocab, 64)
    size = 2 if vocab <= 65536 else 4
    read_back = []
    for f in data_files(tmp_path / "in", "datatrove"):
        with Path(f"{f}.index").open("rb") as index, f.open("rb") as data:
            ends = load_doc_ends(index)
            read_back += [
                np.frombuffer(chunk, f"<u{size}").tolist() for chunk in get_data_reader(data, ends, size)
            ]
    assert read_back == docs
    merger = DocumentTokenizerMerger(
        str(tmp_path / "in"), str(tmp_path / "out"), "m", shuffle=False, progress=False
    )
    merger.run()
    assert spec_datatrove(tmp_path / "out" / "000_m.ds") == docs
