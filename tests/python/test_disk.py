"""diskimg.open: layouts and volumes against sfdisk's and blkid's records of the layout
fixtures (tests/fixtures/make_layout_fixtures.sh), and the disk's bytes against the file."""
import hashlib
import json
import re

import pytest

import diskimg
from conftest import FIXTURES

LAYOUT = FIXTURES / "layout"
TABLES = sorted(p.name.removesuffix(".sfdisk.json") for p in LAYOUT.glob("*.sfdisk.json"))


@pytest.mark.parametrize("name", TABLES)
def test_partitions_are_the_ones_sfdisk_reads(name, unpacked):
    table = json.loads((LAYOUT / f"{name}.sfdisk.json").read_text())["partitiontable"]
    sector = table.get("sectorsize", 512)
    with diskimg.open(unpacked(f"layout/{name}.img.gz")) as disk:
        assert disk.scheme == table["label"].replace("dos", "mbr")
        assert disk.sector_size == sector
        if table["label"] == "gpt":
            assert disk.disk_id == table["id"].upper()
        else:
            assert int(disk.disk_id, 16) == int(table["id"], 16)
        theirs = {int(re.search(r"(\d+)$", p["node"]).group(1)): p for p in table["partitions"]}
        ours = {p.number: p for p in disk.partitions}
        assert ours.keys() == theirs.keys()
        for number, p in ours.items():
            assert (p.start, p.size) == (theirs[number]["start"] * sector, theirs[number]["size"] * sector)
            if table["label"] == "gpt":
                assert p.type == theirs[number]["type"].upper()
                assert p.guid == theirs[number]["uuid"].upper()
                assert p.name == theirs[number].get("name", "")
            else:
                assert int(p.type, 16) == int(theirs[number]["type"], 16)
                assert p.guid is None
                assert p.bootable == bool(theirs[number].get("bootable", False))


@pytest.mark.parametrize("name", sorted(p.name.removesuffix(".blkid.txt") for p in LAYOUT.glob("*.blkid.txt")))
def test_volume_file_systems_are_the_ones_blkid_probes(name, unpacked):
    lines = [line.split() for line in (LAYOUT / f"{name}.blkid.txt").read_text().splitlines()]
    expected = {fields[0]: fields[1] for fields in lines} if lines[0][1:] else {"0": lines[0][0]}
    with diskimg.open(unpacked(f"layout/{name}.img.gz")) as disk:
        found = {str(v.partition): v.filesystem for v in disk.volumes if v.partition is not None}
        if disk.scheme == "none":
            found = {"0": disk.volumes[0].filesystem}
    names = {"ntfs": "ntfs", "vfat": "fat", "unknown": "unknown", "exfat": "exfat"}
    for number, kind in expected.items():
        if number in found:
            assert found[number] == names.get(kind, "unknown"), number


def test_the_disk_reads_as_its_file_and_volumes_as_their_slices(sample):
    raw = sample.read_bytes()
    with diskimg.open(sample) as disk:
        assert disk.size == len(raw)
        with disk.open() as whole:
            assert hashlib.sha256(whole.read()).digest() == hashlib.sha256(raw).digest()
        for volume in disk.volumes:
            with volume.open() as f:
                f.seek(volume.size - 4096)
                assert f.read() == raw[volume.offset + volume.size - 4096:volume.offset + volume.size]


def test_a_closed_disk_says_so_and_its_volumes_still_read(sample):
    disk = diskimg.open(str(sample))
    volume = disk.volumes[2]
    disk.close()
    assert disk.closed
    with pytest.raises(ValueError):
        disk.partitions
    assert volume.ntfs().label == "Windows"


def test_several_disks_must_be_one_ldm_disk_group(sample):
    with pytest.raises(diskimg.UsageError, match="no LDM database"):
        diskimg.open([sample, sample])
