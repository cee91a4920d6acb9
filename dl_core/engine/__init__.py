"""The job engine: JobManager (jobs.py), worker processes (worker.py), train-once (runner.py), the model cache (cache.py)."""
