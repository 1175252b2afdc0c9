"""What composes the pipeline with training: the demo, and the ablation of curation (ablate.py)."""
