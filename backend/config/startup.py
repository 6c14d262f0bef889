"""What a server process does once its application is loaded, before its first request."""

import gc

from django.urls import get_resolver


def freeze_loaded_objects() -> None:
    """Import every view (Django loads the URLconf lazily, at the first request), then move
    every object loaded so far into the garbage collector's permanent generation.

    Those objects (~176,000 in a web worker: modules, classes, the URLconf, settings) live as
    long as the process, yet every full collection walked them all: 132 ms of CPU on the
    benchmark VM, as many instructions as about 30 cached reads, inside whichever request set
    it off. Frozen, they are
    never walked again; the collector still finds cycles among everything made afterwards.
    Measured with verification/benchmarks/api_cpu.py (docs/benchmarks/api-throughput.md)."""
    get_resolver().url_patterns  # noqa: B018 - the property imports every view
    gc.freeze()
