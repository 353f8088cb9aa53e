#!/usr/bin/python3
"""Benchmark (not a test): what the kernel's copy out of the page cache costs into a buffer
at each offset from a page boundary. malloc puts every block of 128 KiB or more 16 bytes
past a page; lib/core/io_bytes.hpp makes diskimg's large buffers page-aligned because of
what this measures.

    tests/bench/page_alignment.py FILE [MiB]   (FILE in the page cache: it is read once first)
"""
import mmap
import os
import sys
import time

path = sys.argv[1]
total = int(sys.argv[2]) << 20 if len(sys.argv) > 2 else 100 << 20
fd = os.open(path, os.O_RDONLY)
total = min(total, os.fstat(fd).st_size)
area = mmap.mmap(-1, (4 << 20) + 8192)  # anonymous: page-aligned
view = memoryview(area)


def read_all(piece, skew):
    """Seconds to read `total` bytes in pieces of `piece` into a buffer `skew` bytes past a page."""
    buffer = view[skew:skew + piece]
    start = time.perf_counter()
    for offset in range(0, total, piece):
        os.preadv(fd, [buffer[:min(piece, total - offset)]], offset)
    return time.perf_counter() - start


read_all(4 << 20, 0)  # into the page cache, and the buffer's pages touched
print(f"{total >> 20} MiB of {path}, best of 5 runs (ms)")
print(f"{'piece':>8} " + " ".join(f"{'+' + str(s):>8}" for s in (0, 16, 64, 2048)))
for piece in (96 << 10, 128 << 10, 1 << 20, 4 << 20):
    cells = [min(read_all(piece, skew) for _ in range(5)) * 1000 for skew in (0, 16, 64, 2048)]
    print(f"{piece >> 10:>6}K " + " ".join(f"{c:8.1f}" for c in cells))
