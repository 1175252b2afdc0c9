"""A loader for `curate tokenize`'s folders: fixed windows of context + 1 token ids (inputs and their
next-token targets) over every file set of a folder, in either format, as a torch Dataset.

Windows are cut as datatrove's DatatroveFolderDataset cuts them: from the start of each file set,
non-overlapping, the remainder of a file dropped, file sets in order. The files are mapped, not read:
memory holds the windows asked for. torch is imported only by `torch_dataset` (writing needs none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from curate.tokenize import formats


class TokenWindows:
    """`len()` windows; `[i]` -> window i, an int64 array of context + 1 ids."""

    def __init__(self, folder: Path, context: int):
        if context < 1:
            raise ValueError(f"context must be at least 1 token, not {context}")
        files = [f for fmt in formats.FORMATS for f in formats.data_files(Path(folder), fmt)]
        if not files:
            raise FileNotFoundError(f"{folder}: no .ds or .bin token files (made by `curate tokenize`)")
        self.context = context
        self.streams = [formats.token_stream(path) for path in files]
        counts = [len(stream) // (context + 1) for stream in self.streams]
        self.starts = np.cumsum([0, *counts])

    def __len__(self) -> int:
        return int(self.starts[-1])

    def __getitem__(self, index: int) -> np.ndarray:
        if not 0 <= index < len(self):
            raise IndexError(f"window {index} of {len(self)}")
        file = int(np.searchsorted(self.starts, index, side="right")) - 1
        offset = (index - int(self.starts[file])) * (self.context + 1)
        return np.asarray(self.streams[file][offset : offset + self.context + 1], dtype=np.int64)


def torch_dataset(folder: Path, context: int) -> Any:
    """The windows as a `torch.utils.data.Dataset` of LongTensors."""
    import torch
    from torch.utils.data import Dataset

    windows = TokenWindows(folder, context)

    class Windows(Dataset):
        def __len__(self) -> int:
            return len(windows)

        def __getitem__(self, index: int) -> torch.Tensor:
            return torch.from_numpy(windows[index])

    return Windows()
