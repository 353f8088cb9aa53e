"""diskimg.vhd against qemu-img (an independent writer and reader of VHDs)."""
import json
import os
import subprocess

import pytest

import diskimg

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
