"""diskimg.vhd against qemu-img (an independent writer and reader of VHDs)."""
import io
import json
import os
import subprocess
import sys

import pytest

import diskimg
from conftest import python_environment

SIZE = (300 << 20) + 7 * 512  # whole sectors, not whole blocks


def qemu_info(path):
    return json.loads(subprocess.run(["qemu-img", "info", "-f", "vpc", "--output=json", str(path)],
                                     capture_output=True, text=True, check=True).stdout)


@pytest.mark.parametrize("fmt", ["vhd-dynamic", "vhd-fixed"])
def test_created_disks_have_the_size_qemu_reads(tmp_path, fmt):
    path = tmp_path / "new.vhd"
    diskimg.vhd.create(path, size=SIZE, format=fmt)
    assert qemu_info(path)["virtual-size"] == SIZE
    opened = diskimg.vhd.open(path)
    assert (opened.format, opened.size, opened.creator) == (fmt, SIZE, "win ")
    assert opened.block_size == (2 << 20 if fmt == "vhd-dynamic" else None)
    assert diskimg.vhd.check(path).ok
    with pytest.raises(diskimg.IoError, match="already exists; not overwritten"):
        diskimg.vhd.create(path, size=1 << 20)


def test_a_vhd_written_by_qemu_reads_as_its_raw_source(tmp_path):
    raw = tmp_path / "source.raw"
    data = bytearray(8 << 20)
    for i in range(0, len(data), 4 << 20):  # blocks 0 and 2 (of 2 MiB) with data, 1 and 3 zeros
        data[i:i + 70000] = os.urandom(70000)
    raw.write_bytes(data)
    vhd = tmp_path / "qemu.vhd"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on",
                    str(raw), str(vhd)], check=True)
    opened = diskimg.vhd.open(vhd)
    assert opened.format == "vhd-dynamic" and opened.size == len(data)
    with opened.open() as f:
        assert f.read() == data
    assert [opened.block_allocated(i << 21) for i in range(4)] == [True, False, True, False]


def test_a_differencing_chain_is_read_through_and_merged(tmp_path):
    base = tmp_path / "base.vhd"
    subprocess.run(["qemu-img", "create", "-f", "vpc", "-o", "subformat=dynamic,force_size=on", str(base), "4M"],
                   check=True, capture_output=True)
    subprocess.run(["qemu-io", "-f", "vpc", "-c", "write -P 0x5a 1M 64k", str(base)], check=True, capture_output=True)
    child = tmp_path / "child.vhd"
    diskimg.vhd.create(child, parent=base)
    opened = diskimg.vhd.open(child)
    assert opened.format == "vhd-differencing"
    assert [os.path.realpath(p) for p in opened.chain] == [str(child), str(base)]
    with diskimg.open(child) as disk:
        assert disk.container.format == "vhd-differencing"
        with disk.open() as f:
            f.seek(1 << 20)
            assert f.read(65536) == b"\x5a" * 65536
    diskimg.vhd.merge(child)
    assert not child.exists() and diskimg.vhd.check(base).ok


def test_a_damaged_vhd_is_reported_not_raised(tmp_path):
    path = tmp_path / "bad.vhd"
    diskimg.vhd.create(path, size=4 << 20)
    raw = bytearray(path.read_bytes())
    raw[-512 + 64] ^= 0xFF  # the footer's checksum
    raw[64] ^= 0xFF         # and its copy's
    path.write_bytes(raw)
    report = diskimg.vhd.check(path)
    assert not report and report.problems
    with pytest.raises(diskimg.FormatError):
        diskimg.vhd.open(path)


# --- VHDX -------------------------------------------------------------------------------------

def vhdiinfo(path):
    """vhdiinfo's "key: value" lines (libvhdi: an independent reader of VHDX)."""
    out = subprocess.run(["vhdiinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines()) if v}


def test_a_vhdx_name_makes_a_vhdx_qemu_checks(tmp_path):
    path = tmp_path / "new.vhdx"
    diskimg.vhd.create(path, size=SIZE)
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(path)],
                                     capture_output=True, text=True, check=True).stdout)
    assert (info["format"], info["virtual-size"]) == ("vhdx", SIZE)
    assert subprocess.run(["qemu-img", "check", "-f", "vhdx", str(path)], capture_output=True).returncode == 0
    opened = diskimg.vhd.open(path)
    assert (opened.format, opened.size, opened.sector_size, opened.log_replayed) == ("vhdx-dynamic", SIZE, 512, False)
    assert opened.creator is None and opened.block_size == 32 << 20
    # format= wins over the name.
    diskimg.vhd.create(tmp_path / "plain.vhdx", size=1 << 20, format="vhd-fixed")
    assert diskimg.vhd.open(tmp_path / "plain.vhdx").format == "vhd-fixed"


def test_a_4096_byte_sector_vhdx_is_what_libvhdi_reads(tmp_path):
    path = tmp_path / "4k.vhdx"
    diskimg.vhd.create(path, size=64 << 20, format="vhdx-fixed", block_size=1 << 20, sector_size=4096)
    info = vhdiinfo(path)
    assert info["Format"].startswith("VHDX") and info["Bytes per sector"] == "4096 bytes"
    assert "(67108864 bytes)" in info["Media size"]
    assert diskimg.vhd.open(path).sector_size == 4096
    with pytest.raises(diskimg.UsageError, match="512-byte sectors only"):
        diskimg.vhd.create(tmp_path / "4k.vhd", size=1 << 20, sector_size=4096)


def test_a_vhdx_written_by_qemu_reads_as_its_raw_source_and_a_child_follows_it(tmp_path):
    raw = tmp_path / "source.raw"
    data = bytearray(8 << 20)
    data[1 << 20:(1 << 20) + 70000] = os.urandom(70000)
    data[6 << 20:(6 << 20) + 5000] = os.urandom(5000)
    raw.write_bytes(data)
    base = tmp_path / "qemu.vhdx"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M", str(raw), str(base)],
                   check=True)
    opened = diskimg.vhd.open(base)
    assert (opened.format, opened.size, opened.block_size) == ("vhdx-dynamic", len(data), 1 << 20)
    with opened.open() as f:
        assert f.read() == data
    # A differencing child is a VHDX because its parent is; it reads as the parent.
    child = tmp_path / "child.img"
    diskimg.vhd.create(child, parent=base)
    opened = diskimg.vhd.open(child)
    assert opened.format == "vhdx-differencing"
    assert [os.path.realpath(p) for p in opened.chain] == [str(child), str(base)]
    with opened.open() as f:
        assert f.read() == data


@pytest.mark.parametrize("name,qemu_format", [("disk.vhdx", "vhdx"), ("disk.vhd", "vpc")])
def test_open_for_writing_writes_what_qemu_then_reads(tmp_path, name, qemu_format):
    """vhd.open(path, "r+"): writes at unaligned offsets, read back before and after close,
    and qemu-img (an independent reader) finds the same bytes in the file and no error."""
    path = tmp_path / name
    size = 8 << 20
    diskimg.vhd.create(path, size=size, block_size=1 << 20 if qemu_format == "vhdx" else None)
    expected = bytearray(size)
    pieces = [(0, os.urandom(4096)), ((1 << 20) + 100, os.urandom(70000)), (size - 1000, os.urandom(1000))]
    with diskimg.vhd.open(path, "r+") as f:
        assert isinstance(f, io.RawIOBase) and f.writable() and f.size == size
        for offset, data in pieces:
            f.seek(offset)
            assert f.write(data) == len(data)
            expected[offset:offset + len(data)] = data
        f.seek((1 << 20) + 50)
        assert f.read(200) == bytes(expected[(1 << 20) + 50:(1 << 20) + 250])  # before any flush
        f.seek(size - 10)
        with pytest.raises(diskimg.UsageError, match="runs past the disk"):
            f.write(b"x" * 11)
    assert f.closed
    with pytest.raises(ValueError):
        f.read()
    raw = tmp_path / "raw"
    subprocess.run(["qemu-img", "convert", "-f", qemu_format, "-O", "raw", str(path), str(raw)], check=True)
    assert raw.read_bytes() == expected
    if qemu_format == "vhdx":  # qemu-img has no check for VHD
        assert subprocess.run(["qemu-img", "check", "-f", "vhdx", str(path)], capture_output=True).returncode == 0
    assert diskimg.vhd.check(path).ok
    with diskimg.vhd.open(path).open() as f:
        assert f.read() == expected


def test_writing_into_a_parents_allocated_block_unlinks_its_child(tmp_path):
    """[MS-VHDX] 2.2.2: a new DataWriteGuid before the first change of the disk's data, even
    a write into a block already allocated (no metadata changes, nothing in the log): a
    child made before then no longer opens, and the error names both files."""
    raw = tmp_path / "source.raw"
    raw.write_bytes(os.urandom(4 << 20))
    parent = tmp_path / "parent.vhdx"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M", str(raw), str(parent)],
                   check=True)
    child = tmp_path / "child.vhdx"
    diskimg.vhd.create(child, parent=parent)
    with diskimg.vhd.open(parent, "r+") as f:
        f.seek(1 << 20)
        f.write(b"changed")
    with pytest.raises(diskimg.FormatError) as raised:
        diskimg.vhd.open(child)
    assert str(child) in str(raised.value) and str(parent) in str(raised.value)


def test_a_partial_write_into_a_child_keeps_the_parents_other_sectors(tmp_path):
    """A differencing VHDX written through vhd.open(r+): a sector written alone makes its
    block partially present; the block's other sectors still read from the parent, before
    and after close, and an unaligned write beside it merges with the parent's bytes."""
    raw = tmp_path / "parent.raw"
    parent_data = os.urandom(4 << 20)
    raw.write_bytes(parent_data)
    parent = tmp_path / "parent.vhdx"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M", str(raw), str(parent)],
                   check=True)
    child = tmp_path / "child.vhdx"
    diskimg.vhd.create(child, parent=parent)
    expected = bytearray(parent_data)
    with diskimg.vhd.open(child, "r+") as f:
        f.write(b"\x11" * 512)
        expected[0:512] = b"\x11" * 512
        f.seek(512)
        assert f.read(512) == parent_data[512:1024]
        f.seek(1000)
        f.write(b"\x22" * 10)
        expected[1000:1010] = b"\x22" * 10
        f.seek(0)
        assert f.read(1 << 20) == expected[:1 << 20]
    with diskimg.vhd.open(child).open() as f:
        assert f.read() == expected


@pytest.mark.parametrize("name", ["disk.vhdx", "disk.vhd"])
def test_a_disk_open_for_writing_is_not_written_by_a_second_writer(tmp_path, name):
    """One writer at a time: while vhd.open(r+) holds a disk, another opening for writing
    and a merge into it are refused ("in use") and change nothing; once it is closed, both
    work. Without the lock two writers would each allocate blocks at the file's end, over
    each other's."""
    parent = tmp_path / name
    diskimg.vhd.create(parent, size=4 << 20)
    child = tmp_path / ("child" + parent.suffix)
    diskimg.vhd.create(child, parent=parent)
    with diskimg.vhd.open(child, "r+") as f:
        f.write(b"\x33" * 4096)
    before = parent.read_bytes()
    with diskimg.vhd.open(parent, "r+"):  # held, writing nothing: the child stays its child
        with pytest.raises(diskimg.IoError, match="in use"):
            diskimg.vhd.open(parent, "r+")
        with pytest.raises(diskimg.IoError, match="in use"):
            diskimg.vhd.merge(child)
        assert child.exists()
        if parent.suffix == ".vhd":  # a VHDX's opening changes its header (FileWriteGuid)
            assert parent.read_bytes() == before
    diskimg.vhd.merge(child)
    with diskimg.vhd.open(parent).open() as f:
        assert f.read(8192) == b"\x33" * 4096 + bytes(4096)


def test_a_childs_pending_log_is_repaired_without_its_parent(tmp_path):
    """check(repair=True) replays only the file's own log: a differencing VHDX whose writer
    stopped before marking it clean (its log still named) is repaired even while its parent
    is away, and reads right once the parent is back."""
    parent = tmp_path / "parent.vhdx"
    diskimg.vhd.create(parent, size=4 << 20)
    child = tmp_path / "child.vhdx"
    diskimg.vhd.create(child, parent=parent)
    # A writer that committed (flush) and then died without close().
    script = ("import diskimg, os, sys\n"
              "f = diskimg.vhd.open(sys.argv[1], 'r+')\n"
              "f.seek(1 << 20); f.write(b'\\x66' * 8192); f.flush()\n"
              "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script, str(child)], check=True, env=python_environment())
    def pending(report):
        return any("not closed cleanly" in str(problem) for problem in report.problems)
    assert pending(diskimg.vhd.check(child))
    parent.rename(tmp_path / "away.vhdx")
    report = diskimg.vhd.check(child, repair=True)
    assert not pending(report) and not report.ok, report.problems  # replayed; the parent is still away
    (tmp_path / "away.vhdx").rename(parent)
    assert diskimg.vhd.check(child).ok
    with diskimg.vhd.open(child).open() as f:
        f.seek(1 << 20)
        assert f.read(8192 + 512) == b"\x66" * 8192 + bytes(512)


def test_sizes_may_be_given_as_the_command_line_takes_them(tmp_path):
    """size="8M" as --size 8M; a malformed one names the argument, not a command-line flag."""
    path = tmp_path / "sized.vhdx"
    diskimg.vhd.create(path, size="8M", block_size="1M")
    opened = diskimg.vhd.open(path)
    assert (opened.size, opened.block_size) == (8 << 20, 1 << 20)
    with pytest.raises(diskimg.UsageError, match="size") as raised:
        diskimg.vhd.create(tmp_path / "bad.vhd", size="8 furlongs")
    assert "--" not in str(raised.value)
    with pytest.raises(diskimg.UsageError):
        diskimg.vhd.create(tmp_path / "negative.vhd", size=-1)
    options = diskimg.ConvertOptions()
    options.block_size = "2M"
    assert options.block_size == 2 << 20
