"""Benchmarks (``make bench``): measured here, never asserted in tests."""
