"""`diskimg ls`, `stat` and `cat` against The Sleuth Kit (run here, on the same bytes) and
against a read-only ntfs-3g mount walk recorded by tests/fixtures/make_ntfs_fixtures.sh."""
import hashlib
import json
import re
import subprocess

import pytest

from conftest import FIXTURES, run, run_bytes, run_json
from oracles import fls_entries, fls_names_and_streams, tsk

NTFS = FIXTURES / "ntfs"
VOLUMES = sorted(p.name.removesuffix(".img.gz") for p in NTFS.glob("*.img.gz"))
# Large directories are sampled when streams are compared one process at a time.
SAMPLE_EVERY = 40


def tsk_opens(name):
    return (NTFS / f"{name}.fls.txt").exists()


def mount_walk(name):
    rows = []
    for line in (NTFS / f"{name}.mount.tsv").read_text().splitlines():
        path, record, kind, size, md5 = line.split("\t")
        rows.append({"path": path if path.startswith("/") else "/" + path, "record": int(record),
                     "kind": kind, "size": int(size), "md5": md5})
    return rows


def is_metadata(path):
    return path.split("/")[1].startswith("$")


@pytest.fixture(scope="module")
def listing(unpacked):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = run_json("ls", "-r", unpacked(f"ntfs/{name}.img.gz"))
        return cache[name]
    return get


@pytest.mark.parametrize("name", VOLUMES)
def test_tree_matches_the_ntfs3g_mount_walk(name, listing):
    ours = set()
    for entry in listing(name):
        if is_metadata(entry["path"]):
            continue
        ours.add((entry["path"], entry["record"], "d" if entry["is_dir"] else "f",
                  0 if entry["is_dir"] else entry["size"]))
        for stream in entry["streams"]:
            ours.add((f"{entry['path']}:{stream['name']}", entry["record"], "s", stream["size"]))
    theirs = {(row["path"], row["record"], row["kind"], row["size"]) for row in mount_walk(name)
              if row["path"] != "/"}
    assert ours == theirs


@pytest.mark.parametrize("name", [v for v in VOLUMES if tsk_opens(v)])
def test_paths_and_records_match_fls(name, listing, unpacked):
    image = unpacked(f"ntfs/{name}.img.gz")
    ours = {(e["path"], e["record"]) for e in listing(name)}
    data_streams = {(f"{e['path']}:{s['name']}", e["record"]) for e in listing(name)
                    for s in e["streams"]}
    fls_names, fls_streams = fls_names_and_streams(image)
    # fls also lists names left in index blocks that $BITMAP marks free (the notes'
    # "stale names"); a correct reader must not. Every extra name of fls must be absent
    # from the ntfs-3g mount walk too.
    assert ours <= fls_names
    mounted = {row["path"] for row in mount_walk(name)}
    assert not {path for path, _ in fls_names - ours} & mounted
    assert data_streams == fls_streams


def sampled(entries):
    """Every entry of small directories; every SAMPLE_EVERY-th of big ones (one process per
    stream is slow)."""
    parent_of = lambda e: e["path"].split(":")[0].rsplit("/", 1)[0]
    sizes = {}
    for entry in entries:
        sizes[parent_of(entry)] = sizes.get(parent_of(entry), 0) + 1
    seen = {}
    for entry in entries:
        parent = parent_of(entry)
        seen[parent] = seen.get(parent, 0) + 1
        if sizes[parent] <= 100 or seen[parent] % SAMPLE_EVERY == 1:
            yield entry


def md5_of(data):
    return hashlib.md5(data).hexdigest()


@pytest.mark.parametrize("name", [v for v in VOLUMES if tsk_opens(v)])
def test_every_stream_reads_as_icat_reads_it(name, listing, unpacked):
    image = unpacked(f"ntfs/{name}.img.gz")
    checked = 0
    for entry in sampled(listing(name)):
        if entry["is_dir"]:
            continue
        targets = [("", None)] + [(s["name"], s["name"]) for s in entry["streams"]]
        istat_run = subprocess.run(["istat", str(image), str(entry["record"])], capture_output=True)
        if istat_run.returncode != 0:
            continue  # TSK cannot open this record (see the mount-walk test)
        istat = istat_run.stdout.decode("utf-8", "replace")
        for label, stream in targets:
            # The $DATA attribute's type-id as istat names it, e.g. "Type: $DATA (128-2)".
            pattern = r"Type: \$DATA \(128-([0-9]+)\)\s+Name: " + (re.escape(stream) if stream else "N/A")
            found = re.search(pattern, istat)
            if not found:
                assert stream is None and entry["size"] == 0, (entry["path"], istat)
                continue
            if entry["path"] == "/$BadClus" and stream == "$Bad":
                # icat prints nothing for $Bad (a TSK blind spot); istat gives its size and
                # every cluster of it is sparse.
                size = int(re.search(r"Name: \$Bad\s+Non-Resident(?:, Sparse)?\s+size: ([0-9]+)", istat).group(1))
                data = run_bytes("cat", image, "--record", 8, "--stream", "$Bad")
                assert len(data) == size and not data.strip(b"\0")
                continue
            icat = subprocess.run(["icat", str(image), f"{entry['record']}-128-{found.group(1)}"],
                                  capture_output=True)
            if icat.returncode != 0:
                continue  # TSK cannot read it (a sparse file longer than the volume): the
                          # mount-walk test checks its bytes
            expected = icat.stdout
            args = ["cat", image, "--record", entry["record"]]
            if stream:
                args += ["--stream", stream]
            actual = run_bytes(*args)
            assert len(actual) == len(expected), (entry["path"], label)
            assert md5_of(actual) == md5_of(expected), (entry["path"], label)
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("name", VOLUMES)
def test_file_contents_match_the_mount_walk(name, unpacked):
    image = unpacked(f"ntfs/{name}.img.gz")
    rows = [r for r in mount_walk(name) if r["kind"] in "fs"]
    for row in sampled(rows):
        data = run_bytes("cat", image, row["path"])
        assert (len(data), md5_of(data)) == (row["size"], row["md5"]), row["path"]


@pytest.mark.parametrize("name", VOLUMES)
def test_growth_stages_have_the_structure_istat_found(name, unpacked):
    stages_file = NTFS / f"{name}.stages.json"
    if not stages_file.exists():
        pytest.skip(f"{name} has no growth-stage files")
    image = unpacked(f"ntfs/{name}.img.gz")
    for expected in json.loads(stages_file.read_text()):
        record = run_json("stat", image, "--record", expected["record"])
        data = [a for a in record["attributes"] if a["type"] == 128 and a["name"] == ""]
        listed = record["attribute_list"]
        state = "none" if listed is None else ("resident" if listed["resident"] else "nonresident")
        assert state == expected["attribute_list"], expected["path"]
        assert data[0]["resident"] == expected["data_resident"], expected["path"]
        assert len(data) == expected["data_extents"], expected["path"]
        assert sum(len(a.get("runs", [])) for a in data) == expected["data_runs"], expected["path"]
        children = set() if listed is None else {e["record"] for e in listed["entries"]} - {record["record"]}
        assert children == set(expected["child_records"]), expected["path"]
        by_path = run_json("stat", image, expected["path"])
        assert by_path["record"] == expected["record"]


@pytest.mark.parametrize("name", VOLUMES)
def test_deleted_files_are_not_listed(name, listing):
    deleted_file = NTFS / f"{name}.deleted.txt"
    if not deleted_file.exists():
        pytest.skip("no deleted files recorded")
    paths = {e["path"] for e in listing(name)}
    for line in deleted_file.read_text().splitlines():
        if line.strip():
            assert ("/" + line.strip().lstrip("/")) not in paths


@pytest.mark.parametrize("name", VOLUMES)
def test_volume_details_match_the_tools(name, unpacked):
    info = json.loads((NTFS / f"{name}.info.json").read_text())
    volume = run_json("inspect", unpacked(f"ntfs/{name}.img.gz"))["volumes"][0]["ntfs"]
    ntfsinfo = info.get("ntfsinfo", {})
    fsstat = info.get("fsstat", {})
    expected = {
        "label": ntfsinfo.get("volume_name"),
        "version": ntfsinfo.get("ntfs_version"),
        "bytes_per_sector": ntfsinfo.get("sector_size"),
        "cluster_size": ntfsinfo.get("cluster_size"),
        "mft_record_size": ntfsinfo.get("mft_record_size"),
        "index_block_size": ntfsinfo.get("index_record_size"),
        "total_clusters": ntfsinfo.get("total_clusters"),
        "serial": fsstat.get("serial_number") or info.get("fsntfsinfo", {}).get("serial_number", "").upper() or None,
    }
    checked = {key: value for key, value in expected.items() if value is not None}
    assert len(checked) >= 6
    assert {key: volume[key] for key in checked} == checked


@pytest.mark.parametrize("name", VOLUMES)
def test_paths_are_found_whatever_their_case(name, unpacked):
    image = unpacked(f"ntfs/{name}.img.gz")
    rows = [r for r in mount_walk(name) if r["kind"] == "f" and r["size"] > 0]
    folded = {}
    for row in rows:
        folded.setdefault(row["path"].upper(), []).append(row)
    # A path whose upper-cased form names only it must read the same upper-cased.
    row = next(r for r in rows if len(folded[r["path"].upper()]) == 1 and r["path"] != r["path"].upper())
    data = run_bytes("cat", image, row["path"].upper())
    assert md5_of(data) == row["md5"]


@pytest.mark.parametrize("name", VOLUMES[:1])
def test_missing_paths_and_records_are_errors_that_name_them(name, unpacked):
    image = unpacked(f"ntfs/{name}.img.gz")
    result = run("cat", image, "/no/such/file.txt", check=False)
    assert result.returncode == 1
    assert "/no: no such file or directory" in result.stderr
    result = run("stat", image, "--record", 99999999, check=False)
    assert result.returncode == 1
    assert "MFT record 99999999 does not exist" in result.stderr


def test_a_volume_inside_a_partitioned_disk_reads_as_fls_reads_it(sample):
    report = run_json("inspect", sample)
    volume = next(v for v in report["volumes"] if v["ntfs"] and v["ntfs"]["label"] == "Windows")
    sector_offset = volume["offset"] // 512
    ours = {(e["path"], e["record"]) for e in run_json("ls", "-r", "--volume", volume["index"], sample)}
    theirs = {(path.partition(":")[0], record)
              for path, record, attr in fls_entries(sample, sector_offset)}
    assert ours == theirs
    readme = "/Users/Public/Documents/readme.txt"
    record = next(r for p, r in ours if p == readme)
    ours_bytes = run_bytes("cat", "--volume", volume["index"], sample, readme)
    assert ours_bytes == tsk("icat", "-o", sector_offset, sample, record)


@pytest.mark.parametrize("name", VOLUMES)
def test_a_directory_lists_the_same_from_its_index_as_from_the_mft(name, listing, unpacked):
    """`ls DIR` walks the directory's B-tree; `ls -r` reads the whole MFT once. The same
    names, records, sizes and order must come out of both."""
    image = unpacked(f"ntfs/{name}.img.gz")
    tree = listing(name)
    directories = ["/"] + [e["path"] for e in tree if e["is_dir"] and not is_metadata(e["path"])]
    for directory in directories[:40]:
        prefix = directory.rstrip("/") + "/"
        from_tree = [e for e in tree if e["path"].startswith(prefix) and "/" not in e["path"][len(prefix):]]
        from_index = run_json("ls", image, directory)
        assert from_index == from_tree, directory


def test_an_mft_fragmented_into_extension_records_is_bootstrapped(unpacked):
    """$MFT's own $DATA continues in extension records that only its first extent maps."""
    expected = json.loads((NTFS / "ntfs-mftlist.mft.json").read_text())
    record = run_json("stat", unpacked("ntfs/ntfs-mftlist.img.gz"), "--record", 0)
    assert record["attribute_list"]["resident"] == (expected["attribute_list"] == "resident")
    data = [a for a in record["attributes"] if a["type"] == 128 and a["name"] == ""]
    assert sorted({a["record"] for a in data} - {0}) == sorted(expected["extent_records"])
    assert min(a["start_vcn"] for a in data if a["record"] != 0) == expected["first_vcn_in_extension"]


def test_dos_aliases_are_hidden_from_listings_but_found_by_lookup(unpacked, listing):
    image = unpacked("ntfs/ntfs-4k.img.gz")
    names = {e["name"] for e in listing("ntfs-4k") if e["path"].startswith("/docs/")}
    assert "Long File Name.txt" in names and "LONGFI~1.TXT" not in names
    assert "LONGDI~1" not in names
    row = next(r for r in mount_walk("ntfs-4k") if r["path"] == "/docs/Long File Name.txt")
    assert md5_of(run_bytes("cat", image, "/docs/LONGFI~1.TXT")) == row["md5"]
    assert md5_of(run_bytes("cat", image, "/docs/LONGDI~1/inside.txt")) == next(
        r for r in mount_walk("ntfs-4k") if r["path"] == "/docs/Long Directory Name/inside.txt")["md5"]
