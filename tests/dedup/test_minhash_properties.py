"""Property test (hypothesis) over random documents: dedup's MinHash signatures never raise, are
deterministic and shaped, and equal normalized texts share every key."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from curate.dedup.minhash import MinHasher
from curate.dedup.normalize import normalize_text
from tests.random_texts import SETTINGS, TEXTS

HASHER = MinHasher()


@SETTINGS
@given(st.lists(TEXTS, min_size=1, max_size=8))
def test_minhash_signatures_are_deterministic_and_shaped(texts):
    signatures, exact = HASHER.sketch(texts)
    assert signatures.shape == (len(texts), HASHER.params.num_perm) and signatures.dtype == np.uint32
    again, exact_again = HASHER.sketch(list(texts))
    assert np.array_equal(signatures, again) and np.array_equal(exact, exact_again)
    bands = HASHER.band_keys(signatures)
    assert bands.shape == (len(texts), HASHER.params.bands)
    # Equal normalized texts share the exact key and every band (MinHash of identical shingles).
    for i in range(len(texts)):
        for j in range(len(texts)):
            if normalize_text(texts[i]) == normalize_text(texts[j]):
                assert exact[i] == exact[j] and np.array_equal(bands[i], bands[j])
