"""VHDs written by diskimg against qemu-img, vhdiinfo and libvhdi (pyvhdi); VHDs written by
qemu-img read through diskimg."""
import json
import os
import random
import re
import shutil
import subprocess

import pytest

from conftest import VHD_TOOL, run
from oracles import libvhdi_read

pyvhdi = pytest.importorskip("pyvhdi")
MiB = 1 << 20


def qemu_img(*args):
    return subprocess.run(["qemu-img", *map(str, args)], capture_output=True, text=True)


def qemu_size(path):
    # -f vpc: without it qemu probes a fixed VHD as raw (the footer is at the end).
    info = json.loads(qemu_img("info", "--output=json", "-f", "vpc", path).stdout)
    return info["virtual-size"]


def vhd_tool(*args, check=True):
    return subprocess.run([VHD_TOOL, *map(str, args)], capture_output=True, check=check)


def make_raw(path, size, pieces, seed=1):
    """A raw image of `size` bytes, zero but for random `pieces` [(offset, length)]."""
    rng = random.Random(seed)
    with open(path, "wb") as out:
        out.truncate(size)
        for offset, length in pieces:
            out.seek(offset)
            out.write(rng.randbytes(length))
    return path


@pytest.mark.parametrize("size", ["1M", "100M", "1000000", "3G", "2040G"])
@pytest.mark.parametrize("kind", ["vhd-dynamic", "vhd-fixed"])
def test_created_disks_have_exactly_the_size_asked_for(tmp_path, size, kind):
    if kind == "vhd-fixed" and size == "2040G":
        pytest.skip("a fixed disk of 2040 GiB is a sparse file here, but slow to check")
    path = tmp_path / "new.vhd"
    run("create", path, "--size", size, "--format", kind)
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    expected = int(size[:-1]) * units[size[-1]] if size[-1] in units else int(size)
    expected = (expected + 511) // 512 * 512
    assert qemu_size(path) == expected
    assert re.search(rf"Media size\s+:.*\({expected} bytes\)",
                     subprocess.run(["vhdiinfo", str(path)], capture_output=True, text=True).stdout)
    assert run("check", path).returncode == 0
    if kind == "vhd-dynamic":
        entries = (expected + 2 * MiB - 1) // (2 * MiB)
        # the BAT holds exactly as many entries as the size needs: 1536 + BAT + footer
        assert path.stat().st_size == 1536 + (entries * 4 + 511) // 512 * 512 + 512


def test_dynamic_disks_over_2040_gib_are_refused(tmp_path):
    result = run("create", tmp_path / "big.vhd", "--size", "2041G", check=False)
    assert result.returncode == 2
    assert "2040 GiB" in result.stderr
    assert not (tmp_path / "big.vhd").exists()


def test_an_existing_file_is_never_overwritten(tmp_path):
    path = tmp_path / "taken.vhd"
    path.write_bytes(b"precious")
    result = run("create", path, "--size", "1M", check=False)
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert path.read_bytes() == b"precious"


@pytest.mark.parametrize("kind,block_size", [("dynamic", 2 * MiB), ("dynamic", 512 << 10),
                                             ("fixed", 2 * MiB)])
def test_written_data_reads_back_in_qemu_libvhdi_and_diskimg(tmp_path, kind, block_size):
    raw = make_raw(tmp_path / "disk.raw", 40 * MiB + 3 * 512,
                   [(0, 4096), (3 * MiB + 100, 70000), (20 * MiB, MiB), (40 * MiB, 3 * 512)])
    vhd = tmp_path / "disk.vhd"
    vhd_tool("fill", vhd, raw, kind, block_size)
    assert qemu_img("compare", "-f", "vpc", "-F", "raw", vhd, raw).returncode == 0
    assert libvhdi_read([vhd]) == raw.read_bytes()
    assert vhd_tool("dump", vhd).stdout == raw.read_bytes()
    assert run("check", vhd).returncode == 0
    if kind == "dynamic":
        mapped = json.loads(qemu_img("map", "--output=json", "-f", "vpc", vhd).stdout)
        # data only where data was written: the blocks the pieces touch
        expected = set()
        for offset, length in [(0, 4096), (3 * MiB + 100, 70000), (20 * MiB, MiB), (40 * MiB, 3 * 512)]:
            expected.update(range(offset // block_size, (offset + length - 1) // block_size + 1))
        covered = set()
        for m in mapped:
            if m["data"]:
                covered.update(range(m["start"] // block_size, (m["start"] + m["length"] - 1) // block_size + 1))
        assert covered == expected
        header = 1536 + ((raw.stat().st_size + 511) // 512 * 512 + block_size - 1) // block_size * 4
        bitmap = ((block_size // 512 // 8) + 511) // 512 * 512
        assert vhd.stat().st_size == (header + 511) // 512 * 512 + len(expected) * (bitmap + block_size) + 512


def test_a_differencing_chain_reads_as_libvhdi_reads_it_and_merges(tmp_path):
    size = 16 * MiB
    base_raw = make_raw(tmp_path / "base.raw", size, [(0, MiB), (6 * MiB, 3 * MiB)], seed=2)
    overlay = make_raw(tmp_path / "overlay.raw", size, [(512 * 1024, 65536), (7 * MiB, 131072),
                                                        (12 * MiB, 65536)], seed=3)
    base = tmp_path / "base.vhd"
    child = tmp_path / "child.vhd"
    vhd_tool("fill", base, base_raw, "dynamic")
    vhd_tool("fill", child, overlay, base)
    expected = bytearray(base_raw.read_bytes())
    over = overlay.read_bytes()
    for offset in range(0, size, 65536):
        piece = over[offset:offset + 65536]
        if any(piece):
            expected[offset:offset + 65536] = piece
    assert libvhdi_read([child, base]) == bytes(expected)
    assert vhd_tool("dump", child).stdout == bytes(expected)
    report = json.loads(run("inspect", "--json", child).stdout)
    assert report["container"]["format"] == "vhd-differencing"
    assert [os.path.basename(p) for p in report["container"]["chain"]] == ["child.vhd", "base.vhd"]
    assert run("check", child).returncode == 0

    run("merge", child)
    assert not child.exists()
    assert libvhdi_read([base]) == bytes(expected)
    assert qemu_img("compare", "-f", "vpc", "-F", "raw", base, tmp_path / "base.raw").returncode == 1
    assert run("check", base).returncode == 0


def base_and_child(tmp_path, size):
    """A dynamic base VHD with 4 KiB of data (and its raw source), and an empty child."""
    base_raw = make_raw(tmp_path / "base.raw", size, [(0, 4096)])
    base = tmp_path / "base.vhd"
    vhd_tool("fill", base, base_raw, "dynamic")
    child = tmp_path / "child.vhd"
    run("create", child, "--parent", base)
    return base_raw, base, child


def test_a_replaced_or_resized_parent_is_an_error_naming_both(tmp_path):
    base_raw, base, child = base_and_child(tmp_path, 8 * MiB)
    base.unlink()
    vhd_tool("fill", base, base_raw, "dynamic")  # same bytes, new unique ID
    result = run("inspect", child, check=False)
    assert result.returncode == 1
    assert "child.vhd" in result.stderr and "base.vhd" in result.stderr and "unique ID" in result.stderr
    assert run("check", child, check=False).returncode == 1


def test_a_parent_found_only_by_its_relative_locator(tmp_path):
    base_raw = make_raw(tmp_path / "base.raw", 4 * MiB, [(4096, 4096)])
    (tmp_path / "parents").mkdir()
    base = tmp_path / "parents" / "base.vhd"
    vhd_tool("fill", base, base_raw, "dynamic")
    child = tmp_path / "child.vhd"
    run("create", child, "--parent", base)
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.move(str(tmp_path / "parents"), moved / "parents")
    shutil.move(str(child), moved / "child.vhd")
    # the absolute locator and the parent name now point nowhere; W2ru ".\parents\base.vhd" works
    assert vhd_tool("dump", moved / "child.vhd").stdout == base_raw.read_bytes()


@pytest.mark.parametrize("options", ["subformat=dynamic", "subformat=fixed",
                                     "subformat=dynamic,force_size=on", "subformat=fixed,force_size=on"])
def test_vhds_made_by_qemu_read_identically(tmp_path, options):
    raw = make_raw(tmp_path / "disk.raw", 30 * MiB, [(512, 9000), (5 * MiB, 2 * MiB + 7)], seed=4)
    vhd = tmp_path / "qemu.vhd"
    assert qemu_img("convert", "-f", "raw", "-O", "vpc", "-o", options, raw, vhd).returncode == 0
    data = vhd_tool("dump", vhd).stdout
    assert len(data) == qemu_size(vhd)
    assert qemu_img("compare", "-f", "vpc", "-F", "raw", vhd, raw).returncode == 0
    assert data[:raw.stat().st_size] == raw.read_bytes()
    assert not any(data[raw.stat().st_size:])


def test_a_three_level_chain_reads_as_libvhdi_reads_it(tmp_path):
    size = 8 * MiB
    layers = [make_raw(tmp_path / f"layer{i}.raw", size, [(i * MiB + 4096, 65536 * (i + 1))], seed=10 + i)
              for i in range(3)]
    files = []
    for index, raw in enumerate(layers):
        vhd = tmp_path / f"layer{index}.vhd"
        vhd_tool("fill", vhd, raw, "dynamic" if index == 0 else files[-1])
        files.append(vhd)
    expected = bytearray(size)
    for raw in layers:
        data = raw.read_bytes()
        for offset in range(0, size, 65536):
            if any(data[offset:offset + 65536]):
                expected[offset:offset + 65536] = data[offset:offset + 65536]
    top = files[-1]
    assert libvhdi_read([top, *reversed(files[:-1])]) == bytes(expected)
    assert vhd_tool("dump", top).stdout == bytes(expected)
    report = json.loads(run("inspect", "--json", top).stdout)
    assert [os.path.basename(p) for p in report["container"]["chain"]] == ["layer2.vhd", "layer1.vhd", "layer0.vhd"]


def test_a_parent_timestamp_that_differs_is_only_a_warning(tmp_path):
    base_raw, base, child = base_and_child(tmp_path, 4 * MiB)
    os.utime(base, (1_000_000_000, 1_000_000_000))  # as a copy to another time zone might
    result = run("inspect", child)
    assert "timestamps differ" in result.stderr
    assert vhd_tool("dump", child).stdout == base_raw.read_bytes()


def test_partitions_and_ntfs_read_through_a_vhd(sample, tmp_path):
    vhd = tmp_path / "sample.vhd"
    assert qemu_img("convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on",
                    sample, vhd).returncode == 0
    raw_view = json.loads(run("inspect", "--json", sample).stdout)
    vhd_view = json.loads(run("inspect", "--json", vhd).stdout)
    assert vhd_view["container"]["format"] == "vhd-dynamic"
    assert vhd_view["partitions"] == raw_view["partitions"]
    assert run("ls", "-r", "--json", "--volume", 2, vhd).stdout == run("ls", "-r", "--json", "--volume", 2, sample).stdout
