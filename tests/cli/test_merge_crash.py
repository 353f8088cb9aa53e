"""`diskimg merge` killed at many points: every result is the old parent, the merged parent,
or one that `check` reports and a second merge finishes — never a parent that check
accepts while it reads as a mix of old and new blocks. The kill is real: strace stops the
process with SIGKILL at its Nth pwrite, before that write happens. The parent is read back
by qemu-img, not by diskimg."""
import os
import shutil
import subprocess

import pytest

from conftest import DISKIMG, VHD_TOOL, run

KiB = 1 << 10
MiB = 1 << 20
BLOCK = 512 * KiB
BLOCKS = 48

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")


def pattern(length, seed):
    return bytes((i * 131 + seed) % 251 + 1 for i in range(251)) * (length // 251) + bytes(length % 251)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """A dynamic parent with data in its first 32 blocks (the rest unallocated) and a
    differencing child that changes whole blocks, parts of blocks (sectors, so its bitmaps
    are partial) and blocks the parent lacks (the merge allocates them)."""
    work = tmp_path_factory.mktemp("merge")
    old = bytearray(BLOCKS * BLOCK)
    for block in range(32):
        old[block * BLOCK:(block + 1) * BLOCK] = pattern(BLOCK, block)
    delta = bytearray(len(old))
    changes = [(block * BLOCK, BLOCK) for block in (1, 5, 9, 30)]                 # whole blocks
    changes += [(block * BLOCK + 64 * KiB, 64 * KiB) for block in (2, 3, 17, 31)]  # parts
    changes += [(block * BLOCK, BLOCK) for block in (33, 40, 47)]                 # new to the parent
    changes += [(36 * BLOCK + 128 * KiB, 64 * KiB)]
    new = bytearray(old)
    for number, (offset, length) in enumerate(changes):
        data = pattern(length, 100 + number)
        delta[offset:offset + length] = data
        new[offset:offset + length] = data
    (work / "old.raw").write_bytes(old)
    (work / "delta.raw").write_bytes(delta)
    subprocess.run([VHD_TOOL, "fill", work / "base.vhd", work / "old.raw", "dynamic", str(BLOCK)], check=True)
    subprocess.run([VHD_TOOL, "fill", work / "child.vhd", work / "delta.raw", work / "base.vhd"], check=True)
    return work, bytes(old), bytes(new)


def fresh_copy(pair, name):
    work, _, _ = pair
    directory = work / name
    directory.mkdir()
    for file in ("base.vhd", "child.vhd"):
        shutil.copyfile(work / file, directory / file)
    return directory


# LeakSanitizer cannot run under ptrace: in the sanitized build it is off for straced runs.
STRACED = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")


def merge_killed_at(directory, write):
    """diskimg merge, killed by SIGKILL at its `write`th pwrite (1-based); returns its exit."""
    command = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64",
               "-e", f"inject=pwrite64:signal=KILL:when={write}", DISKIMG, "merge", directory / "child.vhd"]
    return subprocess.run(command, capture_output=True, env=STRACED).returncode


def parent_bytes(directory):
    out = directory / "parent.raw"
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", directory / "base.vhd", out], check=True)
    data = out.read_bytes()
    out.unlink()
    return data


@pytest.fixture(scope="module")
def total(pair):
    """How many pwrite calls a whole merge makes."""
    directory = fresh_copy(pair, "count")
    log = directory / "strace.log"
    subprocess.run(["strace", "-f", "-qq", "-o", log, "-e", "trace=pwrite64", DISKIMG, "merge",
                    directory / "child.vhd"], check=True, capture_output=True, env=STRACED)
    writes = sum(1 for line in log.read_text().splitlines() if "pwrite64(" in line)
    assert parent_bytes(directory) == pair[2]
    return writes


def test_merge_killed_anywhere_leaves_old_merged_or_reported(pair, total):
    _, old, new = pair
    assert total > 20
    points = sorted(set(range(1, 8)) | set(range(total - 6, total + 1)) |
                    set(range(1, total + 1, max(1, total // 50))))
    outcomes = {"old": 0, "merged": 0, "reported": 0}
    for point in points:
        directory = fresh_copy(pair, f"kill-{point}")
        assert merge_killed_at(directory, point) != 0, f"merge was not killed at write {point}"
        check = run("check", directory / "base.vhd", check=False)
        if check.returncode == 0:
            content = parent_bytes(directory)
            assert content in (old, new), f"killed at write {point} of {total}: check accepts a mixed parent"
            outcomes["old" if content == old else "merged"] += 1
            if content == old:
                assert (directory / "child.vhd").exists()
        else:
            outcomes["reported"] += 1
            assert (directory / "child.vhd").exists(), f"write {point}: a reported parent without its child"
            run("merge", directory / "child.vhd")  # finishes it
            assert run("check", directory / "base.vhd", check=False).returncode == 0
            assert parent_bytes(directory) == new, f"killed at write {point}: the second merge did not finish it"
            assert not (directory / "child.vhd").exists()
        shutil.rmtree(directory)
    print(f"{len(points)} kills of {total} writes: {outcomes}")
    assert outcomes["old"] > 0 and outcomes["reported"] > 0, outcomes


def test_an_interrupted_merge_is_refused_on_its_own_but_reads_through_the_child(pair, total):
    _, old, new = pair
    directory = fresh_copy(pair, "interrupted")
    merge_killed_at(directory, total // 2)
    # The parent alone: reported and refused, saying what to do; through the child: right.
    result = run("inspect", directory / "base.vhd", check=False)
    assert result.returncode == 1 and "merge" in result.stderr and "interrupted" in result.stderr
    assert "interrupted" in run("check", directory / "base.vhd", check=False).stdout
    dumped = directory / "chain.raw"
    subprocess.run([VHD_TOOL, "dump", directory / "child.vhd", dumped], check=True)
    assert dumped.read_bytes() == new
