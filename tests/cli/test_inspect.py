"""`diskimg inspect` against what sfdisk, sgdisk and blkid recorded for the same images."""
import json
import re

import pytest

from conftest import FIXTURES, partition_number, run, run_json

LAYOUT = FIXTURES / "layout"
PARTITIONED = ["mbr-extended", "gpt-windows", "gpt-4k", "gpt-damaged"]


def sfdisk_table(name):
    return json.loads((LAYOUT / f"{name}.sfdisk.json").read_text())["partitiontable"]


def sgdisk_partitions(name):
    """Per partition number: the attribute flags and name that `sgdisk -i` printed."""
    text = (LAYOUT / f"{name}.sgdisk.txt").read_text()
    found = {}
    for block in text.split("=== partition ")[1:]:
        number = int(block.split("\n", 1)[0])
        found[number] = {
            "attributes": int(re.search(r"Attribute flags: ([0-9A-F]+)", block).group(1), 16),
            "name": re.search(r"Partition name: '(.*)'", block).group(1),
            "guid": re.search(r"Partition unique GUID: (\S+)", block).group(1),
        }
    return found


def blkid_types(name):
    types = {}
    for line in (LAYOUT / f"{name}.blkid.txt").read_text().splitlines():
        number, kind = line.split()
        types[int(number)] = "fat" if kind == "vfat" else kind
    return types


@pytest.mark.parametrize("name", PARTITIONED)
def test_partitions_agree_with_sfdisk(name, unpacked):
    table = sfdisk_table(name)
    report = run_json("inspect", unpacked(f"layout/{name}.img.gz"))
    sector = table["sectorsize"]
    assert report["sector_size"] == sector
    assert report["scheme"] == {"dos": "mbr", "gpt": "gpt"}[table["label"]]
    assert report["disk_id"] == table["id"]
    assert report["container"]["format"] == "raw"

    expected = []
    for entry in table["partitions"]:
        gpt = table["label"] == "gpt"
        expected.append({
            "number": partition_number(entry["node"]),
            "start": entry["start"] * sector,
            "size": entry["size"] * sector,
            "type": entry["type"] if gpt else f"0x{int(entry['type'], 16):02x}",
            "guid": entry.get("uuid"),
            "name": entry.get("name", ""),
            "bootable": entry.get("bootable", False),
        })
    seen = [{key: p[key] for key in expected[0]} for p in report["partitions"]]
    assert seen == expected


@pytest.mark.parametrize("name", ["gpt-windows", "gpt-4k"])
def test_gpt_names_attributes_and_guids_agree_with_sgdisk(name, unpacked):
    report = run_json("inspect", unpacked(f"layout/{name}.img.gz"))
    expected = sgdisk_partitions(name)
    seen = {p["number"]: {"attributes": p["attributes"], "name": p["name"], "guid": p["guid"]}
            for p in report["partitions"]}
    assert seen == expected


def test_logical_partitions_are_numbered_from_five_in_chain_order(unpacked):
    report = run_json("inspect", unpacked("layout/mbr-extended.img.gz"))
    logical = [p["number"] for p in report["partitions"] if p["logical"]]
    assert logical == [5, 6, 7]
    assert [p["number"] for p in report["partitions"] if p["extended"]] == [2]


@pytest.mark.parametrize("name", PARTITIONED)
def test_volume_file_systems_agree_with_blkid(name, unpacked):
    report = run_json("inspect", unpacked(f"layout/{name}.img.gz"))
    extended = {p["number"] for p in report["partitions"] if p["extended"]}
    expected = {n: kind for n, kind in blkid_types(name).items() if n not in extended}
    seen = {v["partition"]: v["filesystem"] for v in report["volumes"]}
    assert seen == expected
    assert [v["index"] for v in report["volumes"]] == list(range(len(report["volumes"])))


def test_damaged_primary_gpt_is_read_from_the_backup_with_a_warning(unpacked):
    result = run("inspect", unpacked("layout/gpt-damaged.img.gz"), "--json")
    assert "primary header (LBA 1, offset 0x200) is damaged" in result.stderr
    report = json.loads(result.stdout)
    assert any("using the backup header" in w for w in report["warnings"])


def test_bare_volume_is_one_whole_image_volume(unpacked):
    report = run_json("inspect", unpacked("layout/bare-ntfs.img.gz"))
    assert (LAYOUT / "bare-ntfs.pttype.txt").read_text().strip() == "none"
    assert report["scheme"] == "none"
    assert report["partitions"] == []
    expected_kind = (LAYOUT / "bare-ntfs.blkid.txt").read_text().strip()
    assert [(v["source"], v["filesystem"]) for v in report["volumes"]] == [
        ("whole image", expected_kind)]


def test_human_output_is_a_table(unpacked):
    text = run("inspect", unpacked("layout/mbr-extended.img.gz")).stdout
    assert "scheme: mbr, disk id 0x5eed0001" in text
    assert re.search(r"^\s+5\s+10485760\s+8388608\s+8\.0 MiB\s+0x07 HPFS/NTFS/exFAT \[logical\]",
                     text, re.M)


def test_errors_exit_1_and_name_the_file(tmp_path):
    missing = tmp_path / "missing.img"
    result = run("inspect", missing, check=False)
    assert result.returncode == 1
    assert str(missing) in result.stderr


def test_usage_errors_exit_2():
    assert run(check=False).returncode == 2
    assert run("inspect", check=False).returncode == 2
    assert run("inspect", "--no-such-flag", "x", check=False).returncode == 2


def test_tiny_and_random_files_are_read_without_a_crash(tmp_path):
    tiny = tmp_path / "tiny.img"
    tiny.write_bytes(b"\x55\xaa" * 10)
    result = run("inspect", tiny, check=False)  # less than a sector: no disk image, said so
    assert result.returncode == 1 and "20 bytes, smaller than one 512-byte sector" in result.stderr, result.stderr
    noise = tmp_path / "noise.img"
    noise.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(1 << 16)))
    assert run("inspect", noise, check=False).returncode in (0, 1)
