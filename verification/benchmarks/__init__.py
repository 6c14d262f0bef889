"""Scripts that print figures (throughput, latency, import rows/s); small sizes in CI."""
