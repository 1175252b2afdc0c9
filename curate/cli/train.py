"""`curate pretrain`, `curate sample`, `curate budget` and `curate ablate`.

Everything but `budget` needs the `train` extra (torch, tokenizers, datasets); without it they stop
with one line saying how to install it."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from curate.atomic import strict_dumps
from curate.cli.options import finished_run, language_list, language_weights, output_dir
from curate.config import Config, PretrainConfig, load_config
from curate.errors import UsageError

SUFFIXES = {"K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}


def count(value: str) -> int:
    """A positive count such as 3000000, 3e6, 3M, 1.3B or 60B."""
    text = value.strip().upper().replace("_", "").replace(",", "")
    scale = SUFFIXES.get(text[-1:], 1.0)
    try:
        number = float(text[:-1] if text[-1:] in SUFFIXES else text) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a count like 3e9, 125M or 60B, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value!r}")
    return round(number)


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value!r}")
    return number


def _require_torch() -> None:
    try:
        import tokenizers  # noqa: F401
        import torch  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            f"this command needs the train extra ({exc.name} is missing): pip install 'curate[train]'"
        ) from None


MODEL_OPTIONS = ("layers", "d_model", "heads", "d_ff", "context", "vocab_size")
TRAINING_OPTIONS = (
    *("tokens", "steps", "batch_size", "lr", "val_fraction", "seed", "device", "precision"),
    *("threads", "compile"),
)


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """Model size and optimisation flags; each overrides the [model] / [pretrain] key of --config."""
    parser.add_argument("--config", metavar="TOML", help="[model] and [pretrain] tables (see README)")
    model = parser.add_argument_group(
        "model (default: 4 layers, d_model 128, 4 heads, d_ff 512, context 128)"
    )
    for name in MODEL_OPTIONS:
        model.add_argument(f"--{name.replace('_', '-')}", type=int, metavar="N")
    training = parser.add_argument_group("training")
    training.add_argument(
        "--tokens", type=count, metavar="T", help="training tokens (default: 20 per parameter)"
    )
    training.add_argument("--steps", type=int, metavar="N", help="optimizer steps (overrides --tokens)")
    training.add_argument("--batch-size", type=int, metavar="N", help="sequences per step (16)")
    training.add_argument("--lr", type=float, metavar="LR", help="peak learning rate (1e-3)")
    training.add_argument("--val-fraction", type=float, metavar="F", help="documents held out (0.05)")
    training.add_argument("--seed", type=int, metavar="N", help="seed for weights and batch order (0)")
    training.add_argument("--device", metavar="DEV", help="auto (cuda if present), cpu, cuda, cuda:N, mps")
    training.add_argument("--precision", choices=["auto", "fp32", "bf16"], help="auto: bf16 on a GPU with it")
    training.add_argument("--langs", metavar="CODES", help="train on these languages only, e.g. en,de")
    training.add_argument(
        "--weights", type=language_weights, metavar="MIX", help="mixture, e.g. en=0.7,de=0.3"
    )
    training.add_argument(
        "--threads", type=int, metavar="N", help="CPU threads (1, measured fastest on 2 cores; 0: torch's)"
    )
    training.add_argument(
        "--compile", action="store_true", default=None, help="torch.compile the training step (CUDA only)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def training_config(args: argparse.Namespace) -> Config:
    """--config with the command line's model and training flags applied, validated."""
    config = load_config(args.config)
    for name in MODEL_OPTIONS:
        if getattr(args, name) is not None:
            setattr(config.model, name, getattr(args, name))
    for name in TRAINING_OPTIONS:
        if getattr(args, name) is not None:
            setattr(config.pretrain, name, getattr(args, name))
    if args.langs:
        config.pretrain.langs = language_list(args.langs)
    if args.weights:
        config.pretrain.weights = args.weights
    return config.validate()


def given_settings(args: argparse.Namespace, config: Config) -> dict[str, tuple[str, object]]:
    """The [model] and [pretrain] settings this command line chose, for resume_trainer: by a flag, or
    in --config (where it differs from the default; a default written out cannot be told apart)."""
    defaults = Config()
    given = {}
    for section in ("model", "pretrain"):
        chosen, default = getattr(config, section), getattr(defaults, section)
        for field in dataclasses.fields(chosen):
            key, value = f"{section}.{field.name}", getattr(chosen, field.name)
            if getattr(args, field.name, None) is not None:
                given[key] = (f"--{field.name.replace('_', '-')}", value)
            elif value != getattr(default, field.name):
                given[key] = (f"{key} in --config", value)
    return given


def add_train_parsers(commands: argparse._SubParsersAction) -> None:
    pretrain = commands.add_parser(
        "pretrain",
        help="train a tiny GPT on the shards (CPU, or CUDA when present)",
        description=(
            "Train a byte-level BPE tokenizer and a small decoder-only transformer on the final shards "
            "of a run (read with `datasets`), holding out documents for validation by a hash of their id. "
            "The token budget defaults to Chinchilla's 20 tokens per parameter; a warning says when the "
            "shards are smaller and repeat. Validation scores every language held out (a sample of each "
            "when the split is large) and reports each one's loss. Writes MODEL_DIR/tokenizer.json, "
            "checkpoint.pt (every pretrain.checkpoint_every steps; --resume continues from it exactly, "
            "with the settings stored in it: a flag that would change them is refused, but --device, "
            "--threads, --compile and the eval and checkpoint intervals may) and summary.json."
        ),
    )
    pretrain.add_argument(
        "shards", nargs="?", type=finished_run, metavar="SHARDS", help="a run's output dir or its shards/"
    )
    pretrain.add_argument(
        "-o", "--output", required=True, type=output_dir, metavar="MODEL_DIR", help="model directory"
    )
    pretrain.add_argument(
        "--tokenizer", metavar="JSON", help="use this tokenizer.json instead of training one"
    )
    pretrain.add_argument("--resume", action="store_true", help="continue from MODEL_DIR/checkpoint.pt")
    pretrain.add_argument(
        "--json", action="store_true", help="print the summary as JSON (only it, on stdout)"
    )
    add_training_options(pretrain)

    sample = commands.add_parser(
        "sample",
        help="generate text from a trained model",
        description=(
            "Continue --prompt with a model from `curate pretrain`. Greedy with --temperature 0; "
            "--top-k keeps the k most likely tokens, --top-p the smallest set reaching p. Log-probabilities "
            "are the model's own (temperature 1, untruncated). --n K draws K samples and ranks them by "
            "mean log-probability per token, best first, the token(s) that ended each (end-of-text, or "
            "those completing a --stop string, which are not in the text) counted too: a sample that "
            "ends at once scores its end-of-text token's log-probability."
        ),
    )
    sample.add_argument("model", metavar="MODEL_DIR")
    sample.add_argument("--prompt", default="", help="text to continue (default: a new document)")
    sample.add_argument("--max-tokens", type=int, default=100, metavar="N", help="tokens to generate (100)")
    sample.add_argument("--temperature", type=float, default=1.0, metavar="T", help="0 is greedy (1.0)")
    sample.add_argument("--top-k", type=int, default=0, metavar="K", help="0: no limit")
    sample.add_argument("--top-p", type=float, default=1.0, metavar="P", help="nucleus mass (1.0: no limit)")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument(
        "--stop", action="append", default=[], metavar="TEXT", help="stop at this text (repeatable)"
    )
    sample.add_argument("--logprobs", action="store_true", help="print each token's log-probability")
    sample.add_argument("--n", type=int, default=1, metavar="K", help="draw K samples, best first")
    sample.add_argument("--device", default="auto", help="auto, cpu, cuda, ...")
    sample.add_argument("--json", action="store_true", help="one JSON object per sample")

    budget = commands.add_parser(
        "budget",
        help="Chinchilla planning: parameters <-> tokens, FLOPs, epochs",
        description=(
            "Compute-optimal training (Hoffmann et al. 2022): about 20 tokens per parameter; "
            "training tokens = dataset tokens x epochs; compute about 6 x parameters x tokens FLOPs. "
            "Give --params or --tokens (or both); --dataset-tokens, or --shards with --tokenizer to "
            "count them, adds the epochs and a warning when the data must repeat. --shards counts the "
            "train split `curate pretrain` would train on: its languages and mixture, the documents it "
            "holds out for validation left out (give the same --langs, --weights, --val-fraction or "
            "--config as to pretrain)."
        ),
    )
    budget.add_argument("--params", type=count, metavar="N", help="model parameters, e.g. 3B")
    budget.add_argument("--tokens", type=count, metavar="T", help="training tokens, e.g. 60B")
    budget.add_argument("--dataset-tokens", type=count, metavar="T", help="tokens the data holds")
    budget.add_argument(
        "--shards", type=finished_run, metavar="OUT", help="count the dataset tokens of these shards"
    )
    budget.add_argument(
        "--tokenizer", metavar="JSON", help="tokenizer.json to count with (needs the train extra)"
    )
    budget.add_argument("--config", metavar="TOML", help="with --shards: the [pretrain] table pretrain uses")
    budget.add_argument("--val-fraction", type=float, metavar="F", help="with --shards: held out (0.05)")
    budget.add_argument("--langs", metavar="CODES", help="with --shards: the languages trained on")
    budget.add_argument(
        "--weights", type=language_weights, metavar="MIX", help="with --shards and --tokenizer"
    )
    budget.add_argument("--json", action="store_true")

    ablate = commands.add_parser(
        "ablate",
        help="train on curated vs unfiltered text of the same crawl, compare validation loss",
        description=(
            "Run the pipeline on INPUT twice, once as configured and once keeping every extracted "
            "document (no filters, no dedup), train the same model on the same token budget on each "
            "(default: one pass over the curated text) and score both on held-out curated documents. "
            "Each model is trained with --seeds seeds; the differences are reported with their range "
            "over the seeds. Writes OUT/ablation.json."
        ),
    )
    ablate.add_argument("inputs", nargs="+", metavar="INPUT", help="crawl files, as for `curate run`")
    ablate.add_argument("-o", "--output", required=True, type=output_dir, metavar="OUT")
    ablate.add_argument(
        "--seeds", type=positive_int, default=3, metavar="N", help="seeds per model, from --seed on (3)"
    )
    ablate.add_argument("--json", action="store_true")
    add_training_options(ablate)


def _summary_lines(summary: dict) -> str:
    return (
        f"{summary['params']:,} parameters, {summary['training_tokens']:,} tokens "
        f"({summary['epochs']:.2f} epochs), {summary['seconds']:.1f} s, "
        f"{summary['tokens_per_second']:,.0f} tokens/s "
        f"on {summary['device']} ({summary['precision']})\n"
        f"validation loss {summary['initial_val_loss']:.4f} -> {summary['final_val_loss']:.4f} "
        f"(perplexity {summary['final_val_perplexity']:,.1f})"
        + _by_lang_line(summary["final_val_loss_by_lang"])
    )


def _by_lang_line(by_lang: dict[str, float] | None) -> str:
    if not by_lang or len(by_lang) < 2:
        return ""
    return "\nby language: " + ", ".join(f"{lang} {loss:.4f}" for lang, loss in sorted(by_lang.items()))


def cmd_pretrain(args: argparse.Namespace) -> int:
    _require_torch()
    from curate.train.budget import format_budget, plan
    from curate.train.pretrain import build_trainer, resume_trainer

    config = training_config(args)
    model_dir = Path(args.output)
    if args.resume:
        trainer = resume_trainer(model_dir, given_settings(args, config))
    else:
        shards = Path(args.shards) if args.shards else None
        trainer = build_trainer(shards, model_dir, config.model, config.pretrain, args.tokenizer)
    tokens = trainer.steps * trainer.tokens_per_step
    budget = plan(trainer.params, tokens, dataset_tokens=len(trainer.data.train))
    print(format_budget(budget), file=sys.stderr)
    summary = trainer.train(show_progress=not args.no_progress)
    print(strict_dumps(summary, indent=2) if args.json else _summary_lines(summary))
    print(f"model: {model_dir}  (curate sample {model_dir} --prompt '...')", file=sys.stderr)
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    _require_torch()
    from curate.train.pretrain import load_model
    from curate.train.sampling import SamplingSettings, SettingError, best_of, check_n

    try:  # the API's checks, before the model loads, named by their flags
        check_n(args.n)
        settings = SamplingSettings(
            args.temperature, args.top_k, args.top_p, args.max_tokens, tuple(args.stop), args.seed
        )
    except SettingError as exc:
        flag = "--" + exc.name.replace("_", "-")
        raise UsageError(f"curate sample: {flag} must be {exc.allowed}, got {exc.value!r}") from None
    model, tokenizer = load_model(Path(args.model), args.device)
    samples = best_of(model, tokenizer, args.prompt, settings, args.n)
    for rank, sample in enumerate(samples, 1):
        if args.json:
            print(
                strict_dumps(
                    {
                        "rank": rank,
                        "text": sample.text,
                        "stopped_by": sample.stopped_by,
                        "total_logprob": sample.total_logprob,
                        "mean_logprob": sample.mean_logprob,
                        **(_logprob_fields(sample, tokenizer) if args.logprobs else {}),
                    },
                    indent=None,
                    ensure_ascii=False,
                )
            )
            continue
        if args.n > 1:
            print(f"--- sample {rank} of {args.n} (mean log-probability {sample.mean_logprob:.4f})")
        print(args.prompt + sample.text)
        if args.logprobs:
            fields = _logprob_fields(sample, tokenizer)
            for token, logprob in zip(fields["tokens"], fields["logprobs"]):
                print(f"  {logprob:9.4f}  {token!r}")
            for token, logprob in zip(fields["end_tokens"], fields["end_logprobs"]):
                print(f"  {logprob:9.4f}  {token!r}  (ended it)")
            print(
                f"  total {sample.total_logprob:.4f}, mean {sample.mean_logprob:.4f} over "
                f"{len(sample.logprobs) + len(sample.end_logprobs)} tokens (stopped by {sample.stopped_by})"
            )
    return 0


def _logprob_fields(sample, tokenizer) -> dict:
    """Each token and its log-probability, those that ended the sample apart (end-of-text by name)."""
    end_tokens = [tokenizer.decode([i], skip_special_tokens=False) for i in sample.end_ids]
    return {
        "tokens": sample.tokens,
        "logprobs": sample.logprobs,
        "end_tokens": end_tokens,
        "end_logprobs": sample.end_logprobs,
    }


def _split_settings(args: argparse.Namespace) -> PretrainConfig:
    """--config's [pretrain] table with --val-fraction, --langs and --weights: how pretrain splits and
    mixes the shards."""
    config = load_config(args.config)
    if args.val_fraction is not None:
        config.pretrain.val_fraction = args.val_fraction
    if args.langs:
        config.pretrain.langs = language_list(args.langs)
    if args.weights:
        config.pretrain.weights = args.weights
    return config.validate().pretrain


def _count_train_tokens(shards: str, tokenizer_path: str | None, config: PretrainConfig) -> int:
    """Tokens of the train split `curate pretrain` would train on with `config` (its languages, mixture
    and held-out documents): counted with the tokenizer, else estimated from their bytes."""
    from curate.layout import OutputLayout
    from curate.statistics.tokens import counted_tokens
    from curate.tokenize.job import read_record
    from curate.train.data import chosen_files, id_hash, validation_cutoff
    from curate.train.tokenized import split_tokens

    path = Path(shards)
    if read_record(path) is not None:  # a `curate tokenize` folder: its train split, as pretrain splits it
        if config.weights:
            raise UsageError(
                f"--weights: {path} holds tokens already; mix them with `curate tokenize --weights`"
            )
        return len(split_tokens(path, config.val_fraction, config.langs)[0])
    cutoff = validation_cutoff(path, config.val_fraction, config.langs, config.weights)
    counted = counted_tokens(OutputLayout(path))
    if tokenizer_path is None and counted is not None and not config.weights:
        import polars as pl

        langs = list(chosen_files(path, config.langs))
        rows = pl.read_parquet(counted.documents).filter(pl.col("lang").is_in(langs)).iter_rows()
        print(f"note: tokens counted with {counted.tokenizer} by curate tokenize", file=sys.stderr)
        return sum(tokens for doc_id, _, tokens in rows if id_hash(doc_id) >= cutoff)
    if tokenizer_path is None:
        import polars as pl

        from curate.statistics.tokens import BYTES_PER_TOKEN

        if config.weights:
            raise UsageError("budget: a --weights mixture repeats documents; give --tokenizer to count them")
        files = [f for group in chosen_files(path, config.langs).values() for f in group]
        rows = pl.scan_parquet(files).select("id", pl.col("text").str.len_bytes()).collect().iter_rows()
        size = sum(length for doc_id, length in rows if id_hash(doc_id) >= cutoff)
        print(
            f"note: tokens estimated at {BYTES_PER_TOKEN:g} bytes per token (--tokenizer counts them)",
            file=sys.stderr,
        )
        return round(size / BYTES_PER_TOKEN)
    _require_torch()
    from curate.train.data import iter_documents
    from curate.train.packing import encode_documents
    from curate.train.tokenizer import load_tokenizer

    documents = iter_documents(path, "train", cutoff, config.langs, config.weights, config.seed)
    return len(encode_documents(load_tokenizer(tokenizer_path), documents))


def cmd_budget(args: argparse.Namespace) -> int:
    from curate.train.budget import format_budget, plan

    dataset_tokens = args.dataset_tokens
    if args.shards:
        split = _split_settings(args)
        dataset_tokens = _count_train_tokens(args.shards, args.tokenizer, split)
        print(
            f"note: dataset tokens are those of the train split `curate pretrain` trains on "
            f"({split.val_fraction:g} of the documents held out for validation)",
            file=sys.stderr,
        )
    budget = plan(args.params, args.tokens, dataset_tokens)
    if args.json:
        print(
            strict_dumps(
                {
                    "params": budget.params,
                    "tokens": budget.tokens,
                    "flops": budget.flops,
                    "dataset_tokens": budget.dataset_tokens,
                    "dataset_split": "train" if args.shards else None,
                    "epochs": budget.epochs,
                },
                indent=None,
            )
        )
    else:
        print(format_budget(budget))
    return 0


def cmd_ablate(args: argparse.Namespace) -> int:
    _require_torch()
    from curate.inputs import expand_inputs
    from curate.workflows.ablate import ablate, format_ablation

    config = training_config(args)
    inputs = expand_inputs(args.inputs, config.read.cc_base_url)
    result = ablate(inputs, Path(args.output), config, not args.no_progress, args.seeds)
    print(strict_dumps(result, indent=2) if args.json else format_ablation(result))
    return 0
