"""Topic clusters without a trained model: spherical k-means over tf-idf vectors of a sample of the
run's own documents, then a cheap nearest-centroid assignment of every document.

Tokens: the lower-cased prefix (PREFIX_CHARS, what the topic model reads) as runs of letters and
digits; digit-only words and 1-character words are dropped (except in an unspaced script, where one
character can be a word). Han, kana and Thai have no spaces: a run of them (Thai with its vowel and
tone marks) is a token of its own, and one of more than 4 characters becomes its overlapping
character bigrams, so that zh/ja/th text gets features without a segmenter.

Vocabulary: words in at least 2 documents of the sample (1 under 20 documents), so that typos and
names of one page are no feature, and in at most half of them, which drops the stop words of every
language without a stop list (unless that leaves nothing: a sample of duplicates); of those the
`max_vocabulary` of highest document frequency. A document is log(1 + tf) * idf, L2-normalized, so
that cosine similarity is a dot product and a long page weighs as much as a short one.

Clustering: k-means++ seeds, then Lloyd iterations on the unit sphere (a centroid is the normalized
mean of its documents) until no assignment changes, at most 30; an emptied cluster restarts from
the document farthest from its centroid. k is at most a tenth of the documents with a feature, so
that a small sample does not end in clusters of one page. A cluster is named by the 3 words whose
centroid weight most exceeds their mean weight over all centroids (what sets it apart, not what all
clusters share), and numbered by size, c00 the largest. The same texts and seed give the same
clusters in every process: numpy's seeded generator, ties broken by the word, no Python hash().
"""

from __future__ import annotations

import math
import os
import zipfile
from collections import Counter
from collections.abc import Sequence
from functools import cache
from itertools import chain, repeat
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from curate.atomic import write_atomically
from curate.errors import UsageError
from curate.topics.labels import PREFIX_CHARS

UNCLUSTERED = "unclustered"
FORMAT = "curate-topic-clusters"
FORMAT_VERSION = 1
MAX_ITERATIONS = 30
NAME_WORDS = 3
MAX_DOCUMENT_SHARE = 0.5
# With the documents' languages: a word in more than this share of one language's documents (of at
# least MIN_LANGUAGE_DOCUMENTS) is that language's stop word, whatever the published lists miss.
RESTARTS = 2
MAX_LANGUAGE_SHARE = 0.15
MIN_LANGUAGE_DOCUMENTS = 10
MIN_DOCUMENTS_FOR_DF2 = 20
DOCUMENTS_PER_CLUSTER = 10
LONGEST_UNSPACED_WORD = 4  # a longer run of Han/kana/Thai is a phrase: read as bigrams

# Han (with 々), hiragana, katakana (with ー, without the ・ separator) and Thai letters and signs
UNSPACED_RANGES = (
    (0x0E01, 0x0E3A), (0x0E40, 0x0E4E), (0x3005, 0x3005), (0x3041, 0x3096), (0x309D, 0x309F),
    (0x30A1, 0x30FA), (0x30FC, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
    (0x20000, 0x3FFFF),
)  # fmt: skip
# Planes 0-3 hold every letter and digit; above are only tags, variation selectors and private use
TABLE_END = 0x40000
OTHER, SPACED, UNSPACED = 0, 1, 2


@cache
def _kinds() -> np.ndarray:
    """OTHER, SPACED or UNSPACED per code point up to TABLE_END, which is unassigned (OTHER) and
    stands for all above it. SPACED is exactly what the regex `[^\\W_]` matches: str.isalnum."""
    kinds = np.array([chr(c).isalnum() for c in range(TABLE_END + 1)], dtype=np.int8)
    for first, last in UNSPACED_RANGES:
        kinds[first : last + 1] = UNSPACED
    return kinds


def _runs(points: np.ndarray, keep: np.ndarray) -> list[str]:
    """The runs of the kept code points, every other one a space: C-speed split, not a regex."""
    return np.where(keep, points, 32).tobytes().decode("utf-32-le", "surrogatepass").split()


def _tokens(text: str) -> list[str]:
    """The words of the prefix, unfiltered (predict needs no filter: a dropped word is never in the
    vocabulary). Each character is classified by table lookup in numpy, which is about twice as fast
    as a regex over a non-ASCII text."""
    prefix = text[:PREFIX_CHARS].lower()
    points = np.frombuffer(prefix.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    kinds = _kinds().take(points, mode="clip")
    words = _runs(points, kinds == SPACED)
    unspaced = kinds == UNSPACED
    if unspaced.any():
        for run in _runs(points, unspaced):
            if len(run) > LONGEST_UNSPACED_WORD:
                words += [run[i : i + 2] for i in range(len(run) - 1)]
            else:
                words.append(run)
    return words


@cache
def stop_words() -> frozenset[str]:
    """The stop words of the 170 languages with a two-letter code in FineWeb-2's published lists,
    and Gopher's English ones: without them, a multilingual sample clusters by language ("the and
    of", "de la que") before topic. The lists of smaller languages are left out: drawn from Bible
    translations, they hold content words ("god", "law")."""
    from filters.gopher_quality import STOP_WORDS
    from filters.profiles import filter_overrides

    found = {word for words in STOP_WORDS.values() for word in words}
    for lang, overrides in filter_overrides("fineweb2", "gopher_quality").items():
        if len(lang) == 2:
            found.update(overrides.get("stop_words") or ())
    return frozenset(word.lower() for word in found)


def _is_feature_word(token: str) -> bool:
    if len(token) == 1:
        return _kinds()[min(ord(token), TABLE_END)] == UNSPACED
    return not token.isdigit() and token not in stop_words()


class TopicClusters:
    """`predict(texts)` -> one (cluster name, cosine similarity to its centroid) per text, in order;
    a text without a vocabulary word is (UNCLUSTERED, 0.0)."""

    def __init__(
        self,
        vocabulary: list[str],
        idf: np.ndarray,
        centroids: np.ndarray,
        names: list[str],
        sizes: list[int],
    ):
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float32)
        self.centroids = np.asarray(centroids, dtype=np.float32)  # (clusters, vocabulary), unit rows
        self.names = names
        self.sizes = sizes  # documents of the fitting sample per cluster
        self._index = {word: i for i, word in enumerate(vocabulary)}
        self._by_word = np.ascontiguousarray(self.centroids.T)  # sparse @ dense reads it row by row

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        if not len(texts):
            return []
        features = _tfidf([_tokens(text) for text in texts], self._index, self.idf)
        featured = np.diff(features.indptr) > 0
        sims = features @ self._by_word
        best = sims.argmax(axis=1)
        scores = np.clip(sims[np.arange(len(texts)), best], 0.0, 1.0)
        return [
            (self.names[b], round(s, 4)) if known else (UNCLUSTERED, 0.0)
            for b, s, known in zip(best.tolist(), scores.tolist(), featured.tolist())
        ]

    def save(self, path: str | os.PathLike) -> None:
        """Write to `path` atomically (curate.atomic): a reader sees the old file or the whole new one."""
        arrays = {
            "format": np.array(FORMAT),
            "format_version": np.array(FORMAT_VERSION),
            "vocabulary": np.array(self.vocabulary, dtype=np.str_),
            "idf": self.idf,
            "centroids": self.centroids,
            "names": np.array(self.names, dtype=np.str_),
            "sizes": np.array(self.sizes, dtype=np.int64),
        }

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as fh:  # a file object: savez would add ".npz" to a name
                np.savez(fh, **arrays)

        write_atomically(Path(path), write)

    @classmethod
    def load(cls, path: str | os.PathLike) -> TopicClusters:
        """The clusters saved at `path`; a UsageError naming it if there are none."""
        if not Path(path).is_file():
            raise UsageError(f"no such topic clusters file: {path}")
        try:
            data = np.load(path, allow_pickle=False)
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise ValueError("a bare .npy array")
            with data:
                arrays = {key: data[key] for key in data.files}
        except OSError as exc:
            raise UsageError(f"cannot read the topic clusters file {path}: {exc}") from None
        except (ValueError, EOFError, zipfile.BadZipFile):  # numpy's words would speak of pickles
            raise UsageError(f"{path} is not a topic clusters file (no .npz archive of arrays)") from None
        problem = _invalid(arrays)
        if problem:
            raise UsageError(f"{path} is not a topic clusters file: {problem}")
        return cls(
            arrays["vocabulary"].tolist(),
            arrays["idf"],
            arrays["centroids"],
            arrays["names"].tolist(),
            arrays["sizes"].tolist(),
        )


def _invalid(arrays: dict[str, np.ndarray]) -> str | None:
    """What is wrong with the arrays of a clusters file, or None."""
    keys = ("format", "format_version", "vocabulary", "idf", "centroids", "names", "sizes")
    missing = [key for key in keys if key not in arrays]
    if missing:
        return f"no {', '.join(missing)}"
    if arrays["format"].shape != () or str(arrays["format"]) != FORMAT:
        return "no clusters format mark"
    if arrays["format_version"].shape != () or int(arrays["format_version"]) != FORMAT_VERSION:
        return f"format version {arrays['format_version']}, this curate reads {FORMAT_VERSION}"
    vocabulary, idf, centroids = arrays["vocabulary"], arrays["idf"], arrays["centroids"]
    names, sizes = arrays["names"], arrays["sizes"]
    if vocabulary.ndim != 1 or vocabulary.dtype.kind != "U" or not len(vocabulary):
        return "the vocabulary is no list of words"
    if len(set(vocabulary.tolist())) != len(vocabulary):
        return "the vocabulary repeats a word"
    if idf.shape != vocabulary.shape or idf.dtype.kind != "f" or not np.isfinite(idf).all():
        return f"idf of shape {idf.shape} for {len(vocabulary)} words"
    if centroids.ndim != 2 or centroids.shape[1] != len(vocabulary) or not len(centroids):
        return f"centroids of shape {centroids.shape} for {len(vocabulary)} words"
    if centroids.dtype.kind != "f" or not np.isfinite(centroids).all():
        return "centroids that are not finite numbers"
    if names.shape != (len(centroids),) or names.dtype.kind != "U":
        return f"names of shape {names.shape} for {len(centroids)} clusters"
    if sizes.shape != (len(centroids),) or sizes.dtype.kind not in "iu":
        return f"sizes of shape {sizes.shape} for {len(centroids)} clusters"
    return None


def _tfidf(docs: list[list[str]], index: dict[str, int], idf: np.ndarray) -> sp.csr_matrix:
    """Rows of log(1 + tf) * idf, L2-normalized, from each document's tokens (a row without a
    vocabulary word stays empty)."""
    tokens = list(chain.from_iterable(docs))
    # map and fromiter look every token up without a Python loop; -1 marks a word not in the vocabulary
    cols = np.fromiter(map(index.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    rows = np.repeat(np.arange(len(docs)), [len(doc) for doc in docs])
    known = cols >= 0
    shape = (len(docs), len(idf))
    ones = np.ones(int(known.sum()), dtype=np.float32)
    matrix = sp.csr_matrix((ones, (rows[known], cols[known])), shape=shape)
    matrix.sum_duplicates()  # repeats summed into term frequencies, each row sorted by column
    matrix.data = np.log1p(matrix.data) * idf[matrix.indices]
    norms = np.sqrt(np.asarray(matrix.power(2).sum(axis=1)).ravel())
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))  # an empty row has no entry to divide
    return matrix


def fit_clusters(
    texts: Sequence[str],
    k: int = 20,
    seed: int = 0,
    max_vocabulary: int = 20_000,
    languages: Sequence[str] | None = None,
) -> TopicClusters:
    """Fit at most `k` clusters on a sample of documents (the method is in the module doc); with
    each text's language, words common in one language are left out too (MAX_LANGUAGE_SHARE)."""
    return _fit(texts, k, seed, max_vocabulary, languages)[0]


def _fit(
    texts: Sequence[str], k: int, seed: int, max_vocabulary: int, languages: Sequence[str] | None = None
) -> tuple[TopicClusters, list[str]]:
    """The clusters and the cluster name each text got in the fit (UNCLUSTERED without a feature)."""
    if k < 1 or max_vocabulary < 1:
        raise ValueError(f"k and max_vocabulary must be at least 1, not {k} and {max_vocabulary}")
    if not len(texts):
        raise ValueError("no documents to cluster")
    docs = [[token for token in _tokens(text) if _is_feature_word(token)] for text in texts]
    vocabulary, idf = _vocabulary(docs, max_vocabulary, _language_stop_words(docs, languages or []))
    features = _tfidf(docs, {word: i for i, word in enumerate(vocabulary)}, idf)
    featured = np.flatnonzero(np.diff(features.indptr)).tolist()
    features = features[featured].astype(np.float64)
    k = min(k, max(1, len(featured) // DOCUMENTS_PER_CLUSTER))
    centroids, assignment = _spherical_kmeans(features, k, np.random.default_rng(seed))

    sizes = np.bincount(assignment, minlength=len(centroids))
    order = np.argsort(-sizes, kind="stable")  # c00 the largest; equal sizes keep k-means order
    centroids, sizes = centroids[order], sizes[order]
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    names = _names(centroids, vocabulary)
    fitted = [UNCLUSTERED] * len(texts)
    for doc, cluster in zip(featured, rank[assignment].tolist()):
        fitted[doc] = names[cluster]
    clusters = TopicClusters(vocabulary, idf, centroids.astype(np.float32), names, sizes.tolist())
    return clusters, fitted


def _language_stop_words(docs: list[list[str]], languages: Sequence[str]) -> set[str]:
    """Words in more than MAX_LANGUAGE_SHARE of the documents of a language that has at least
    MIN_LANGUAGE_DOCUMENTS of them."""
    by_language: dict[str, list[list[str]]] = {}
    for doc, lang in zip(docs, languages):
        if lang:  # "": language ID failed on it
            by_language.setdefault(lang, []).append(doc)
    common: set[str] = set()
    for group in by_language.values():
        if len(group) >= MIN_LANGUAGE_DOCUMENTS:
            df = Counter(word for doc in group for word in set(doc))
            common.update(word for word, count in df.items() if count > MAX_LANGUAGE_SHARE * len(group))
    return common


def _vocabulary(
    docs: list[list[str]], max_vocabulary: int, excluded: set[str] | frozenset[str] = frozenset()
) -> tuple[list[str], np.ndarray]:
    """The feature words (most frequent first, ties by the word) and their idf; never `excluded`
    unless nothing else is left."""
    n = len(docs)
    df = Counter(word for doc in docs for word in set(doc))
    min_df = 2 if n >= MIN_DOCUMENTS_FOR_DF2 else 1
    common = [(-count, word) for word, count in df.items() if count >= min_df]
    if not common:
        detail = f": none is in {min_df} of the {n} documents" if df else f" in the {n} documents"
        raise ValueError(f"no words to cluster{detail}")
    kept = [e for e in common if -e[0] <= MAX_DOCUMENT_SHARE * n and e[1] not in excluded] or common
    kept = sorted(kept)[:max_vocabulary]
    vocabulary = [word for _, word in kept]
    idf = np.array([math.log((1 + n) / (1 + df[word])) + 1 for word in vocabulary], dtype=np.float32)
    return vocabulary, idf


def _spherical_kmeans(x: sp.csr_matrix, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The best of RESTARTS runs (the highest total similarity of rows to their centroids): one
    k-means++ start can end in a local optimum that splits a topic and merges two others."""
    best, best_score = None, -1.0
    for _ in range(RESTARTS):
        centroids, assignment = _one_kmeans(x, k, rng)
        score = float(np.asarray(x @ centroids.T)[np.arange(x.shape[0]), assignment].sum())
        if score > best_score:
            best, best_score = (centroids, assignment), score
    return best


def _one_kmeans(x: sp.csr_matrix, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Unit centroids (clusters, words) and each row's cluster; fewer than k clusters when the rows
    have fewer distinct directions."""
    centroids = _seeds(x, k, rng)
    assignment = None
    rows = np.arange(x.shape[0])
    for _ in range(MAX_ITERATIONS):
        sims = np.asarray(x @ centroids.T)
        new = sims.argmax(axis=1)
        if assignment is not None and np.array_equal(new, assignment):
            break
        assignment = new
        centroids = _centroids(x, assignment, sims[rows, assignment], len(centroids))
    return centroids, assignment


def _seeds(x: sp.csr_matrix, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++: each next seed drawn with probability proportional to its squared distance from the
    nearest seed so far, which for unit vectors is 2 (1 - cosine)."""
    chosen = [int(rng.integers(x.shape[0]))]
    nearest = np.asarray(x @ x[chosen[0]].T.toarray()).ravel()
    while len(chosen) < k:
        distance = np.clip(1.0 - nearest, 0.0, None)
        distance[nearest > 1 - 1e-6] = 0.0  # a copy of a seed, but for float32 rounding
        total = distance.sum()
        if total == 0:  # every row is a copy of a seed: no more clusters to find
            break
        chosen.append(int(rng.choice(len(distance), p=distance / total)))
        nearest = np.maximum(nearest, np.asarray(x @ x[chosen[-1]].T.toarray()).ravel())
    return x[chosen].toarray()


def _centroids(x: sp.csr_matrix, assignment: np.ndarray, similarity: np.ndarray, k: int) -> np.ndarray:
    """The normalized mean of each cluster's rows. An empty cluster takes the row farthest from its
    centroid (from a cluster it leaves non-empty): `assignment` is changed to match."""
    sizes = np.bincount(assignment, minlength=k)
    farthest = iter(np.argsort(similarity, kind="stable").tolist())
    for empty in np.flatnonzero(sizes == 0).tolist():
        row = next(r for r in farthest if sizes[assignment[r]] > 1)
        sizes[assignment[row]] -= 1
        sizes[empty] += 1
        assignment[row] = empty
    members = sp.csr_matrix(
        (np.ones(len(assignment)), (assignment, np.arange(len(assignment)))), shape=(k, x.shape[0])
    )
    sums = (members @ x).toarray()
    return sums / np.linalg.norm(sums, axis=1, keepdims=True)


def _names(centroids: np.ndarray, vocabulary: list[str]) -> list[str]:
    """`cNN w1 w2 w3`: the words most above their mean weight over all centroids (ties, as with one
    cluster, by the weight itself, then by the vocabulary's order)."""
    distinct = centroids - centroids.mean(axis=0)
    names = []
    for i, (row, weight) in enumerate(zip(distinct, centroids)):
        top = np.lexsort((-weight, -row))[:NAME_WORDS]
        names.append(" ".join([f"c{i:02d}", *(vocabulary[j] for j in top.tolist())]))
    return names
