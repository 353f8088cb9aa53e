"""diskimg.Ntfs against The Sleuth Kit run here on the same bytes (fls for names and records,
icat for stream contents, istat's recorded growth stages) and ntfsinfo's recorded counts."""
import concurrent.futures
import hashlib
import io
import json
import random
import subprocess

import pytest

import diskimg
from conftest import NTFS, NTFS_VOLUMES, TSK_VOLUMES
from oracles import fls_names_and_streams, tsk


@pytest.fixture(scope="module")
def ntfs(unpacked):
    cache = {}

    def get(name):
        if name not in cache:
            with diskimg.open(unpacked(f"ntfs/{name}.img.gz")) as disk:
                cache[name] = disk.volumes[0].ntfs()
        return cache[name]
    return get


def walked(fs):
    return [entry for _, directories, files in fs.walk("/") for entry in directories + files]


@pytest.mark.parametrize("name", TSK_VOLUMES)
def test_walk_finds_the_names_records_and_streams_fls_lists(name, ntfs, unpacked):
    entries = walked(ntfs(name))
    ours = {(e.path, e.record) for e in entries}
    streams = {(f"{e.path}:{s.name}", e.record) for e in entries for s in e.streams}
    fls_names, fls_streams = fls_names_and_streams(unpacked(f"ntfs/{name}.img.gz"))
    # fls also lists stale names from index blocks marked free (tests/cli/test_ntfs.py shows
    # none of them is in the ntfs-3g mount); every name diskimg gives, fls gives.
    assert ours <= fls_names
    assert len(ours) > 20
    assert streams == fls_streams


@pytest.mark.parametrize("name", NTFS_VOLUMES)
def test_walk_is_top_down_and_agrees_with_listdir(name, ntfs):
    fs = ntfs(name)
    tree = fs.walk("/")
    assert tree[0][0] == "/"
    seen = set()
    for dirpath, directories, files in tree[:60]:
        assert dirpath == "/" or (dirpath.rsplit("/", 1)[0] or "/") in seen  # parents first
        seen.add(dirpath)
        listed = fs.listdir(dirpath)
        in_order = {e.path: i for i, e in enumerate(listed)}
        assert sorted(in_order) == sorted(e.path for e in directories + files)
        for group in (directories, files):  # each group keeps the index's order
            assert [in_order[e.path] for e in group] == sorted(in_order[e.path] for e in group)
        assert all(e.is_dir for e in directories) and not any(e.is_dir for e in files)


def sha256_by_icat(image, address):
    result = subprocess.run(["icat", str(image), address], capture_output=True)
    return hashlib.sha256(result.stdout).hexdigest() if result.returncode == 0 else None


@pytest.mark.parametrize("name", TSK_VOLUMES)
def test_streams_read_as_icat_reads_them(name, ntfs, unpacked):
    """Every unnamed and named $DATA of up to 150 files (a fixed sample), through the file
    object in 64 KiB readinto calls, against icat of the same attribute."""
    image = unpacked(f"ntfs/{name}.img.gz")
    fs = ntfs(name)
    files = [e for e in walked(fs) if not e.is_dir and not e.path.startswith("/$")]
    random.Random(6).shuffle(files)
    checked = 0
    for entry in files[:150]:
        record = fs.record(entry.record)
        for attribute in record.attributes:
            if attribute.type != 128 or attribute.start_vcn != 0 or "encrypted" in attribute.flags:
                continue
            expected = sha256_by_icat(image, f"{entry.record}-128-{attribute.id}")
            if expected is None:
                continue  # TSK cannot read it (a sparse file past the volume's end)
            digest = hashlib.sha256()
            buffer = bytearray(65536)
            with fs.open(entry.path, stream=attribute.name) as f:
                assert f.size == attribute.data_size
                while count := f.readinto(buffer):
                    digest.update(memoryview(buffer)[:count])
            assert digest.hexdigest() == expected, (entry.path, attribute.name)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("name", TSK_VOLUMES[:2])
def test_seeks_land_where_icat_has_the_bytes(name, ntfs, unpacked):
    fs = ntfs(name)
    image = unpacked(f"ntfs/{name}.img.gz")
    # The largest file icat reads (it cannot read a sparse file longer than the volume).
    files = sorted((e for e in walked(fs) if not e.is_dir and not e.path.startswith("/$")), key=lambda e: -e.size)
    for big in files:
        icat = subprocess.run(["icat", str(image), str(big.record)], capture_output=True)
        if icat.returncode == 0:
            break
    expected = icat.stdout
    assert len(expected) == big.size > 50000
    rng = random.Random(9)
    with fs.open(big.path) as f:
        for _ in range(200):
            offset, length = rng.randrange(big.size), rng.randrange(1, 70000)
            whence = rng.choice([0, 1, 2])
            base = {0: 0, 1: f.tell(), 2: big.size}[whence]
            assert f.seek(offset - base, whence) == offset
            assert f.read(length) == expected[offset:offset + length]
            assert f.tell() == min(offset + length, big.size)
        f.seek(0, 2)
        assert f.read() == b"" and f.read(10) == b""
    text = io.TextIOWrapper(io.BufferedReader(fs.open(big.path)), encoding="latin-1")
    assert text.readline() == expected.decode("latin-1").splitlines(keepends=True)[0]


@pytest.mark.parametrize("name", NTFS_VOLUMES)
def test_growth_stages_have_the_structure_istat_found(name, ntfs):
    stages = NTFS / f"{name}.stages.json"
    if not stages.exists():
        pytest.skip("no growth-stage files")
    fs = ntfs(name)
    for expected in json.loads(stages.read_text()):
        record = fs.stat(expected["path"])
        assert record.record == expected["record"]
        listed = record.attribute_list
        state = "none" if listed is None else ("resident" if listed.resident else "nonresident")
        assert state == expected["attribute_list"], expected["path"]
        data = [a for a in record.attributes if a.type == 128 and a.name == ""]
        assert data[0].resident == expected["data_resident"]
        assert len(data) == expected["data_extents"]
        assert sum(len(a.runs) for a in data) == expected["data_runs"]
        children = set() if listed is None else {e.record for e in listed.entries} - {record.record}
        assert children == set(expected["child_records"])
        assert {a.record for a in data} == set(expected["data_records"])


@pytest.mark.parametrize("name", NTFS_VOLUMES)
def test_volume_details_and_used_clusters_match_ntfsinfo(name, ntfs):
    info = json.loads((NTFS / f"{name}.info.json").read_text())["ntfsinfo"]
    fs = ntfs(name)
    assert (fs.label, fs.version, fs.cluster_size, fs.total_clusters, fs.mft_record_size) == (
        info["volume_name"], info["ntfs_version"], info["cluster_size"], info["total_clusters"],
        info["mft_record_size"])
    used = fs.used_map()
    assert used.used_clusters == info["used_clusters"]
    assert sum(count for _, count in fs.used_extents()) == info["used_clusters"]
    assert fs.verify_used_map().consistent


@pytest.mark.parametrize("name", TSK_VOLUMES[:1])
def test_used_extents_are_the_bits_of_bitmap_as_icat_reads_it(name, ntfs, unpacked):
    fs = ntfs(name)
    bitmap = tsk("icat", unpacked(f"ntfs/{name}.img.gz"), 6)
    used = {c for c in range(fs.total_clusters) if bitmap[c // 8] >> (c % 8) & 1} | {0}
    ours = {c for first, count in fs.used_extents() for c in range(first, first + count)}
    assert ours == used


def test_records_carry_names_attributes_and_runs(ntfs):
    fs = ntfs(TSK_VOLUMES[0])
    mft = fs.record(0)
    assert [n.name for n in mft.names] == ["$MFT"] and mft.names[0].parent == 5
    data = [a for a in mft.attributes if a.type_name == "$DATA"]
    assert data and not data[0].resident and data[0].runs[0][1] is not None
    assert sum(length for _, _, length in data[0].runs) * fs.cluster_size >= data[0].data_size
    root = fs.stat("/")
    assert root.record == 5 and root.is_dir
    standard = next(a for a in root.attributes if a.type == 0x10)
    assert standard.resident and len(standard.value) >= 48


def test_errors_are_diskimg_errors_that_name_what_is_missing(ntfs, sample):
    fs = ntfs(TSK_VOLUMES[0])
    with pytest.raises(diskimg.NotFoundError, match="no-such-file"):
        fs.stat("/no-such-file")
    with pytest.raises(FileNotFoundError):
        fs.open("/no-such-dir/x")
    with pytest.raises(diskimg.NotFoundError):
        fs.open("/$MFT", stream="nothing")
    with pytest.raises(diskimg.Error):
        fs.record(10 ** 9)
    with diskimg.open(sample) as disk:
        with pytest.raises(diskimg.UsageError, match="fat, not NTFS"):
            disk.volumes[0].ntfs()
        with pytest.raises(diskimg.UsageError):
            disk.volume(99)
    f = fs.open("/$MFT")
    f.close()
    with pytest.raises(ValueError):
        f.read()


def test_threads_reading_one_volume_at_once_read_what_one_thread_reads(ntfs):
    """Reads release the GIL and share the volume (its record cache, its MFT stream): eight
    threads read files, records and directories of one volume at once, in different orders,
    and each gets what a single thread got (and, in the sanitized build, ASan sees every
    one of those reads)."""
    fs = ntfs("ntfs-4k")
    files = [e for e in walked(fs) if not e.is_dir and 0 < e.size <= (1 << 20) and not e.path.startswith("/$")]
    chosen = random.Random(3).sample(files, min(48, len(files)))
    # Compressed, sparse and attribute-list files among them: each kind of stream.
    chosen += [e for e in files if e.path.split("/")[1] in ("compressed", "sparse", "growth")]

    def digests(order_seed):
        rng = random.Random(order_seed)
        order = list(chosen)
        rng.shuffle(order)
        seen = {}
        for entry in order:
            digest = hashlib.sha256()
            buffer = bytearray(rng.choice([4096, 65536, 1 << 20]))
            with fs.open(entry.path) as f:
                while count := f.readinto(buffer):
                    digest.update(memoryview(buffer)[:count])
            parent = entry.path.rsplit("/", 1)[0] or "/"
            seen[entry.path] = (digest.hexdigest(), fs.record(entry.record).size,
                                len(fs.listdir(parent)))
        return seen

    expected = digests(0)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(digests, range(1, 9)))
    assert all(result == expected for result in results)


def test_extract_a_tree_with_progress_and_cancel(unpacked, tmp_path):
    """Ntfs.extract as `diskimg extract` does it: the tree of /growth (every stage of file
    growth) equal to what TSK reads, progress up to the total, and a False answer stopping it."""
    image = unpacked("ntfs/ntfs-4k.img.gz")
    with diskimg.open(image) as disk:
        fs = disk.volumes[0].ntfs()
        seen = []
        result = fs.extract("/growth", tmp_path / "out", streams="sidecar",
                            progress=lambda done, total: seen.append((done, total)))
        assert result.files >= 4 and result.skipped == [] and result.renamed == []
        assert seen and seen[-1][0] == seen[-1][1] == result.bytes
        for entry in fs.listdir("/growth"):
            data = (tmp_path / "out" / "growth" / entry.name).read_bytes()
            assert data == tsk("icat", image, entry.record), entry.name
        with pytest.raises(diskimg.CancelledError):
            fs.extract(["/growth"], tmp_path / "stopped", progress=lambda done, total: False)
        with pytest.raises(diskimg.NotFoundError):
            fs.extract("/no/such", tmp_path / "never")
        assert not (tmp_path / "never").exists()
