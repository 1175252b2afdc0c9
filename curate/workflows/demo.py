"""The demo: a sample crawl made by curate itself (curate.sample), run through the whole pipeline,
then a tiny GPT trained on its shards and sampled."""

from __future__ import annotations

import shutil
from pathlib import Path

from curate.config import Config, ModelConfig, PretrainConfig
from curate.errors import UsageError
from curate.layout import OutputLayout
from curate.pipeline.run import RunResult, run_pipeline
from curate.sample.crawl import write_demo_crawl
from filters.badwords import BadwordsUnavailableError, find_lists_dir

SAMPLE_NAME = "sample/demo-crawl.warc.gz"


# Small enough to train in seconds on the demo's few kilobytes of text (it will mostly memorize them).
DEMO_MODEL = ModelConfig(layers=2, d_model=64, heads=4, d_ff=256, context=64, vocab_size=512)
DEMO_PROMPTS = ("The ", "Das ", "Le ")
DEMO_STEPS = 120  # past this the model overfits the demo's 4,000 tokens: validation loss rises again


def demo_run(directory: Path, config: Config, show_progress: bool | None = None) -> RunResult:
    """Write the sample crawl under `directory` and run the pipeline on it into `directory/out`."""
    out = directory / "out"
    if directory.exists() and not OutputLayout(out).run_record.exists() and any(directory.iterdir()):
        raise UsageError(f"-o {directory}: directory is not empty and holds no curate demo; choose another")
    shutil.rmtree(out, ignore_errors=True)
    if "badwords" in config.filters.order:
        try:
            find_lists_dir(config.filters.badwords_dir or None)
        except BadwordsUnavailableError as exc:
            # The demo must run offline; a real run stops instead (see `curate run --help`).
            print(f"note: badwords filter left out of the demo: {exc}")
            config.filters.order = [name for name in config.filters.order if name != "badwords"]
    crawl = write_demo_crawl(directory / SAMPLE_NAME)
    print(f"sample crawl: {crawl}")
    return run_pipeline([str(crawl)], out, config, show_progress)


def pretrain_demo(out: Path, model_dir: Path, steps: int, show_progress: bool) -> None:
    """A tiny GPT on the demo's shards, then a greedy, a top-k and a top-p sample."""
    try:
        from curate.train.pretrain import build_trainer, load_model
        from curate.train.sampling import SamplingSettings, generate
    except ImportError as exc:
        print(f"\npretraining left out of the demo ({exc.name} is missing): pip install 'curate[train]'")
        return
    shutil.rmtree(model_dir, ignore_errors=True)
    training = PretrainConfig(steps=steps, batch_size=8, lr=3e-3, warmup_steps=20, eval_every=40)
    print(f"\npretraining a tiny GPT on the shards: {model_dir}")
    summary = build_trainer(out, model_dir, DEMO_MODEL, training).train(show_progress)
    print(
        f"{summary['params']:,} parameters, {summary['training_tokens']:,} tokens "
        f"({summary['epochs']:.0f} epochs over {summary['dataset_tokens']['train']:,}) "
        f"in {summary['seconds']:.1f} s; "
        f"validation loss {summary['initial_val_loss']:.2f} -> {summary['final_val_loss']:.2f}"
    )
    model, tokenizer = load_model(model_dir)
    settings = [
        ("greedy", SamplingSettings(temperature=0, max_tokens=40)),
        ("top-k 20, temperature 0.8", SamplingSettings(temperature=0.8, top_k=20, max_tokens=40)),
        ("top-p 0.9", SamplingSettings(top_p=0.9, max_tokens=40)),
    ]
    for prompt, (name, setting) in zip(DEMO_PROMPTS, settings):
        sample = generate(model, tokenizer, prompt, setting)
        print(f"  [{name}] {prompt + sample.text!r}")
    print(f"more: curate sample {model_dir} --prompt 'The ' --top-p 0.9 --n 3 --logprobs")
