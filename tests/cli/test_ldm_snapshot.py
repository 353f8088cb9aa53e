"""A shadow copy of an LDM volume, converted with the rest of each member disk
(`convert --snapshot N` without `--volume`): the copy goes back onto every member through
the volume's layout (RAID-5 parity included; mirror plexes each), so the converted disks
assemble to the copy. No Windows tool on Linux makes an LDM volume with shadow copies: the
Windows 2003 R2 sample's RAID-5 and mirrored volumes get one from fuzz/vss_volume.py's
structures, in blocks their NTFS $Bitmap (read with TSK's icat) marks free, saving the block
of /test.txt's data before the test changes it. Each layout is written back onto the
disks by this file's own chunk arithmetic, and the copy is read by pyvshadow and TSK."""
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run, run_bytes, run_json
from oracles import needs_ldm_samples

pytestmark = needs_ldm_samples
pyvshadow = pytest.importorskip("pyvshadow")
ROOT = Path(__file__).parents[2]
spec = importlib.util.spec_from_file_location("vss_volume", ROOT / "fuzz" / "vss_volume.py")
vss_volume = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vss_volume)
BLOCK = vss_volume.BLOCK


class Layout:
    """Where an LDM volume's bytes lie on its disks, from `inspect --json` (whose extents
    test_ldm.py holds to ldmtool's): RAID-5 left-symmetric (row r's parity in column
    n-1 - r mod n, its data chunks in the columns after it), or mirror plexes."""

    def __init__(self, volume, paths):
        self.volume = volume
        self.size = volume["size"]
        self.stripe = volume["stripe_size"]
        self.extents = sorted(volume["extents"], key=lambda e: (e["plex"], e["column"]))
        self.paths = paths  # disk name -> image path

    def _extent(self, disk_bytes, extent):
        data = disk_bytes[extent["disk"]]
        return data, extent["disk_offset"]

    def read(self, disk_bytes):
        if self.volume["layout"] == "mirror":
            data, at = self._extent(disk_bytes, self.extents[0])
            return bytes(data[at:at + self.size])
        out = bytearray()
        n = len(self.extents)
        for chunk in range(-(-self.size // self.stripe)):
            row, j = divmod(chunk, n - 1)
            parity = (n - 1) - row % n
            data, at = self._extent(disk_bytes, self.extents[(parity + 1 + j) % n])
            out += data[at + row * self.stripe:at + (row + 1) * self.stripe]
        return bytes(out[:self.size])

    def write(self, disk_bytes, volume):
        if self.volume["layout"] == "mirror":
            for extent in self.extents:
                data, at = self._extent(disk_bytes, extent)
                data[at:at + self.size] = volume
            return
        n = len(self.extents)
        padded = volume + bytes(-len(volume) % (self.stripe * (n - 1)))
        for row in range(len(padded) // (self.stripe * (n - 1))):
            parity_column = (n - 1) - row % n
            parity = 0
            for j in range(n - 1):
                chunk = padded[(row * (n - 1) + j) * self.stripe:(row * (n - 1) + j + 1) * self.stripe]
                data, at = self._extent(disk_bytes, self.extents[(parity_column + 1 + j) % n])
                data[at + row * self.stripe:at + (row + 1) * self.stripe] = chunk
                parity ^= int.from_bytes(chunk, "little")
            data, at = self._extent(disk_bytes, self.extents[parity_column])
            data[at + row * self.stripe:at + (row + 1) * self.stripe] = parity.to_bytes(self.stripe, "little")


def free_blocks(volume_path, count):
    """16 KiB blocks whose 512-byte clusters $Bitmap (TSK's icat of record 6) marks free."""
    bitmap = subprocess.run(["icat", str(volume_path), "6"], capture_output=True, check=True).stdout
    free = [b for b in range(1, len(bitmap) * 8 // 32) if not any(bitmap[b * 4:b * 4 + 4])]
    assert len(free) >= count
    return [b * BLOCK for b in free[:count]]


def give_a_shadow_copy(volume, volume_path):
    """Saves the block of /test.txt's data in a store, then changes the text in
    the volume: the copy says "Filesystem test", the volume "Filesystem TEST"."""
    text = b"Filesystem test"
    at = volume.find(text)
    assert at > 0 and volume.find(text, at + 1) == -1  # its cluster, and nowhere else
    catalog, header, blocks, ranges, bitmap, saved = free_blocks(volume_path, 6)
    original = at // BLOCK * BLOCK
    volume[saved:saved + BLOCK] = volume[original:original + BLOCK]
    places = dict(header=header, blocks=blocks, ranges=ranges, bitmap=bitmap, previous=0, store=(saved, BLOCK))
    vss_volume.write_stores(volume, [places], len(volume), catalog_at=catalog, free=())
    vss_volume.write_block_list(volume, blocks, [(original, 0, saved, 0, 0)])
    volume[at:at + len(text)] = b"Filesystem TEST"


@pytest.fixture(scope="module", params=["raid5", "mirrored"])
def group_with_a_copy(request, ldm_images, tmp_path_factory):
    kind = request.param
    directory = tmp_path_factory.mktemp(kind)
    disks = []
    for path in ldm_images("2003r2"):
        if f"-{kind}-" in path.name:
            disks.append(directory / path.name)
            shutil.copyfile(path, disks[-1])
    report = run_json("inspect", *disks)
    [volume] = [v for v in report["ldm"]["volumes"] if v["state"] == "complete"]
    names = {d["name"]: directory / d["source"] for d in report["ldm"]["disks"] if d["present"]}
    layout = Layout(volume, names)
    disk_bytes = {name: bytearray(path.read_bytes()) for name, path in names.items()}
    current = bytearray(layout.read(disk_bytes))
    volume_path = directory / "volume.raw"
    volume_path.write_bytes(current)
    # This file's layout reads what diskimg reads (its LDM reading is tested against ldmtool).
    assert run_bytes("cat", *disks, "/test.txt") == b"Filesystem test"
    give_a_shadow_copy(current, volume_path)
    volume_path.write_bytes(current)
    layout.write(disk_bytes, bytes(current))
    for name, path in names.items():
        path.write_bytes(disk_bytes[name])
    return kind, disks, volume_path


def pyvshadow_copy(volume_path, out):
    handle = pyvshadow.volume()
    handle.open(str(volume_path))
    store = handle.get_store(0)
    out.write_bytes(store.read_buffer_at_offset(store.get_size(), 0))
    handle.close()
    return out


def test_the_copy_is_read_through_the_layout(group_with_a_copy):
    _, disks, volume_path = group_with_a_copy
    assert run_bytes("cat", *disks, "/test.txt") == b"Filesystem TEST"
    assert run_bytes("cat", "--snapshot", "1", *disks, "/test.txt") == b"Filesystem test"
    [listed] = run_json("inspect", *disks)["volumes"][0]["snapshots"]
    assert listed["index"] == 1 and listed["id"] == str(vss_volume.STORES[0])


def test_each_member_converted_as_of_the_copy_assembles_to_it(group_with_a_copy, tmp_path):
    kind, disks, volume_path = group_with_a_copy
    theirs = pyvshadow_copy(volume_path, tmp_path / "theirs.raw")
    assert subprocess.run(["icat", str(theirs), "0"], capture_output=True).returncode == 0
    outputs = []
    for first in disks:
        out = tmp_path / (first.stem + ".vhd")
        others = [d for d in disks if d != first]
        result = run("convert", "--snapshot", "1", first, *others, "-o", out)
        assert "as its shadow copy 1 saw it" in result.stderr
        outputs.append(out)
    # The converted disks are the group as of the copy; for RAID-5, any two of them too
    # (the parity written back is the copy's).
    assert run_bytes("cat", *outputs, "/test.txt") == b"Filesystem test"
    subsets = [outputs] + ([[o for o in outputs if o != missing] for missing in outputs] if kind == "raid5"
                           else [[o] for o in outputs])
    for given in subsets:
        volume = tmp_path / "ours.raw"
        volume.unlink(missing_ok=True)
        run("convert", "--volume", "0", "--all-sectors", "--format", "raw", *given, "-o", volume)
        ours = volume.read_bytes()[1 << 20:]  # after the new MBR
        # Every cluster the copy's $Bitmap marks used is pyvshadow's (a conversion copies those).
        bitmap = subprocess.run(["icat", str(theirs), "6"], capture_output=True, check=True).stdout
        expected = bytearray(theirs.read_bytes())
        for boot in (0, len(expected) - 512):  # in a new MBR, the boot sectors count 2048 hidden sectors
            if expected[boot + 3:boot + 11] == b"NTFS    ":
                expected[boot + 28:boot + 32] = (2048).to_bytes(4, "little")
        assert len(ours) == len(expected)
        for cluster in range(len(expected) // 512):
            if bitmap[cluster // 8] >> (cluster % 8) & 1:
                assert ours[cluster * 512:cluster * 512 + 512] == expected[cluster * 512:cluster * 512 + 512], (
                    f"{[g.name for g in given]}: cluster {cluster}")
        # TSK reads the file from the conversion as from pyvshadow's copy.
        inode = subprocess.run(["ifind", "-n", "/test.txt", str(theirs)], capture_output=True, text=True,
                               check=True).stdout.strip()
        assert tsk_cat(volume, inode, offset=2048) == tsk_cat(theirs, inode) == b"Filesystem test"


def tsk_cat(image, inode, offset=0):
    return subprocess.run(["icat", "-o", str(offset), str(image), inode], capture_output=True, check=True).stdout
