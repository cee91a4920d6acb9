"""Datasets: one module per family, each with a real loader and a built-in offline source."""
