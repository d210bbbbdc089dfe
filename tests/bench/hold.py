"""Hold files in the OS's page cache for as long as this runs (`make bench-app`).

    python3 tests/bench/hold.py FILE...   prints "held" once every page has been read; ends
                                          when its standard input closes.

Each file is mapped and every page of it touched. A kernel that reclaims file pages left unused
for a while (as DAMON's proactive reclaim does on the machine the benchmarks ran on) leaves
mapped pages alone, so the files stay in memory as on a machine with memory to spare.
"""

import mmap
import sys

held = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        if f.seek(0, 2) == 0:
            continue
        m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    for offset in range(0, len(m), mmap.PAGESIZE):
        m[offset]
    held.append(m)
print("held", flush=True)
sys.stdin.read()
