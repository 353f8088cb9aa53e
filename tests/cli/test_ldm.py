"""LDM dynamic disks: the Windows 2003 R2 and 2008 R2 sample disk groups (read from
../shared/ldm-samples, never copied in), against ldmtool run here on the same images."""
import json
import os
import random
import subprocess
from pathlib import Path

import pytest

from conftest import run, run_json
from oracles import LDM_GROUPS, needs_ldm_samples

LAYOUTS = {"simple": "simple", "spanned": "spanned", "striped": "striped", "mirrored": "mirror", "RAID5": "raid5"}
GROUPS = list(LDM_GROUPS)
pytestmark = needs_ldm_samples


@pytest.fixture(scope="session")
def images(ldm_images):
    return ldm_images


def ldmtool(disks, *command):
    args = ["ldmtool"] + [a for d in disks for a in ("-d", str(d))] + list(command)
    return json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


@pytest.mark.parametrize("group", GROUPS)
def test_the_disk_group_is_the_one_ldmtool_reads(group, images):
    disks = images(group)
    ours = run_json("inspect", *disks)["ldm"]
    [guid] = ldmtool(disks, "scan")
    theirs = ldmtool(disks, "show", "diskgroup", guid)
    assert (ours["disk_group"], ours["disk_group_guid"]) == (theirs["name"], theirs["guid"])
    assert sorted(v["name"] for v in ours["volumes"]) == sorted(theirs["volumes"])
    assert sorted(d["name"] for d in ours["disks"]) == sorted(theirs["disks"])
    for disk in ours["disks"]:
        expected = ldmtool(disks, "show", "disk", guid, disk["name"])
        assert disk["guid"] == expected["guid"] and disk["present"] == expected["present"]
        assert disk["source"] == expected["device"]
        assert (disk["data_start"], disk["data_size"]) == (expected["data-start"] * 512, expected["data-size"] * 512)
    for volume in ours["volumes"]:
        expected = ldmtool(disks, "show", "volume", guid, volume["name"])
        assert volume["guid"] == expected["guid"]
        assert volume["layout"] == LAYOUTS[expected["type"]]
        assert volume["size"] == expected["size"] * 512
        assert volume["stripe_size"] == expected["chunk-size"] * 512
        assert volume["drive_hint"] == expected["hint"]
        assert sorted(e["name"] for e in volume["extents"]) == sorted(expected["partitions"])
        assert volume["state"] == "complete" and volume["missing_disks"] == []
        for extent in volume["extents"]:
            part = ldmtool(disks, "show", "partition", guid, extent["name"])
            assert (extent["data_offset"], extent["size"], extent["disk"]) == (
                part["start"] * 512, part["size"] * 512, part["disk"])


@pytest.mark.parametrize("group", GROUPS)
def test_every_volume_holds_ntfs_with_the_test_file(group, images):
    disks = images(group)
    volumes = [v for v in run_json("inspect", *disks)["volumes"] if v["source"].startswith("ldm ")]
    assert len(volumes) == {"2003r2": 6, "2008r2": 5}[group]
    for volume in volumes:
        assert volume["filesystem"] == "ntfs" and volume["ntfs"]["total_clusters"] > 0, volume
        data = subprocess.run([os.environ["DISKIMG"], "cat", "--volume", str(volume["index"]), *map(str, disks),
                               "/test.txt"], capture_output=True, check=True).stdout
        assert data == b"Filesystem test"
        assert run("usedmap", "--verify", "--volume", volume["index"], *disks).returncode == 0


@pytest.mark.parametrize("group", GROUPS)
def test_disks_in_any_order_give_the_same_group(group, images):
    disks = images(group)
    shuffled = disks[:]
    random.Random(5).shuffle(shuffled)
    first, second = run_json("inspect", *disks), run_json("inspect", *shuffled)
    strip = lambda ldm: [{k: v for k, v in volume.items()} for volume in ldm["volumes"]]
    assert strip(first["ldm"]) == strip(second["ldm"])
    names = lambda report: sorted((v["source"], v["size"], v["ntfs"]["serial"]) for v in report["volumes"]
                                  if v["source"].startswith("ldm "))
    assert names(first) == names(second)


def test_disks_in_vhd_containers_read_the_same(images, tmp_path):
    disks = images("2008r2")
    vhds = []
    for disk in disks:
        vhd = tmp_path / (disk.stem + ".vhd")
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on",
                        str(disk), str(vhd)], check=True)
        vhds.append(vhd)
    raw, wrapped = run_json("inspect", *disks), run_json("inspect", *vhds)
    assert [v for v in wrapped["ldm"]["volumes"]] == [v for v in raw["ldm"]["volumes"]]
    for volume in (v for v in wrapped["volumes"] if v["source"].startswith("ldm ")):
        assert run("cat", "--volume", volume["index"], *vhds, "/test.txt").stdout == "Filesystem test"


@pytest.mark.parametrize("group, missing", [("2003r2", "raid5-2"), ("2008r2", "raid5-1"), ("2003r2", "mirrored-1"),
                                            ("2008r2", "mirrored-2")])
def test_a_degraded_volume_reads_as_the_complete_one(group, missing, images, tmp_path):
    disks = images(group)
    kind = missing.split("-")[0]
    members = [d for d in disks if f"-{kind}-" in d.name]
    rest = [d for d in members if not d.name.endswith(f"-{missing}.img")]
    outputs = []
    for given, name in ((members, "complete.raw"), (rest, "degraded.raw")):
        report = run_json("inspect", *given)
        [volume] = [v for v in report["volumes"] if v["source"].startswith("ldm ")]
        state = next(v["state"] for v in report["ldm"]["volumes"] if "ldm " + v["name"] == volume["source"])
        assert state == ("complete" if given is members else "degraded")
        run("convert", "--volume", volume["index"], "--all-sectors", "--format", "raw", *given, "-o", tmp_path / name)
        outputs.append((tmp_path / name).read_bytes()[1 << 20:])  # the volume, after a fresh MBR
    assert len(outputs[0]) > 10 << 20 and outputs[0] == outputs[1]
    assert b"Filesystem test" in outputs[1]


def test_missing_disks_are_named(images):
    disks = images("2003r2")
    report = run_json("inspect", disks[0])
    volume3 = next(v for v in report["ldm"]["volumes"] if v["name"] == "Volume3")
    assert volume3["state"] == "degraded" and volume3["missing_disks"] == ["Disk7"]
    raid = next(v for v in report["ldm"]["volumes"] if v["name"] == "Raid1")
    assert raid["state"] == "missing" and sorted(raid["missing_disks"]) == ["Disk10", "Disk8", "Disk9"]
    assert any("Raid1 cannot be read" in w for w in report["warnings"])


def test_an_ldm_volume_converts_to_a_basic_disk(images, tmp_path):
    disks = images("2003r2")
    report = run_json("inspect", *disks)
    stripe = next(v for v in report["volumes"] if v["source"] == "ldm Stripe1")
    out = tmp_path / "stripe.vhd"
    run("convert", "--volume", stripe["index"], *disks, "-o", out)
    raw = tmp_path / "stripe.raw"
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", str(out), str(raw)], check=True)
    table = json.loads(subprocess.run(["sfdisk", "--json", str(raw)], capture_output=True, text=True,
                                      check=True).stdout)["partitiontable"]
    assert table["label"] == "dos" and [(p["start"], p["type"]) for p in table["partitions"]] == [(2048, "7")]
    listing = subprocess.run(["fls", "-o", "2048", str(raw)], capture_output=True, text=True, check=True).stdout
    record = next(line for line in listing.splitlines() if line.endswith("\ttest.txt")).split()[1].split("-")[0]
    assert subprocess.run(["icat", "-o", "2048", str(raw), record], capture_output=True).stdout == b"Filesystem test"


def to_raw(vhd, raw):
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", str(vhd), str(raw)], check=True)
    return raw


def test_a_whole_simple_dynamic_disk_keeps_only_used_clusters(images, tmp_path):
    """The 2003 simple volume lies whole at sector 63, where TSK can read it directly: the
    copy has the same files by fls and icat, and holds far less than the 0x42 partition."""
    source = next(p for p in images("2003r2") if p.name == "ldm-2003r2-simple-1.img")
    out = tmp_path / "disk.vhd"
    summary = json.loads(run("convert", source, "-o", out, "--json").stdout)
    assert any("LDM database" in note for note in summary["notes"])
    assert summary["bytes_read"] < 8 << 20  # the 0x42 partition alone is 47 MiB
    raw = to_raw(out, tmp_path / "disk.raw")
    listing = lambda image: subprocess.run(["fls", "-r", "-o", "63", str(image)], capture_output=True, text=True,
                                           check=True).stdout
    assert listing(raw) == listing(source)
    for line in listing(source).splitlines():
        if line.startswith("r/r") and "*" not in line.split(":")[0]:
            address = line.split()[1].rstrip(":")
            icat = lambda image: subprocess.run(["icat", "-o", "63", str(image), address], capture_output=True).stdout
            assert icat(raw) == icat(source), line
    assert run_json("inspect", raw)["ldm"]["volumes"] == run_json("inspect", source)["ldm"]["volumes"]


@pytest.mark.parametrize("group, kind", [("2003r2", "striped"), ("2003r2", "raid5"), ("2008r2", "raid5"),
                                         ("2008r2", "mirrored"), ("2008r2", "spanned")])
def test_each_disk_of_a_group_converted_alone_reassembles_to_the_same_volume(group, kind, images, tmp_path):
    """Every member converted as a whole disk (the others given for assembly) keeps the pieces
    of the volume's used clusters, parity included: the copies assemble, complete and with
    each copy missing in turn, into a volume whose files read as the original's."""
    members = [p for p in images(group) if f"-{kind}-" in p.name]
    copies = []
    for disk in members:
        out = tmp_path / (disk.stem + ".vhd")
        run("convert", disk, *[m for m in members if m != disk], "-o", out)
        copies.append(to_raw(out, tmp_path / (disk.stem + ".raw")))
    original = run_json("inspect", *members)
    index = next(v["index"] for v in original["volumes"] if v["source"].startswith("ldm "))
    files = [e for e in run_json("ls", "-r", "--volume", index, *members) if not e["is_dir"]]
    def contents(disks):
        # A GPT first disk lists its MSR partition before the LDM volume: look the index up.
        report = run_json("inspect", *disks)
        at = next(v["index"] for v in report["volumes"] if v["source"].startswith("ldm "))
        return {e["path"]: subprocess.run([os.environ["DISKIMG"], "cat", "--volume", str(at), *map(str, disks),
                                           e["path"]], capture_output=True).stdout for e in files}
    expected = contents(members)
    assert expected["/test.txt"] == b"Filesystem test"
    assert contents(copies) == expected
    assert run("usedmap", "--verify", "--volume", index, *copies).returncode == 0  # same first disk
    if kind in ("raid5", "mirrored"):
        for missing in range(len(copies)):
            rest = copies[:missing] + copies[missing + 1:]
            assert contents(rest) == expected, f"without {copies[missing].name}"


def test_a_disk_of_another_group_is_refused(images):
    result = run("inspect", images("2003r2")[0], images("2008r2")[0], check=False)
    assert result.returncode == 2 and "belongs to disk group" in result.stderr
    result = run("inspect", images("2003r2")[0], images("2003r2")[0], check=False)
    assert result.returncode == 2 and "given twice" in result.stderr
