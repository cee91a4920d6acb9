"""The job engine: JobManager (jobs.py) and what a page sees of a job (status.py, watchers.py), worker processes (worker.py), train-once (runner.py), the model cache (cache.py, legacy.py)."""
