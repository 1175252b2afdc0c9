"""MinHash signatures: datasketch's conventions, and LSH candidate rates that follow the theory."""

from __future__ import annotations

import datasketch
import numpy as np
import pytest

from curate.dedup.minhash import MinHasher, MinHashParams, bmp_code_table, normalized_code, permutations
from curate.dedup.normalize import normalize_text
from tests.dedup.conftest import LEVELS
from tests.generated import pair_with_jaccard, random_words

PAIRS_PER_LEVEL = 1500


def test_permutations_and_signatures_match_datasketch_default_scheme():
    reference = datasketch.MinHash(num_perm=112, seed=1, hashfunc=lambda x: x)  # the default: affine32
    a, b = permutations(112, 1)
    assert np.array_equal(reference.permutations[0], a) and np.array_equal(reference.permutations[1], b)
    hasher = MinHasher()
    text = "The quick brown fox jumps over the lazy dog, and runs far away from here."
    reference.update_batch([int(h) for h in hasher.shingle_hashes(text)])
    assert np.array_equal(reference.hashvalues.astype(np.uint32), hasher.signatures([text])[0])


def test_normalization_folds_case_digits_diacritics_punctuation():
    assert normalize_text("Crème Brûlée, 2024!  Über-CAFÉ\tno. 7") == "creme brulee 0000 uber cafe no 0"


def test_fineweb_defaults_and_threshold():
    params = MinHashParams()
    assert (params.num_perm, params.bands, params.rows, params.ngram) == (112, 14, 8, 5)
    assert params.threshold == pytest.approx(0.719, abs=1e-3)
    assert params.candidate_probability(0.8) == pytest.approx(0.924, abs=1e-3)


def test_candidate_rate_follows_the_theoretical_curve():
    rng = np.random.default_rng(7)
    hasher = MinHasher()
    params = hasher.params
    for level in LEVELS:
        pairs = [pair_with_jaccard(rng, level) for _ in range(PAIRS_PER_LEVEL)]
        firsts = hasher.band_keys(hasher.signatures([p[0] for p in pairs]))
        seconds = hasher.band_keys(hasher.signatures([p[1] for p in pairs]))
        measured = (firsts == seconds).any(axis=1).mean()
        expected = np.mean([params.candidate_probability(p[2]) for p in pairs])
        assert abs(measured - expected) <= 0.03, f"J={level}: measured {measured:.3f}, theory {expected:.3f}"


def test_identical_texts_share_every_band_and_unrelated_ones_none():
    rng = np.random.default_rng(3)
    hasher = MinHasher()
    text = " ".join(random_words(rng, 300))
    other = " ".join(random_words(rng, 300))
    keys = hasher.band_keys(hasher.signatures([text, text.upper(), other]))
    assert (keys[0] == keys[1]).all()  # normalization: case does not matter
    assert not (keys[0] == keys[2]).any()


def test_empty_and_short_texts_get_a_signature():
    signatures = MinHasher().signatures(["", "two words", "a b c d e f"])
    assert signatures.shape == (3, 112) and signatures.dtype == np.uint32


def test_word_hashes_are_those_of_the_normalized_text(shared_data):
    import gzip
    import json

    from curate.dedup.minhash import _WordHasher

    word_hashes = _WordHasher()
    path = shared_data / "text" / "CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
    with gzip.open(path, "rt") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    texts += ["Crème Brûlée, 2024!", "한국어 텍스트", "emoji 🙂 between words", "ÉCOLE école ecole"]
    for text in texts:
        assert np.array_equal(word_hashes(text), word_hashes(normalize_text(text))), text[:80]
    hashes = word_hashes("ÉCOLE école ecole")
    assert len(set(hashes.tolist())) == 1
    assert len(word_hashes("한국어 텍스트")) == 2


def test_code_point_table_shortcut_equals_the_full_rule_on_the_whole_bmp():
    table = bmp_code_table()
    assert all(table[code] == normalized_code(code) for code in range(0x10000))
