"""VHDX files read through diskimg against independent readers: qemu (qemu-img convert,
info, map and check; it reads and writes dynamic and fixed VHDX and replays logs), libvhdi
(pyvhdi and vhdiinfo; it reads differencing chains) and sfdisk (the GPT inside). The files
are the fixtures of tests/fixtures/vhdx/, made by make_vhdx_fixtures.sh: by qemu-img, by
qemu-io killed before it applied its log, by diskimg's writer (vhd_tool; chains, which qemu
does not write) and by tests/fixtures/vhdx_spec.py, written from [MS-VHDX] alone. Every
expected value comes from one of those tools, the specification or the fixture script's
own bytes, never from diskimg's output."""
import filecmp
import hashlib
import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import FIXTURES, run
from oracles import libvhdi_read

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))
import vhdx_spec  # noqa: E402  (written from the specification, not from diskimg)

pyvhdi = pytest.importorskip("pyvhdi")
MiB = 1 << 20

# qemu-img convert -O vhdx of gpt.raw: (name, subformat, block size)
QEMU_FILES = [("qemu-dynamic-1m-log1m", "dynamic", MiB), ("qemu-dynamic-8m-log4m", "dynamic", 8 * MiB),
              ("qemu-fixed-1m-log4m", "fixed", MiB), ("qemu-fixed-8m-log1m", "fixed", 8 * MiB)]
# each differencing file and its parent, child first
CHAINS = {"tool512": ["tool512-child", "tool512-parent"],
          "tool4096": ["tool4096-child", "tool4096-parent"],
          "spec": ["spec-child", "spec-parent"]}


def recorded_sha256():
    """The sha256 of every fixture as the script made it (vhdx/SHA256SUMS)."""
    sums = {}
    for line in (FIXTURES / "vhdx" / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        sums[name] = digest
    return sums


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def fixture(unpacked):
    """The path of an unpacked fixture, shared between tests (copy it to change it);
    checked against the sha256 the fixture script recorded."""
    def path(name):
        unpacked_path = unpacked(f"vhdx/{name}.gz")
        assert sha256(unpacked_path) == recorded_sha256()[name], f"{name} changed since the script made it"
        return unpacked_path
    return path


def copies(fixture, tmp_path, *names):
    """Fresh copies of fixtures in tmp_path under their own names (children find their
    parents by relative path), for tests that change them."""
    paths = []
    for name in names:
        target = tmp_path / name
        shutil.copyfile(fixture(name), target)
        paths.append(target)
    return paths


def qemu_img(*args, check=True):
    return subprocess.run(["qemu-img", *map(str, args)], capture_output=True, text=True, check=check)


def qemu_info(path):
    return json.loads(qemu_img("info", "--output=json", "-f", "vhdx", path).stdout)


def qemu_raw(path, out):
    qemu_img("convert", "-f", "vhdx", "-O", "raw", path, out)
    return out


def vhdiinfo(path):
    text = subprocess.run(["vhdiinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {"format": re.search(r"Format\s+: (.*)", text).group(1),
            "type": re.search(r"Disk type\s+: (.*)", text).group(1),
            "size": int(re.search(r"Media size\s+:.*\((\d+) bytes\)", text).group(1)),
            "sector_size": int(re.search(r"Bytes per sector\s+: (\d+) bytes", text).group(1))}


def diskimg_raw(path, out):
    """The whole disk as diskimg reads it: every sector, copied into a raw file."""
    run("convert", "--all-sectors", "--format", "raw", path, "-o", out)
    return out


def inspect(path):
    return json.loads(run("inspect", "--json", path).stdout)


# --- files qemu wrote -------------------------------------------------------------------------

@pytest.mark.parametrize("name,subformat,block_size", QEMU_FILES)
def test_files_qemu_wrote_read_as_qemu_reads_them(fixture, tmp_path, name, subformat, block_size):
    """Every byte diskimg reads equals what qemu-img convert -O raw gives, and the raw disk
    the file was made from."""
    path = fixture(f"{name}.vhdx")
    mine = diskimg_raw(path, tmp_path / "diskimg.raw")
    theirs = qemu_raw(path, tmp_path / "qemu.raw")
    assert mine.stat().st_size == qemu_info(path)["virtual-size"]
    assert filecmp.cmp(mine, theirs, shallow=False)
    assert sha256(mine) == recorded_sha256()["gpt.raw"]


@pytest.mark.parametrize("name,subformat,block_size", QEMU_FILES)
def test_inspect_reports_what_qemu_vhdiinfo_and_sfdisk_report(fixture, name, subformat, block_size):
    """Container format and sizes against qemu-img info, vhdiinfo and the options qemu-img
    was given; the GPT inside against what sfdisk --json said of the source disk."""
    path = fixture(f"{name}.vhdx")
    report = inspect(path)
    container = report["container"]
    qemu = qemu_info(path)
    libvhdi = vhdiinfo(path)
    assert libvhdi["format"] == "VHDX (version 2)"
    assert libvhdi["type"] == subformat.capitalize()
    assert container["format"] == f"vhdx-{subformat}"
    assert container["virtual_size"] == qemu["virtual-size"] == libvhdi["size"]
    assert container["block_size"] == qemu["cluster-size"] == block_size
    assert container["log_replayed"] is False
    assert report["sector_size"] == libvhdi["sector_size"] == 512
    assert report["warnings"] == []

    table = json.loads((FIXTURES / "vhdx" / "gpt.sfdisk.json").read_text())["partitiontable"]
    assert report["scheme"] == table["label"] == "gpt"
    assert report["disk_id"].upper() == table["id"]
    expected = [(int(re.search(r"(\d+)$", p["node"]).group(1)), p["start"] * 512, p["size"] * 512,
                 p["type"], p["uuid"], p["name"]) for p in table["partitions"]]
    assert [(p["number"], p["start"], p["size"], p["type"].upper(), p["guid"].upper(), p["name"])
            for p in report["partitions"]] == expected


# qemu-img map is no allocation oracle for VHDX: qemu 7.2's vhdx driver reports no block
# status, so map calls every range data (even of a new file with one block written), and
# diskimg shows which blocks a file holds neither in the tool nor in Python. What is
# allocated is checked through the bytes instead: the whole disk against qemu and libvhdi.


@pytest.mark.parametrize("name", ["qemu-dynamic-1m-log1m", "qemu-fixed-8m-log1m"])
def test_check_finds_nothing_wrong_where_qemu_img_check_finds_nothing(fixture, name):
    path = fixture(f"{name}.vhdx")
    assert "No errors" in qemu_img("check", "-f", "vhdx", path).stdout
    result = run("check", path, check=False)
    assert result.returncode == 0, result.stderr


# --- a log qemu wrote and never applied -------------------------------------------------------

def test_a_log_left_by_qemu_is_replayed_in_memory_as_qemu_img_check_replays_it(fixture, tmp_path):
    """The read-only view equals what qemu reads after `qemu-img check -r all` on a copy
    (now, and as the fixture script recorded it); the file is unchanged; inspect says the
    log was replayed. qemu refusing the file read-only shows it is dirty, and libvhdi (which
    does not replay logs) reading something else shows the log matters."""
    path = fixture("qemu-dirty.vhdx")
    before = sha256(path)
    refused = qemu_img("info", "-f", "vhdx", path, check=False)
    assert refused.returncode != 0 and "qemu-img check -r all" in refused.stderr

    repaired = tmp_path / "repaired.vhdx"
    shutil.copyfile(path, repaired)
    qemu_img("check", "-r", "all", "-f", "vhdx", repaired)
    theirs = qemu_raw(repaired, tmp_path / "qemu.raw")
    assert sha256(theirs) == recorded_sha256()["qemu-dirty.repaired.raw"]

    mine = diskimg_raw(path, tmp_path / "diskimg.raw")
    assert filecmp.cmp(mine, theirs, shallow=False)
    data = mine.read_bytes()
    assert data[2 * MiB:2 * MiB + 4096] == b"\x77" * 4096  # the write the log holds (qemu-io -P 0x77)
    assert data[5 * MiB:5 * MiB + 65536] == b"\x5a" * 65536  # the earlier, clean write
    assert libvhdi_read([path]) != data

    report = inspect(path)
    assert report["container"]["log_replayed"] is True
    assert any("log" in warning for warning in report["warnings"])
    assert sha256(path) == before


# --- differencing chains ------------------------------------------------------------------------

def zero_blocks(child):
    """Byte ranges of a differencing file's blocks in the ZERO state (2.5.1.1: reads of them
    MUST return zeros; libvhdi 20210425 reads the parent there instead)."""
    info = vhdx_spec.read_vhdx(child)
    blocks = -(-info.size // info.block_size)
    return [(block * info.block_size, min(info.size, (block + 1) * info.block_size))
            for block in range(blocks) if info.payload(block)[0] == vhdx_spec.ZERO]


@pytest.mark.parametrize("chain", list(CHAINS))
def test_differencing_chains_read_as_libvhdi_reads_them(fixture, tmp_path, chain):
    """Every byte through the chain against libvhdi (ZERO blocks as zeros, per the spec)."""
    child, parent = copies(fixture, tmp_path, *[f"{name}.vhdx" for name in CHAINS[chain]])
    expected = bytearray(libvhdi_read([child, parent]))
    for start, end in zero_blocks(child):
        expected[start:end] = bytes(end - start)
    mine = diskimg_raw(child, tmp_path / "diskimg.raw").read_bytes()
    assert len(mine) == len(expected)
    assert mine == bytes(expected)
    # the child holds something the parent does not, or the test proves nothing
    assert mine != libvhdi_read([parent])


def test_the_spec_made_child_reads_as_its_bitmaps_say(fixture, tmp_path):
    """What vhdx_spec.py wrote into the child (make_vhdx_fixtures.sh: block 1 full; blocks 3
    and 7 partial, junk 0xEE outside their bitmaps; block 6 ZERO) over what qemu reads of
    the parent."""
    child, parent = copies(fixture, tmp_path, "spec-child.vhdx", "spec-parent.vhdx")
    mine = diskimg_raw(child, tmp_path / "diskimg.raw").read_bytes()
    base = qemu_raw(parent, tmp_path / "parent.raw").read_bytes()
    block = 2 * MiB
    assert mine[block:2 * block] == vhdx_spec.pattern("spec-child full 1", block)
    for sector in range(4096):
        at = 3 * block + sector * 512
        if sector in set(range(8)) | set(range(100, 301)) | {4095}:
            assert mine[at:at + 512] == vhdx_spec.pattern(f"spec-child part 3.{sector}", 512)
        else:
            assert mine[at:at + 512] == base[at:at + 512]
    assert mine[7 * block + 512:7 * block + 1024] == vhdx_spec.pattern("spec-child part 7.1", 512)
    assert mine[7 * block:7 * block + 512] == base[7 * block:7 * block + 512]
    assert not any(mine[6 * block:7 * block]) and any(base[6 * block:7 * block])
    assert mine[:block] == base[:block] and mine[8 * block:] == base[8 * block:]


@pytest.mark.parametrize("chain", list(CHAINS))
def test_inspect_reports_chains_as_vhdiinfo_says(fixture, tmp_path, chain):
    child, parent = copies(fixture, tmp_path, *[f"{name}.vhdx" for name in CHAINS[chain]])
    report = inspect(child)
    libvhdi = vhdiinfo(child)
    assert libvhdi["type"] == "Differential"
    assert report["container"]["format"] == "vhdx-differencing"
    assert report["container"]["virtual_size"] == libvhdi["size"]
    assert report["sector_size"] == libvhdi["sector_size"] == vhdx_spec.read_vhdx(child).logical_sector_size
    assert report["sector_size"] == (4096 if chain == "tool4096" else 512)
    assert [Path(p).name for p in report["container"]["chain"]] == [child.name, parent.name]


def new_data_write(path):
    """What a writer does before its first change of the disk's data (2.2.2.1): the
    non-current header rewritten with the next sequence number and a new DataWriteGuid."""
    info = vhdx_spec.read_vhdx(path)
    h = info.header
    other = vhdx_spec.HEADER_OFFSETS[1 - info.current]
    with open(path, "r+b") as out:
        out.seek(other)
        out.write(vhdx_spec.header(h["sequence"] + 1, uuid.uuid4().bytes_le, uuid.uuid4().bytes_le, h["log_guid"],
                                   h["log_length"], h["log_offset"]))


@pytest.mark.parametrize("chain", list(CHAINS))
def test_a_parent_written_to_after_its_child_was_made_is_an_error_naming_both(fixture, tmp_path, chain):
    """qemu-io writes into the parent, which gives it a new DataWriteGuid (2.2.2: changed on
    the first write that changes what the disk holds); the child's parent_linkage no longer
    names it. libvhdi refuses the pair too."""
    child, parent = copies(fixture, tmp_path, *[f"{name}.vhdx" for name in CHAINS[chain]])
    before = vhdx_spec.read_vhdx(parent).header["data_write"]
    if vhdx_spec.read_vhdx(parent).logical_sector_size == 512:
        subprocess.run(["qemu-io", "-f", "vhdx", "-c", "write -P 0x99 0 4k", str(parent)], check=True,
                       capture_output=True)
    else:  # qemu opens no VHDX of 4096-byte sectors: the header update of 2.2.2.1 by hand
        new_data_write(parent)
    assert vhdx_spec.read_vhdx(parent).header["data_write"] != before
    with pytest.raises(OSError):
        libvhdi_read([child, parent])
    result = run("inspect", child, check=False)
    assert result.returncode == 1
    assert child.name in result.stderr and parent.name in result.stderr
    assert "DataWriteGuid" in result.stderr or "linkage" in result.stderr


# --- diskimg's VHDX output read by qemu -------------------------------------------------------

@pytest.mark.parametrize("fmt,block_size", [("vhdx-dynamic", "1M"), ("vhdx-dynamic", "8M"), ("vhdx-fixed", "1M"),
                                            ("vhdx-dynamic", None)])
def test_a_disk_converted_to_vhdx_is_what_qemu_reads(fixture, tmp_path, fmt, block_size):
    """diskimg convert of the raw GPT disk: qemu-img info gives its exact size, qemu-img
    check finds no errors, qemu-img compare finds it equal to the source."""
    source = fixture("gpt.raw")
    out = tmp_path / "out.vhdx"
    run("convert", "--all-sectors", "--format", fmt, *(["--block-size", block_size] if block_size else []),
        source, "-o", out)
    info = qemu_info(out)
    assert info["virtual-size"] == source.stat().st_size
    if block_size:
        assert info["cluster-size"] == {"1M": MiB, "8M": 8 * MiB}[block_size]
    checked = qemu_img("check", "-f", "vhdx", out, check=False)
    assert checked.returncode == 0 and "No errors" in checked.stdout, checked.stdout + checked.stderr
    compared = qemu_img("compare", "-f", "vhdx", "-F", "raw", out, source, check=False)
    assert compared.returncode == 0, compared.stdout + compared.stderr
    assert vhdiinfo(out)["type"] == ("Fixed" if fmt == "vhdx-fixed" else "Dynamic")


def spec_chain_expected(base):
    """The spec-made chain's bytes as vhdx_spec.py wrote them (see the test above) over
    the parent's bytes `base`."""
    block = 2 * MiB
    expected = bytearray(base)
    expected[block:2 * block] = vhdx_spec.pattern("spec-child full 1", block)
    for sector in set(range(8)) | set(range(100, 301)) | {4095}:
        at = 3 * block + sector * 512
        expected[at:at + 512] = vhdx_spec.pattern(f"spec-child part 3.{sector}", 512)
    expected[7 * block + 512:7 * block + 1024] = vhdx_spec.pattern("spec-child part 7.1", 512)
    expected[6 * block:7 * block] = bytes(block)  # a ZERO block in the child
    return bytes(expected)


def test_merging_the_spec_made_child_gives_its_bytes_zero_block_included(fixture, tmp_path):
    """merge writes every block the child decides into the parent: held ones (full and
    partial) and the one it marks ZERO over parent data, which must read as zeros after."""
    child, parent = copies(fixture, tmp_path, "spec-child.vhdx", "spec-parent.vhdx")
    base = qemu_raw(parent, tmp_path / "parent.raw").read_bytes()
    assert any(base[6 * 2 * MiB:7 * 2 * MiB])
    run("merge", child)
    assert not child.exists()
    assert qemu_raw(parent, tmp_path / "merged.raw").read_bytes() == spec_chain_expected(base)
    assert "No errors" in qemu_img("check", "-f", "vhdx", parent).stdout
