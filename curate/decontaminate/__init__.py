"""Benchmark decontamination: documents sharing a word n-gram with benchmark texts the user has on
disk are removed as `decontamination/<benchmark>` (index.py: the index; the batch step is
curate/pipeline/steps/decontaminate.py)."""
