"""Benchmarks: corpus scaler and harness (`make bench`)."""
