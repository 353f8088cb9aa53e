"""`diskimg convert` on the bundled sample disk (GPT: EFI FAT, MSR, NTFS, recovery NTFS,
stale bytes in free space), checked with sfdisk, The Sleuth Kit and qemu-img. The fixtures with
random stale data and an MBR disk are in test_convert_fixtures.py."""
import json
import os
import resource
import signal
import stat
import subprocess

import pytest

from conftest import run

def back_to_raw(vhd, tmp_path):
    raw = tmp_path / "back.raw"
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd, raw], check=True)
    return raw


def sfdisk_dump(path):
    text = subprocess.run(["sfdisk", "-d", path], capture_output=True, text=True, check=True).stdout
    return [line.split(":", 1)[-1] for line in text.splitlines() if not line.startswith("device:")]


def fls_icat(image, sector_offset):
    """Every allocated file's record and md5 of its unnamed $DATA, by TSK."""
    listing = subprocess.run(["fls", "-r", "-p", "-o", str(sector_offset), image], capture_output=True,
                             text=True, check=True).stdout
    out = {}
    for line in listing.splitlines():
        kind, rest = line.split(" ", 1)
        if "*" in rest.split("\t")[0] or not kind.startswith("r/r"):
            continue
        address, path = rest.split(":\t", 1)
        data = subprocess.run(["icat", "-o", str(sector_offset), image, address.strip()],
                              capture_output=True).stdout
        out[path] = data
    return out


def test_the_sample_disk_converts_to_a_vhd_that_reads_as_the_source(sample, tmp_path):
    vhd = tmp_path / "sample.vhd"
    summary = json.loads(run("convert", sample, "-o", vhd, "--json").stdout)
    assert summary["virtual_size"] == sample.stat().st_size
    assert summary["file_size"] == vhd.stat().st_size < sample.stat().st_size
    info = json.loads(subprocess.run(["qemu-img", "info", "-f", "vpc", "--output=json", vhd],
                                     capture_output=True, text=True, check=True).stdout)
    assert info["virtual-size"] == sample.stat().st_size
    assert run("check", vhd).returncode == 0
    raw = back_to_raw(vhd, tmp_path)
    assert sfdisk_dump(raw) == sfdisk_dump(sample)
    windows = next(v for v in json.loads(run("inspect", "--json", sample).stdout)["volumes"]
                   if v["ntfs"] and v["ntfs"]["label"] == "Windows")
    offset = windows["offset"] // 512
    assert fls_icat(raw, offset) == fls_icat(sample, offset)


def test_free_ntfs_clusters_are_not_copied(sample, tmp_path):
    vhd = tmp_path / "sample.vhd"
    run("convert", sample, "-o", vhd)
    raw = back_to_raw(vhd, tmp_path)
    report = json.loads(run("inspect", "--json", sample).stdout)
    windows = next(v for v in report["volumes"] if v["ntfs"] and v["ntfs"]["label"] == "Windows")
    used = json.loads(run("usedmap", "--json", "--volume", windows["index"], sample).stdout)
    cluster = used["cluster_size"]
    data = raw.read_bytes()
    source = sample.read_bytes()
    start = windows["offset"]
    used_clusters = set()
    for first, count in used["extents"]:
        used_clusters.update(range(first, first + count))
    stale_seen = 0
    for index in range(used["total_clusters"]):
        piece = data[start + index * cluster:start + (index + 1) * cluster]
        original = source[start + index * cluster:start + (index + 1) * cluster]
        if index in used_clusters:
            assert piece == original
        else:
            assert not any(piece)  # free: zeros, whatever stale bytes the source held
            stale_seen += any(original)
    assert stale_seen > 0  # the sample does hold stale bytes in free clusters


def test_all_sectors_gives_an_identical_disk(sample, tmp_path):
    vhd = tmp_path / "all.vhd"
    run("convert", sample, "-o", vhd, "--all-sectors", "--verify")
    assert subprocess.run(["qemu-img", "compare", "-f", "vpc", "-F", "raw", vhd, sample]).returncode == 0


def test_an_existing_output_is_kept_without_force(sample, tmp_path):
    vhd = tmp_path / "taken.vhd"
    vhd.write_bytes(b"keep me")
    result = run("convert", sample, "-o", vhd, check=False)
    assert result.returncode == 1
    assert vhd.read_bytes() == b"keep me"
    run("convert", sample, "-o", vhd, "--force")
    assert run("check", vhd).returncode == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def convert_with_file_size_limit(sample, vhd, limit):
    """A conversion whose writes fail with EFBIG past `limit` bytes, as on a full disk."""
    def limit_writes():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    from conftest import DISKIMG
    return subprocess.run([DISKIMG, "convert", str(sample), "-o", str(vhd)], capture_output=True,
                          text=True, preexec_fn=limit_writes)


def test_a_failed_write_removes_the_partial_file_and_says_why(sample, tmp_path):
    vhd = tmp_path / "limited.vhd"
    result = convert_with_file_size_limit(sample, vhd, 1 << 20)
    assert result.returncode == 1, result.stderr
    assert "File too large" in result.stderr and "partial file removed" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_removes_the_partial_file_and_says_so(sample, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", full], check=True)
    try:
        result = run("convert", sample, "-o", full / "out.vhd", check=False)
        assert result.returncode == 1, result.stderr
        assert "No space left on device" in result.stderr, result.stderr
        assert "out.vhd was not written (partial file removed)" in result.stderr, result.stderr
        assert list(full.iterdir()) == []
    finally:
        subprocess.run(["umount", full], check=True)


@pytest.mark.parametrize("fmt", ["vhd-fixed", "raw"])
def test_other_formats_read_as_the_dynamic_one(sample, tmp_path, fmt):
    dynamic = tmp_path / "d.vhd"
    other = tmp_path / f"o.{fmt}"
    run("convert", sample, "-o", dynamic)
    run("convert", sample, "-o", other, "--format", fmt)
    qemu_format = "vpc" if fmt == "vhd-fixed" else "raw"
    assert subprocess.run(["qemu-img", "compare", "-f", "vpc", "-F", qemu_format, dynamic, other]).returncode == 0


def test_one_volume_becomes_a_disk_of_its_own(sample, tmp_path):
    report = json.loads(run("inspect", "--json", sample).stdout)
    windows = next(v for v in report["volumes"] if v["ntfs"] and v["ntfs"]["label"] == "Windows")
    vhd = tmp_path / "volume.vhd"
    summary = json.loads(run("convert", sample, "--volume", windows["index"], "-o", vhd, "--json").stdout)
    assert summary["virtual_size"] == (1 << 20) + windows["size"]
    raw = back_to_raw(vhd, tmp_path)
    table = json.loads(subprocess.run(["sfdisk", "--json", raw], capture_output=True, text=True,
                                      check=True).stdout)["partitiontable"]
    assert table["label"] == "dos"
    assert [(p["start"], p["size"], p["type"], p.get("bootable")) for p in table["partitions"]] == [
        (2048, windows["size"] // 512, "7", True)]
    data = raw.read_bytes()
    assert int.from_bytes(data[(1 << 20) + 0x1C:(1 << 20) + 0x20], "little") == 2048  # hidden sectors
    ours = fls_icat(raw, 2048)
    theirs = fls_icat(sample, windows["offset"] // 512)
    # $Boot differs in just the field that had to change
    boot_ours, boot_theirs = bytearray(ours.pop("$Boot")), bytearray(theirs.pop("$Boot"))
    assert boot_ours[:0x1C] + boot_ours[0x20:] == boot_theirs[:0x1C] + boot_theirs[0x20:]
    assert ours == theirs


def sfdisk_json(path):
    return json.loads(subprocess.run(["sfdisk", "--json", path], capture_output=True, text=True,
                                     check=True).stdout)["partitiontable"]


def test_new_disk_ids_for_gpt_keep_the_table_valid(sample, tmp_path):
    vhd = tmp_path / "renamed.vhd"
    run("convert", sample, "-o", vhd, "--new-disk-id")
    raw = back_to_raw(vhd, tmp_path)
    verify = subprocess.run(["sgdisk", "-v", raw], capture_output=True, text=True).stdout
    assert "No problems found" in verify  # both headers and arrays, CRCs and agreement
    old, new = sfdisk_json(sample), sfdisk_json(raw)
    assert new["id"] != old["id"]
    strip = lambda p: {k: v for k, v in p.items() if k not in ("node", "uuid")}
    assert [strip(p) for p in new["partitions"]] == [strip(p) for p in old["partitions"]]
    assert not {p["uuid"] for p in new["partitions"]} & {p["uuid"] for p in old["partitions"]}


def test_a_new_disk_id_for_mbr_is_a_new_signature(unpacked, tmp_path):
    disk = unpacked("layout/mbr-extended.img.gz")
    vhd = tmp_path / "renamed.vhd"
    run("convert", disk, "-o", vhd, "--new-disk-id")
    raw = back_to_raw(vhd, tmp_path)
    old, new = sfdisk_json(disk), sfdisk_json(raw)
    assert new["id"] != old["id"]
    strip = lambda p: {k: v for k, v in p.items() if k != "node"}
    assert [strip(p) for p in new["partitions"]] == [strip(p) for p in old["partitions"]]


def with_umask(mask, *args):
    old = os.umask(mask)
    try:
        return run(*args)
    finally:
        os.umask(old)


def mode_of(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("fmt", ["vhd-dynamic", "vhd-fixed", "raw"])
@pytest.mark.parametrize("bits", [0o600, 0o666])
def test_the_output_has_exactly_the_source_files_permission_bits(tmp_path, fmt, bits):
    # A 0600 disk must not become a 0644 copy; the umask (022 here) takes nothing away.
    source = tmp_path / "source.img"
    source.write_bytes(bytes(range(256)) * 4096)
    source.chmod(bits)
    out = tmp_path / "out"
    with_umask(0o022, "convert", source, "-o", out, "--format", fmt)
    assert mode_of(out) == bits


def test_a_differencing_vhd_has_its_parents_permission_bits(tmp_path):
    parent = tmp_path / "parent.vhd"
    run("create", parent, "--size", "4M")
    parent.chmod(0o640)
    child = tmp_path / "child.vhd"
    with_umask(0o077, "create", child, "--parent", parent)
    assert mode_of(child) == 0o640
