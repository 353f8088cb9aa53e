"""The C++ usage examples of docs/cpp.md (examples/cpp/, built beside the tool), each run on
the bundled sample disk and checked against an independent tool: sfdisk for the layout, The
Sleuth Kit (fls, icat) for files and $Bitmap, qemu-img for the VHDs they write."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import DISKIMG, run
from oracles import fls_entries

EXAMPLES = Path(DISKIMG).parent


def example(name, *args, binary=False):
    path = EXAMPLES / f"diskimg-example-{name}"
    assert path.exists(), f"{path} is not built: build every target (cmake --build BUILD)"
    result = subprocess.run([str(path), *map(str, args)], capture_output=True, text=not binary)
    assert result.returncode == 0, result.stderr
    return result.stdout


def windows_volume(sample):
    volumes = json.loads(run("inspect", "--json", sample).stdout)["volumes"]
    return next(v for v in volumes if v["ntfs"] and v["ntfs"]["label"] == "Windows")


def test_disk_layout_lists_what_sfdisk_reads(sample):
    lines = example("disk_layout", sample).splitlines()
    table = json.loads(subprocess.run(["sfdisk", "--json", str(sample)], capture_output=True, text=True,
                                      check=True).stdout)["partitiontable"]
    assert lines[0].startswith(f"scheme {table['label']}, {sample.stat().st_size} bytes, 512-byte sectors")
    listed = [line.split() for line in lines if line.startswith("partition ")]
    assert [(int(p[3].rstrip(",")), int(p[4])) for p in listed] == \
           [(part["start"] * 512, part["size"] * 512) for part in table["partitions"]]
    assert any(line.startswith("volume ") and " ntfs, " in line for line in lines)


def test_ntfs_files_lists_and_reads_what_tsk_does(sample, tmp_path):
    volume = windows_volume(sample)
    offset = volume["offset"] // 512
    root = {line.split(" ", 4)[3] for line in example("ntfs_files", sample, volume["index"], "/").splitlines()}
    fls = subprocess.run(["fls", "-o", str(offset), str(sample)], capture_output=True, text=True, check=True).stdout
    tsk_root = {line.split(":\t", 1)[1] for line in fls.splitlines() if ":\t" in line}
    assert {name for name in root if not name.startswith("$")} <= tsk_root
    path, record = next((p, r) for p, r, a in fls_entries(sample, offset)
                        if p.endswith(".txt") and ":" not in p)
    data = example("ntfs_files", sample, volume["index"], "/", "/" + path.lstrip("/"), binary=True)
    icat = subprocess.run(["icat", "-o", str(offset), str(sample), str(record)], capture_output=True, check=True).stdout
    assert data == icat and data


def test_used_map_counts_the_bits_of_bitmap_as_icat_reads_it(sample):
    volume = windows_volume(sample)
    lines = example("used_map", sample, volume["index"]).splitlines()
    used, total = int(lines[0].split()[0]), int(lines[0].split()[2])
    bitmap = subprocess.run(["icat", "-o", str(volume["offset"] // 512), str(sample), "6"], capture_output=True,
                            check=True).stdout
    # bits of clusters 0 .. total-1 only: NTFS may set the bits past the last cluster
    assert used == sum((bitmap[c // 8] >> (c % 8)) & 1 for c in range(total))
    assert sum(int(line.split()[1]) for line in lines[1:]) == used


@pytest.mark.parametrize("name", ["out.vhd", "out.vhdx"])
def test_convert_disk_writes_what_qemu_reads_as_the_source_in_use(sample, tmp_path, name):
    output = tmp_path / name
    fmt, size, in_use, file_size = example("convert_disk", sample, output).split()
    assert fmt == ("vhdx-dynamic" if name.endswith("x") else "vhd-dynamic")
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(output)], capture_output=True,
                                     text=True, check=True).stdout)
    assert info["virtual-size"] == int(size) == sample.stat().st_size
    assert int(file_size) == output.stat().st_size < sample.stat().st_size


def test_write_vhd_writes_what_qemu_reads_through_the_chain(tmp_path):
    parent, child = tmp_path / "parent.vhd", tmp_path / "child.vhd"
    assert example("write_vhd", parent, child, "8M", 1 << 20).strip() == "ok"
    raw = tmp_path / "child.raw"
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", str(child), str(raw)], check=True)
    data = raw.read_bytes()
    assert len(data) == 8 << 20
    assert data[1 << 20:(1 << 20) + 18] == b"changed by diskimg"
    assert data.count(0) == len(data) - 18
