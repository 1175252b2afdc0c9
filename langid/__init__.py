"""Language identification (fastText lid.176, per-language thresholds, label codes).

Importable without `curate`'s executors or CLI. The model and stage arrive with issue #3.
"""
