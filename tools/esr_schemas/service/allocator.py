"""The C allocator of the server process, told to keep the memory an upload reuses.

Receiving a file, uvicorn and Python allocate a buffer of a few hundred kilobytes for
every read of the socket and free it soon after. Left to its defaults, glibc's
``malloc`` gives such a buffer back to the system as soon as it is freed (it was
mapped on its own, or it topped the heap), and the next read gets fresh pages, each
paid with a page fault and its zeroing: about half of the server's time receiving
a file of 12 MB (``benchmarks/service.py``). Two settings stop that:

- buffers up to :data:`MMAP_THRESHOLD` come from the heap rather than being mapped
  one by one;
- up to :data:`TRIM_THRESHOLD` of free memory at the top of the heap is kept for
  the next buffers rather than given back at once.

The server process then holds at most a few megabytes more between requests. Other
C libraries (musl, macOS) keep their own defaults.
"""

from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""``mallopt`` parameters, from glibc's ``malloc.h``."""
MMAP_THRESHOLD = 1024 * 1024
TRIM_THRESHOLD = 8 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Applies the two settings in this process; whether the allocator took them."""
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):  # not a GNU system
        return False
    if not libc.startswith("glibc"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # mallopt answers 1 when it took the value
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
