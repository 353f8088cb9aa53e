"""Times and file attributes ($STANDARD_INFORMATION and each $FILE_NAME) in `stat`, `ls --json`
and Python, against The Sleuth Kit's istat run on the same bytes (`istat -z UTC`): every
file of the times fixture (tests/fixtures/make_times_fixture.sh: times set after the files
were made, so $SI and $FN differ, and read-only/hidden flags) and of the NTFS fixtures."""
import json
import re
import subprocess

import pytest

from conftest import FIXTURES, run
from oracles import fls_entries

NTFS = FIXTURES / "ntfs"
IMAGES = ["times/ntfs-times"] + [f"ntfs/{p.name.removesuffix('.fls.txt')}" for p in sorted(NTFS.glob("*.fls.txt"))]

# istat's flag words (tsk/fs/ntfs.cpp) as diskimg names them.
ISTAT_FLAGS = {"Read Only": "readonly", "Hidden": "hidden", "System": "system", "Archive": "archive",
               "Device": "device", "Normal": "normal", "Temporary": "temporary", "Sparse": "sparse",
               "Reparse Point": "reparse", "Compressed": "compressed", "Offline": "offline",
               "Not Content Indexed": "not_content_indexed", "Encrypted": "encrypted",
               "Directory": "directory", "Index View": "index_view"}
TIME_KEYS = {"Created": "created", "File Modified": "modified", "MFT Modified": "mft_changed", "Accessed": "accessed"}


# istat prints "0000-00-00 00:00:00" for any time at or before the Unix epoch (TSK keeps times
# as Unix seconds and takes 0 for "not set"): mkntfs -T writes the epoch into the system
# files' times, which diskimg shows as they are.
UNSET_BY_TSK = "0000-00-00 00:00:00"
UNIX_EPOCH = "1970-01-01T00:00:00.0000000Z"
# And a FILETIME of 0 (mkntfs leaves $MFT's $FILE_NAME times so) as 2076-11-29 08:54:34: TSK
# subtracts the 1601-1970 offset without a sign, divides, and keeps 32 bits
# ((2^64 - 11644473600 * 10^7) // 10^7 mod 2^32 = 3373865674).
FILETIME_ZERO_BY_TSK = "2076-11-29 08:54:34"
FILETIME_ZERO = "1601-01-01T00:00:00.0000000Z"


def iso_from_istat(text):
    """'2021-03-04 05:06:07.123456700 (UTC)' -> '2021-03-04T05:06:07.1234567Z' (100 ns)."""
    if text.startswith(UNSET_BY_TSK):
        return UNIX_EPOCH
    if text.startswith(FILETIME_ZERO_BY_TSK):
        return FILETIME_ZERO
    day, clock = text.split()[:2]
    whole, fraction = clock.split(".")
    assert fraction.endswith("00"), text  # NTFS keeps 100 ns: istat's last two digits are 0
    return f"{day}T{whole}.{fraction[:7]}Z"


def istat_blocks(image, record):
    """istat's $STANDARD_INFORMATION block and its $FILE_NAME blocks, each as a dict of
    times, flags (as diskimg names them), and for $SI owner and security ids."""
    text = subprocess.run(["istat", "-z", "UTC", str(image), str(record)], capture_output=True, text=True,
                          check=True).stdout
    blocks = []
    for block in re.split(r"\n\n", text):
        lines = block.strip().splitlines()
        if not lines or lines[0] not in ("$STANDARD_INFORMATION Attribute Values:", "$FILE_NAME Attribute Values:"):
            continue
        values = {"kind": lines[0].split()[0], "times": {}}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            value = value.strip()
            if key in TIME_KEYS:
                values["times"][TIME_KEYS[key]] = iso_from_istat(value)
            elif key == "Flags":
                values["flags"] = [ISTAT_FLAGS[word.strip()] for word in value.split(",") if word.strip()]
            elif key == "Name":
                values["name"] = value
            elif key == "Owner ID":
                values["owner_id"] = int(value)
            elif key == "Security ID":
                values["security_id"] = int(value.split()[0])
        blocks.append(values)
    return blocks


def files_of(image, limit=40):
    """(path, record) of allocated files and directories, system files included, at most `limit`."""
    seen = {}
    for path, record, attribute in fls_entries(image):
        if ":" not in path and record not in seen.values() and not path.endswith("/."):
            seen[path] = record
    return list(seen.items())[:limit]


@pytest.mark.parametrize("name", IMAGES)
def test_stat_times_and_attributes_are_istats(name, unpacked):
    image = unpacked(f"{name}.img.gz")
    checked = 0
    for path, record in files_of(image):
        stat = json.loads(run("stat", "--json", "--record", record, image).stdout)
        blocks = istat_blocks(image, record)
        si = next((b for b in blocks if b["kind"] == "$STANDARD_INFORMATION"), None)
        if si is None:
            assert stat["times"] is None, path
            continue
        assert stat["times"] == si["times"], path
        # istat lists "Directory" among $SI's flags for directories (TSK adds it from the record)
        assert [f for f in stat["file_attributes"] if f != "directory"] == \
               [f for f in si["flags"] if f != "directory"], path
        if stat["security_id"] is not None:  # a 72-byte $SI (NTFS 3.0 form)
            assert (stat["owner_id"], stat["security_id"]) == (si["owner_id"], si["security_id"]), path
        fn_blocks = [b for b in blocks if b["kind"] == "$FILE_NAME"]
        assert [n["times"] for n in stat["names"]] == [b["times"] for b in fn_blocks], path
        checked += 1
    assert checked >= 5


def test_the_times_fixture_has_si_and_fn_times_that_differ_and_flags(unpacked):
    image = unpacked("times/ntfs-times.img.gz")
    touched = json.loads(run("stat", "--json", image, "/touched.txt").stdout)
    assert touched["times"]["modified"] == "2021-03-04T05:06:07.1234567Z"
    assert touched["times"]["accessed"] == "2022-06-07T08:09:10.7654321Z"
    assert touched["names"][0]["times"]["modified"] != touched["times"]["modified"]
    flagged = json.loads(run("stat", "--json", image, "/hidden-readonly.txt").stdout)
    assert flagged["file_attributes"] == ["readonly", "hidden", "archive"]
    text = run("stat", image, "/touched.txt").stdout
    assert "modified     2021-03-04T05:06:07.1234567Z" in text, text


@pytest.mark.parametrize("recursive", [[], ["-r"]])  # a directory's index, or the one-pass catalog
def test_ls_json_has_the_same_times_and_attributes_as_stat(unpacked, recursive):
    image = unpacked("times/ntfs-times.img.gz")
    for entry in json.loads(run("ls", "--json", *recursive, image).stdout):
        stat = json.loads(run("stat", "--json", "--record", entry["record"], image).stdout)
        assert entry["times"] == stat["times"], entry["path"]
        assert entry["file_attributes"] == stat["file_attributes"], entry["path"]

