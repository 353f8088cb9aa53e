"""Shadow copies of the real Windows 10 sample disk (../shared/vss-sample: two copies, the
newer one offline), against libvshadow (vshadowinfo, pyvshadow) and The Sleuth Kit on what
pyvshadow exports. Skipped when the sample is not there."""
import json
import os
import re
import subprocess
import zlib
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest

import diskimg
from oracles import data_extents, fls_names_and_streams, tsk, windows_disk  # noqa: F401  (a fixture)

pyvshadow = pytest.importorskip("pyvshadow")
VOLUME_OFFSET = 1 << 20  # the NTFS partition of the sample starts at sector 2048
MIB = 1 << 20
DISKIMG = os.environ.get("DISKIMG", "diskimg")


class VolumeWindow:
    """The partition of the disk image as a file object for pyvshadow."""

    def __init__(self, path):
        self.file = open(path, "rb")
        self.size = os.fstat(self.file.fileno()).st_size - VOLUME_OFFSET
        self.position = 0

    def seek(self, offset, whence=0):
        self.position = [offset, self.position + offset, self.size + offset][whence]
        return self.position

    def tell(self):
        return self.position

    def read(self, size=-1):
        size = self.size - self.position if size < 0 else min(size, self.size - self.position)
        data = os.pread(self.file.fileno(), size, VOLUME_OFFSET + self.position)
        self.position += len(data)
        return data

    def get_size(self):
        return self.size


def data_mibs(disk):
    """The MiBs of the volume where the disk image file holds data (SEEK_DATA)."""
    mibs = set()
    with open(disk, "rb") as file:
        for data, hole in data_extents(file, VOLUME_OFFSET):
            mibs.update(range((data - VOLUME_OFFSET) // MIB, (hole - VOLUME_OFFSET - 1) // MIB + 1))
    return mibs


def export_store(disk, index, also, out):
    """Store `index` (from 1) as pyvshadow reads it: {MiB number: CRC-32} of the MiBs that
    are not all zeros, and the same bytes in the sparse file `out` (for TSK). Read: every
    MiB where the image file holds data, every MiB a block descriptor of this store or a
    newer one names (libvshadow's own list), and `also`. Elsewhere libvshadow reads the
    current volume, a hole of the image: zeros."""
    volume = pyvshadow.volume()
    volume.open_file_object(VolumeWindow(disk))
    store = volume.get_store(index - 1)
    size = store.get_size()
    wanted = data_mibs(disk) | set(also)
    for newer in range(index - 1, volume.get_number_of_stores()):
        for block in volume.get_store(newer).blocks:
            wanted.update({block.original_offset // MIB, block.relative_offset // MIB})
    crcs = {}
    with open(out, "wb") as file:
        file.truncate(size)
        for mib in sorted(m for m in wanted if m * MIB < size):
            data = store.read_buffer_at_offset(min(MIB, size - mib * MIB), mib * MIB)
            if data.count(0) != len(data):
                crcs[mib] = zlib.crc32(data)
                file.seek(mib * MIB)
                file.write(data)
    return crcs


def read_snapshot(snapshot):
    """{MiB number: CRC-32} of the MiBs of the snapshot (diskimg) that are not all zeros;
    the holes diskimg's source reports (os.SEEK_DATA) are not read."""
    crcs = {}
    with snapshot.open() as file:
        position = 0
        while True:
            try:
                position = file.seek(position, os.SEEK_DATA)
            except OSError:
                break
            mib = position // MIB
            file.seek(mib * MIB)
            data = file.read(MIB)
            if data.count(0) != len(data):
                crcs[mib] = zlib.crc32(data)
            position = (mib + 1) * MIB
    return crcs


@pytest.fixture(scope="module")
def exported(windows_disk, volume, tmp_path_factory):
    """Each store as diskimg and as pyvshadow read it: (ours, theirs, pyvshadow's export)."""
    directory = tmp_path_factory.mktemp("vss")
    ours = {s.index: read_snapshot(s) for s in volume.snapshots}
    paths = {index: directory / f"store{index}.raw" for index in ours}
    with ProcessPoolExecutor(2) as pool:
        theirs = dict(zip(paths, pool.map(export_store, [windows_disk] * len(paths), paths,
                                          [ours[i] for i in paths], paths.values())))
    return {index: (ours[index], theirs[index], paths[index]) for index in paths}


@pytest.fixture(scope="module")
def volume(windows_disk):
    return diskimg.open(windows_disk).volumes[0]


def vshadowinfo(disk):
    """vshadowinfo's stores: {index: {field: value}}."""
    text = subprocess.run(["vshadowinfo", "-o", str(VOLUME_OFFSET), str(disk)], capture_output=True, text=True,
                          check=True).stdout
    stores = {}
    for block in re.split(r"\nStore: ", text)[1:]:
        index, _, body = block.partition("\n")
        stores[int(index)] = dict(re.findall(r"^\t(.+?)\s*: (.*)$", body, re.M))
    return stores


def test_the_snapshots_are_those_vshadowinfo_lists(windows_disk, volume):
    theirs = vshadowinfo(windows_disk)
    listed = json.loads(subprocess.run([DISKIMG, "inspect", "--json", str(windows_disk)], capture_output=True,
                                       text=True, check=True).stdout)["volumes"][0]["snapshots"]
    assert [s["index"] for s in listed] == sorted(theirs) == [1, 2]
    for ours, snapshot in zip(listed, volume.snapshots):
        store = theirs[ours["index"]]
        assert ours["id"] == snapshot.id == store["Identifier"]
        assert ours["set_id"] == snapshot.set_id == store["Shadow copy set ID"]
        assert ours["shadow_copy_id"] == snapshot.shadow_copy_id == store["Shadow copy ID"]
        assert ours["volume_size"] == snapshot.volume_size == int(re.search(r"\((\d+) bytes\)", store["Volume size"])[1])
        assert ours["flags"] == snapshot.flags == int(store["Attribute flags"], 16)
        # "Jul 25, 2020 12:26:04.398924700 UTC": nanoseconds, of which FILETIME holds 100s.
        when, nanoseconds = re.match(r"(\w+ \d+, \d+ \d+:\d+:\d+)\.(\d{9}) UTC", store["Creation time"]).groups()
        stamp = datetime.strptime(when, "%b %d, %Y %H:%M:%S")
        assert ours["created"] == stamp.strftime("%Y-%m-%dT%H:%M:%S.") + nanoseconds[:7] + "Z"
        assert snapshot.created == stamp.replace(microsecond=int(nanoseconds[:6]), tzinfo=timezone.utc)


def test_one_of_the_two_is_offline_as_the_sample_says(volume):
    # The sample's README: one copy is marked offline (Windows' vssadmin shows only one).
    # Which one libvshadow does not say; the catalog flag 0x100 (dfir_ntfs: "offline") does.
    assert sorted(s.offline for s in volume.snapshots) == [False, True]


def store_file_runs(disk, store_id):
    """TSK's runs of the store's file in System Volume Information ("{store id}{VSS GUID}"):
    [(file offset, volume offset, length)] in bytes."""
    listing = tsk("fls", "-o", VOLUME_OFFSET // 512, disk, 36).decode()  # 36: System Volume Information
    record = re.search(r"r/r (\d+)-128-\d+:\t\{" + store_id + r"\}\{3808876b-", listing)[1]
    text = tsk("istat", "-r", "-o", VOLUME_OFFSET // 512, disk, record).decode()
    cluster = int(re.search(r"Cluster Size: (\d+)", tsk("fsstat", "-o", VOLUME_OFFSET // 512, disk).decode())[1])
    runs, position = [], 0
    for start, length in re.findall(r"Starting address: (\d+), length: (\d+)", text.split("$DATA (128-", 1)[1]):
        runs.append((position, int(start) * cluster, int(length) * cluster))
        position += int(length) * cluster
    return runs


def test_each_store_keeps_its_data_where_its_file_in_system_volume_information_is(windows_disk, volume):
    # The range list places store offsets on the volume; the store's file, as TSK reads its
    # runs, must place them alike. The file holds the first of them (its headers and the
    # blocks saved so far); the range runs on over the space reserved for the store.
    for snapshot in volume.snapshots:
        assert snapshot.store_extents, snapshot.index
        runs = store_file_runs(windows_disk, snapshot.id)
        checked = 0
        for offset, length, store_offset in snapshot.store_extents:
            for file_offset, volume_offset, run_length in runs:
                low, high = max(file_offset, store_offset), min(file_offset + run_length, store_offset + length)
                if low < high:
                    assert volume_offset + (low - file_offset) == offset + (low - store_offset)
                    checked += high - low
        assert checked >= 64 * 1024, snapshot.index  # the saved blocks of the sample's stores at least


@pytest.mark.parametrize("index", [1, 2])
def test_every_byte_of_each_snapshot_is_what_pyvshadow_reads(volume, exported, index):
    ours, theirs, export = exported[index]
    with volume.snapshots[index - 1].open() as file:
        assert file.seek(0, 2) == os.path.getsize(export)  # pyvshadow: the NTFS volume's size
    assert len(theirs) > 100  # the volume's data, not only its empty space
    assert ours == theirs


@pytest.mark.parametrize("index", [1, 2])
def test_every_file_of_each_snapshot_is_what_tsk_finds_in_pyvshadows_export(windows_disk, volume, exported, index):
    _, _, export = exported[index]
    ntfs = volume.snapshots[index - 1].ntfs()
    listed = json.loads(subprocess.run([DISKIMG, "ls", "-r", "--json", "--snapshot", str(index),
                                        str(windows_disk)], capture_output=True, text=True, check=True).stdout)
    ours = {(e["path"], e["record"]) for e in listed}
    fls_names, fls_streams = fls_names_and_streams(export)
    assert ours <= fls_names
    assert {(f"{e['path']}:{s['name']}", e["record"]) for e in listed for s in e["streams"]} == fls_streams
    compared = 0
    for entry in listed:
        if entry["is_dir"] or entry["size"] > 64 * MIB or (entry["path"].startswith("/$") and not entry["size"]):
            continue  # directories, the biggest files, metadata files without an unnamed $DATA
        with ntfs.open(entry["path"]) as file:
            assert file.read() == tsk("icat", export, entry["record"]), entry["path"]
        compared += 1
    assert compared > 10
    # The sample's README: the newest copy has shadow_2 in its root.
    names = {e["path"] for e in listed}
    assert ("/shadow_2.txt" in names) == (index == 2)
    assert ("/shadow_1.txt" in names) == (index == 1)



def compare_used_clusters(vhd, start, used, reference, alone=False, reference_start=0):
    """Every cluster `used` (usedmap's JSON) marks of the volume at `start` of an open pyvhdi
    file equals the same bytes of `reference`, a file holding the volume at `reference_start`. `alone`: the volume was
    converted alone, its boot sector's hidden sectors made 2048 (convert.md). Returns the
    bytes compared."""
    cluster = used["cluster_size"]
    compared = 0
    with open(reference, "rb") as theirs:
        for first, count in used["extents"]:
            for at in range(first * cluster, (first + count) * cluster, 8 * MIB):
                length = min(8 * MIB, (first + count) * cluster - at)
                expected = bytearray(os.pread(theirs.fileno(), length, reference_start + at))
                if alone and at < 512:
                    expected[0x1C:0x20] = (2048).to_bytes(4, "little")
                assert vhd.read_buffer_at_offset(length, start + at) == bytes(expected), f"at {at:#x}"
                compared += length
    return compared


@pytest.mark.parametrize("index, alone", [(1, False), (2, False), (2, True)])
def test_convert_of_a_snapshot_holds_its_used_clusters_as_pyvshadow_reads_them(windows_disk, exported, index, alone,
                                                                               tmp_path):
    """The whole disk with the copy spliced in, or (alone) the copy in a new MBR: either way
    the volume starts at 1 MiB, as on the sample."""
    pyvhdi = pytest.importorskip("pyvhdi")
    _, _, export = exported[index]
    out = tmp_path / f"copy{index}.vhd"
    summary = json.loads(subprocess.run([DISKIMG, "convert", str(windows_disk), "--snapshot", str(index), "-o", str(out),
                                         "--json", *(["--volume", "0"] if alone else [])],
                                        capture_output=True, text=True, check=True).stdout)
    assert any(f"shadow copy {index} saw it" in note for note in summary["notes"])
    used = json.loads(subprocess.run([DISKIMG, "usedmap", "--json", "--snapshot", str(index), str(windows_disk)],
                                     capture_output=True, text=True, check=True).stdout)
    vhd = pyvhdi.file()
    vhd.open(str(out))
    try:
        compared = compare_used_clusters(vhd, VOLUME_OFFSET, used, export, alone)
    finally:
        vhd.close()
    assert compared == used["used_clusters"] * used["cluster_size"]
    # No larger than the data: the used clusters that are not zeros, the VHD's own tables,
    # and the rest of the 512 KiB blocks they fall in.
    assert out.stat().st_size <= summary["bytes_written"] + 64 * MIB
    assert summary["bytes_written"] <= summary["bytes_in_use"]


SAMPLE_SECTORS = 134211584  # the sample's NTFS partition


def two_sample_volumes(windows_disk, out, copies_in_second=True):
    """An MBR disk holding the sample's volume twice, partitions 1 and 2 (volumes 0 and 1);
    without `copies_in_second`, the second has no VSS header (zeros at 0x1E00)."""
    second = VOLUME_OFFSET + SAMPLE_SECTORS * 512
    with open(windows_disk, "rb") as source, open(out, "wb") as disk:
        disk.truncate(second + SAMPLE_SECTORS * 512 + MIB)
        for data, hole in data_extents(source, VOLUME_OFFSET):
            for at in range(data, hole, MIB):
                chunk = os.pread(source.fileno(), min(MIB, hole - at), at)
                os.pwrite(disk.fileno(), chunk, at)
                os.pwrite(disk.fileno(), chunk, second + at - VOLUME_OFFSET)
        if not copies_in_second:
            os.pwrite(disk.fileno(), bytes(16), second + 0x1E00)
    subprocess.run(["sfdisk", "-q", str(out)], input=f"2048,{SAMPLE_SECTORS},7\n,{SAMPLE_SECTORS},7\n", text=True,
                   check=True)
    return out


def test_a_copy_of_a_disk_whose_volumes_both_hold_copies_names_the_volume(windows_disk, exported, tmp_path):
    pyvhdi = pytest.importorskip("pyvhdi")
    disk = two_sample_volumes(windows_disk, tmp_path / "two.raw")
    out = tmp_path / "copy.vhd"
    refused = subprocess.run([DISKIMG, "convert", str(disk), "--snapshot", "2", "-o", str(out)], capture_output=True,
                             text=True)
    assert refused.returncode == 2 and not out.exists()
    assert "several NTFS volumes holding shadow copies, and none was chosen as the one the copy is of: " \
           "0 (partition 1), 1 (partition 2); name the one with --snapshot-volume" in refused.stderr
    summary = json.loads(subprocess.run([DISKIMG, "convert", str(disk), "--snapshot", "2", "--snapshot-volume", "1",
                                         "-o", str(out), "--json"], capture_output=True, text=True, check=True).stdout)
    assert summary["notes"][0].startswith("volume 1 (partition 2) as its shadow copy 2 saw it")
    copy_used, now_used = (json.loads(subprocess.run([DISKIMG, "usedmap", "--json", *extra, str(windows_disk)],
                                                     capture_output=True, text=True, check=True).stdout)
                           for extra in (["--snapshot", "2"], []))
    assert copy_used["extents"] != now_used["extents"]  # the copy's $Bitmap is not the volume's
    vhd = pyvhdi.file()
    vhd.open(str(out))
    try:
        compare_used_clusters(vhd, VOLUME_OFFSET + SAMPLE_SECTORS * 512, copy_used, exported[2][2])  # the copy
        compare_used_clusters(vhd, VOLUME_OFFSET, now_used, windows_disk, reference_start=VOLUME_OFFSET)  # as now
    finally:
        vhd.close()


def test_a_copy_of_a_disk_is_of_the_only_volume_holding_copies(windows_disk, tmp_path):
    disk = two_sample_volumes(windows_disk, tmp_path / "two.raw", copies_in_second=False)
    summary = json.loads(subprocess.run([DISKIMG, "convert", str(disk), "--snapshot", "1", "-o",
                                         str(tmp_path / "copy.vhd"), "--json"], capture_output=True, text=True,
                                        check=True).stdout)
    assert summary["notes"][0].startswith("volume 0 (partition 1) as its shadow copy 1 saw it")
    asked = subprocess.run([DISKIMG, "convert", str(disk), "--snapshot", "1", "--snapshot-volume", "1", "-o",
                            str(tmp_path / "other.vhd")], capture_output=True, text=True)
    assert asked.returncode == 2 and "no shadow copy 1 (0 listed)" in asked.stderr


@pytest.mark.parametrize("index", [1, 2])
def test_extract_of_a_snapshot_gives_what_tsk_reads_in_pyvshadows_export(windows_disk, exported, index, tmp_path):
    _, _, export = exported[index]
    out = tmp_path / "restored"
    summary = json.loads(subprocess.run([DISKIMG, "extract", str(windows_disk), "--snapshot", str(index), "/", "-o",
                                         str(out), "--json"], capture_output=True, text=True, check=True).stdout)
    assert not summary["skipped"]
    restored = {"/" + str(p.relative_to(out)): p for p in out.rglob("*") if p.is_file()}
    assert len(restored) == summary["files"] > 3
    records = {path: record for path, record in fls_names_and_streams(export)[0]}
    for path, file in restored.items():
        assert file.read_bytes() == tsk("icat", export, records[path]), path
    assert ("/shadow_2.txt" in restored) == (index == 2)
