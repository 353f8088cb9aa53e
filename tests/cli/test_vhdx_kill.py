"""The VHDX writer killed for real at many points (strace sends SIGKILL at its Nth pwrite,
before that write happens): every file left behind is either refused with an error, not yet
a VHDX (killed before the file identifier, written last), or reads, through diskimg and through qemu after `qemu-img check -r all` on a copy, as the
same bytes, each 64 KiB piece either what was written or zeros, and the written pieces a
prefix of the writes in order: never a piece that reads someone else's bytes. The writer
is tests/tools/vhd_tool (VhdxWriter, committing every 200 metadata sectors and at close).
The in-process version of this test, stopping after every write, is
tests/unit/vhdx_writer_test.cpp."""
import os
import shutil
import subprocess

import pytest

from conftest import DISKIMG, VHD_TOOL

KiB = 1 << 10
MiB = 1 << 20
SIZE = 24 * MiB
PIECE = 64 * KiB

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")

# LeakSanitizer cannot run under ptrace: in the sanitized build it is off for straced runs.
STRACED = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")


def pattern(seed):
    return bytes((i * 7 + seed) % 251 + 1 for i in range(251)) * (PIECE // 251) + bytes([seed]) * (PIECE % 251)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A raw disk with 40 non-zero 64 KiB pieces spread over 24 blocks of 1 MiB."""
    work = tmp_path_factory.mktemp("vhdx-kill")
    data = bytearray(SIZE)
    offsets = sorted({(i * 37 % (SIZE // PIECE)) * PIECE for i in range(40)})
    for number, offset in enumerate(offsets):
        data[offset:offset + PIECE] = pattern(number + 1)
    path = work / "source.raw"
    path.write_bytes(data)
    return work, path, bytes(data), offsets


def fill(source_path, out, kill_at=None):
    command = [VHD_TOOL, "fill", str(out), str(source_path), "dynamic", str(MiB)]
    if kill_at is not None:
        command = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64",
                   "-e", f"inject=pwrite64:signal=KILL:when={kill_at}", *command]
    return subprocess.run(command, capture_output=True, env=STRACED).returncode


def total_writes(work, source_path):
    log = work / "count.log"
    out = work / "count.vhdx"
    subprocess.run(["strace", "-f", "-qq", "-o", str(log), "-e", "trace=pwrite64", VHD_TOOL, "fill", str(out),
                    str(source_path), "dynamic", str(MiB)], check=True, capture_output=True, env=STRACED)
    return sum(1 for line in log.read_text().splitlines() if "pwrite64(" in line)


def diskimg_bytes(path, work):
    raw = work / "diskimg.raw"
    raw.unlink(missing_ok=True)
    result = subprocess.run([DISKIMG, "convert", "--all-sectors", "--format", "raw", str(path), "-o", str(raw)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None, result.stderr
    return raw.read_bytes(), result.stderr


def qemu_bytes(path, work):
    copy = work / "qemu.vhdx"
    shutil.copyfile(path, copy)
    subprocess.run(["qemu-img", "check", "-q", "-r", "all", "-f", "vhdx", str(copy)], capture_output=True)
    raw = work / "qemu.raw"
    raw.unlink(missing_ok=True)
    converted = subprocess.run(["qemu-img", "convert", "-f", "vhdx", "-O", "raw", str(copy), str(raw)],
                               capture_output=True, text=True)
    return (raw.read_bytes() if converted.returncode == 0 else None), converted.stderr


def test_a_killed_vhdx_writer_leaves_a_prefix_of_its_writes_or_an_error(source):
    work, source_path, data, offsets = source
    total = total_writes(work, source_path)
    assert total > 30
    points = sorted(set(range(1, total + 1, max(1, total // 45))) | {total})
    outcomes = {"refused": 0, "not yet a VHDX": 0, "complete": 0, "partial": 0}
    for point in points:
        out = work / f"killed-{point}.vhdx"
        status = fill(source_path, out, kill_at=point)
        assert status != 0, f"the writer was not killed at write {point} of {total}"
        got, stderr = diskimg_bytes(out, work)
        if got is None:
            # What diskimg refuses, it refuses with an error naming the file, not a crash.
            assert "diskimg:" in stderr and str(out) in stderr, stderr
            outcomes["refused"] += 1
            continue
        if len(got) != SIZE:
            # Killed before the file identifier, written last of the new file's structures:
            # not a VHDX, and diskimg reads it as a raw disk of its size.
            assert out.read_bytes()[:8] != b"vhdxfile" and len(got) == out.stat().st_size, f"kill at {point}"
            outcomes["not yet a VHDX"] += 1
            continue
        present = []
        for offset in offsets:
            piece = got[offset:offset + PIECE]
            assert piece in (data[offset:offset + PIECE], bytes(PIECE)), f"kill at {point}: piece {offset:#x} is mixed"
            present.append(piece != bytes(PIECE))
        assert present == sorted(present, reverse=True), f"kill at {point}: written pieces are not a prefix"
        assert all(got[o:o + PIECE] in (data[o:o + PIECE], bytes(PIECE)) for o in range(0, SIZE, PIECE)), \
            f"kill at {point}: bytes where nothing was written"
        qemu, qemu_stderr = qemu_bytes(out, work)
        assert qemu == got, f"kill at {point}: qemu reads other bytes after its repair: {qemu_stderr}"
        outcomes["complete" if all(present) else "partial"] += 1
    # The kills landed everywhere: in the creation, among the blocks, and at the close.
    assert outcomes["partial"] >= 5, outcomes
