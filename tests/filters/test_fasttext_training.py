"""fastText's training runs in a fresh process: in this one, freed NumPy arrays of NaN on the heap
(dedup's MinHash leaves such) made fastText 0.9.3 stop with "Encountered NaN"."""

from __future__ import annotations

import random

import numpy as np

from filters.fasttext_training import train_supervised


def test_training_succeeds_in_a_process_whose_heap_holds_freed_nan_arrays(tmp_path):
    poison = [np.full(1000, np.nan) for _ in range(10_000)] + [np.full((112, 1 << 16), np.nan)]
    del poison
    rng = random.Random(0)
    words = {"a": "flour oven bake dough", "b": "goal striker match league"}
    rows = [
        f"__label__{label} {' '.join(rng.choices(vocab.split(), k=12))}\n"
        for label, vocab in words.items()
        for _ in range(200)
    ]
    output = tmp_path / "model.bin"
    train_supervised(
        rows,
        output,
        epoch=5,
        lr=0.2,
        dim=16,
        wordNgrams=2,
        minn=3,
        maxn=5,
        bucket=20_000,
        seed=0,
        thread=1,
        verbose=0,
    )

    import fasttext

    labels, _ = fasttext.load_model(str(output)).predict(["oven dough flour", "striker goal league"])
    assert [label[0] for label in labels] == ["__label__a", "__label__b"]
