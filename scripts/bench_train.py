"""Training throughput for scripts/bench.py: tokens/s of curate's training step and model FLOPs
utilization (MFU) against the matrix-multiply peak measured on the same device in the same run
(and, on a GPU with a known datasheet, against that too).

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

# name -> (layers, d_model, heads, d_ff, context, vocab, batch size)
PRESETS = {
    "tiny (the default model)": (4, 128, 4, 512, 128, 4096, 16),
    "small": (6, 384, 6, 1536, 256, 8192, 16),
    "gpt2-124M": (12, 768, 12, 3072, 1024, 50304, 16),
}
CPU_PRESETS = ("tiny (the default model)", "small")
# Dense bf16 tensor-core peaks from the vendors' datasheets (FLOP/s), for a second MFU column.
DATASHEET_BF16 = {"H100": 989e12, "H200": 989e12, "A100": 312e12, "L4": 121e12, "A10": 125e12}


def measured_matmul_peak(device: str, dtype_name: str, size: int = 4096, repeat: int = 10) -> float:
    """FLOP/s of a large square matrix product, the best a model's matrix products could reach here."""
    import torch

    dtype = getattr(torch, dtype_name)
    if device == "cpu":
        size = 2048
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    best = float("inf")
    for _ in range(repeat + 2):
        _sync(device)
        started = time.perf_counter()
        (a @ b).sum().item()
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best


def _sync(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def measure_training(preset: str, device: str, precision: str, steps: int, workdir: Path) -> dict[str, Any]:
    import numpy as np
    import torch

    from curate.config import ModelConfig, PretrainConfig
    from curate.train.budget import flops_per_token
    from curate.train.trainer import TokenData, Trainer

    layers, d_model, heads, d_ff, context, vocab, batch = PRESETS[preset]
    model = ModelConfig(
        layers=layers, d_model=d_model, heads=heads, d_ff=d_ff, context=context, vocab_size=vocab
    )
    # threads=0: torch's own thread count, as the README's numbers were measured (curate's default is
    # 1 thread, the better worst case on a shared 2-core machine; see its threads table)
    config = PretrainConfig(
        steps=10_000, batch_size=batch, device=device, precision=precision, warmup_steps=0, threads=0
    )
    # Throughput does not depend on the text: random token ids, enough for the steps measured.
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, vocab, size=(steps + 5) * batch * context + 1, dtype=np.int32)
    trainer = Trainer(workdir, TokenData(tokens, tokens[: 2 * context + 1], vocab), model, config)
    for _ in range(3):  # warm-up: allocator, kernels
        trainer.train_step()
    _sync(device)
    started = time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    _sync(device)
    seconds = time.perf_counter() - started
    tokens_per_s = steps * batch * context / seconds
    model_flops = flops_per_token(model, trainer.params) * tokens_per_s
    memory = torch.cuda.max_memory_allocated() / 1e6 if device.startswith("cuda") else None
    return {
        "preset": preset,
        "params": trainer.params,
        "batch": batch,
        "context": context,
        "precision": "bf16" if trainer.dtype else "fp32",
        "tokens_per_s": tokens_per_s,
        "model_flops_per_s": model_flops,
        "gpu_peak_mb": memory,
    }


def bench_train(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Pretraining: tokens/s of the training step and model FLOPs utilization on this machine."""
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    name = torch.cuda.get_device_name() if device == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    bf16 = device == "cuda" and torch.cuda.is_bf16_supported()
    peak = measured_matmul_peak(device, "bfloat16" if bf16 else "float32")
    datasheet = next((v for k, v in DATASHEET_BF16.items() if k in name), None) if bf16 else None
    presets = PRESETS if device == "cuda" else CPU_PRESETS
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        rows = [measure_training(p, device, "auto", args.steps, Path(tmp)) for p in presets]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"device: {name}; {args.steps} timed steps per model after 3 warm-up steps; random token ids")
    print(
        f"measured matmul peak: {peak / 1e12:.2f} TFLOP/s ({'bf16' if bf16 else 'fp32'})"
        + (f"; datasheet {datasheet / 1e12:.0f} TFLOP/s" if datasheet else "")
        + "\n"
    )
    header = (
        "| model | params | precision | batch x context | tokens/s | model TFLOP/s | MFU vs measured peak |"
    )
    if datasheet:
        header += " MFU vs datasheet |"
    print(header)
    print("|---|---:|---|---:|---:|---:|---:|" + ("---:|" if datasheet else ""))
    for row in rows:
        line = (
            f"| {row['preset']} | {row['params'] / 1e6:.1f}M | {row['precision']} | "
            f"{row['batch']} x {row['context']} | {row['tokens_per_s']:,.0f} | "
            f"{row['model_flops_per_s'] / 1e12:.3f} | {row['model_flops_per_s'] / peak:.1%} |"
        )
        if datasheet:
            line += f" {row['model_flops_per_s'] / datasheet:.1%} |"
        print(line)
    gpu = max((r["gpu_peak_mb"] or 0) for r in rows)
    print(f"\npeak RSS {rss:,.0f} MB" + (f"; GPU memory peak {gpu:,.0f} MB" if gpu else ""))
    print("MFU counts 6 x params + 12 x layers x d_model x context FLOPs per token (PaLM, appendix B).")
    return {
        "device": name,
        "matmul_peak_flops": peak,
        "datasheet_flops": datasheet,
        "rows": rows,
        "peak_rss_mb": rss,
    }
