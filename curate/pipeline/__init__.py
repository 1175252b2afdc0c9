"""The pipeline: one task per input (task.py: its record steps and batches, steps/), the run driver
over all of them (run.py: resumption, dedup, the final shards) and what a worker runs (worker.py)."""
