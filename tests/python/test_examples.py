"""examples/python/*.py run on the NTFS fixtures, their output checked against The Sleuth
Kit (icat) and the fixtures' records of istat and ntfsinfo."""
import hashlib
import json
import os
import subprocess
import sys

import pytest

import diskimg
from conftest import NTFS, ROOT, TSK_VOLUMES, python_environment
from oracles import fls_entries

EXAMPLES = ROOT / "examples" / "python"


def run_example(name, *args):
    environment = python_environment(PYTHONPATH=os.pathsep.join(
        [str(os.path.dirname(os.path.dirname(diskimg.__file__))), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)],
                            capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


@pytest.mark.parametrize("name", TSK_VOLUMES[:2])
def test_inventory_hashes_are_icats(name, unpacked):
    image = unpacked(f"ntfs/{name}.img.gz")
    rows = run_example("inventory.py", image)
    assert rows[0] == ["volume", "path", "size", "sha256", "holes"]
    listed = {path: record for path, record, attr in fls_entries(image) if ":" not in path}
    named = {path for path, record, attr in fls_entries(image) if ":" in path and attr == 128
             and not path.split(":")[0].endswith("/.")}
    checked = 0
    for volume, path, size, digest, holes in rows[1:]:
        if ":" in path:
            assert path in named
            continue
        if path.startswith("/$") or checked >= 60:
            continue
        data = subprocess.run(["icat", str(image), str(listed[path])], capture_output=True)
        if data.returncode != 0:
            continue  # a sparse file longer than the volume: TSK cannot read it
        assert int(size) == len(data.stdout), path
        if int(holes) == 0:
            assert digest == hashlib.sha256(data.stdout).hexdigest(), path
        else:  # the holes were not read: they are zeros in what icat reads
            assert data.stdout.count(0) >= int(holes), path
        checked += 1
    assert checked > 10
    assert {r[1] for r in rows[1:] if ":" in r[1]} == named


@pytest.mark.parametrize("name", [p.name.removesuffix(".stages.json") for p in sorted(NTFS.glob("*.stages.json"))])
def test_fragmentation_puts_each_growth_file_in_the_stage_istat_found(name, unpacked):
    rows = run_example("fragmentation.py", unpacked(f"ntfs/{name}.img.gz"), "--list")
    listed = {row[2]: (row[0], int(row[1])) for row in rows if len(row) == 3}
    words = {"none": None, "resident": "attribute list", "nonresident": "nonresident attribute list"}
    for expected in json.loads((NTFS / f"{name}.stages.json").read_text()):
        stage = words[expected["attribute_list"]] or ("resident" if expected["data_resident"] else "nonresident")
        assert listed[expected["path"]] == (stage, expected["data_runs"]), expected["path"]
    totals = {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}
    assert sum(totals[s] for s in ("resident", "nonresident", "attribute list", "nonresident attribute list")) == len(listed)


@pytest.mark.parametrize("name", [p.name.removesuffix(".info.json") for p in sorted(NTFS.glob("*.info.json"))])
def test_used_space_is_what_ntfsinfo_counted(name, unpacked):
    info = json.loads((NTFS / f"{name}.info.json").read_text())["ntfsinfo"]
    rows = run_example("used_space.py", unpacked(f"ntfs/{name}.img.gz"))
    assert rows[0][:5] == ["volume", "label", "cluster_size", "total_clusters", "used_clusters"]
    _, label, cluster, total, used, used_bytes, free_bytes = rows[1]
    assert (label, int(cluster), int(total), int(used)) == (
        info["volume_name"], info["cluster_size"], info["total_clusters"], info["used_clusters"])
    assert int(free_bytes) == info["free_clusters"] * info["cluster_size"]


def test_inventory_help_is_whole():
    result = subprocess.run([sys.executable, str(EXAMPLES / "inventory.py"), "--help"], capture_output=True, text=True,
                            env=python_environment(PYTHONPATH=os.path.dirname(os.path.dirname(diskimg.__file__))))
    assert result.returncode == 0
    for words in ("SHA-256", "holes", "inventory.tsv"):  # the first line alone was shown
        assert words in result.stdout, result.stdout


def test_seek_data_and_hole_skip_a_sparse_files_holes(tmp_path):
    """File.seek(.., os.SEEK_DATA / os.SEEK_HOLE) as lseek on the sparse raw file itself."""
    path = tmp_path / "sparse.img"
    with open(path, "wb") as out:
        out.truncate(64 << 20)
        out.seek(8 << 20)
        out.write(b"x" * (1 << 20))
    with open(path, "rb") as plain, diskimg.open(path).open() as f:
        fd = plain.fileno()
        for offset in (0, 4 << 20, 8 << 20, (8 << 20) + 5):
            assert f.seek(offset, os.SEEK_DATA) == os.lseek(fd, offset, os.SEEK_DATA)
            assert f.seek(offset, os.SEEK_HOLE) == os.lseek(fd, offset, os.SEEK_HOLE)
        with pytest.raises(OSError):
            f.seek(10 << 20, os.SEEK_DATA)



def test_reads_inside_and_across_holes_give_the_files_bytes(tmp_path):
    """A read inside a hole gives zeros without filling a buffer (one bytes object shared by
    such reads); across data it reads. Either way the bytes are the sparse file's."""
    path = tmp_path / "sparse.img"
    data = bytes(range(251)) * 4178  # about 1 MiB, no zero run long enough to pass for a hole
    with open(path, "wb") as out:
        out.truncate(64 << 20)
        for at in (8 << 20, (20 << 20) + 4096, 63 << 20):
            out.seek(at)
            out.write(data[:(1 << 20)])
    whole = path.read_bytes()
    with diskimg.open(path).open() as f:
        for piece in (64 << 10, (1 << 20) + 512, 8 << 20):
            for start in (0, 4096, (8 << 20) - (64 << 10), 19 << 20, (62 << 20) + 12345):
                f.seek(start)
                got = f.read(piece)
                assert got == whole[start:start + piece], (piece, start)
                assert f.tell() == min(start + piece, len(whole))
        f.seek(0)
        first = f.read(1 << 20)
        f.seek(2 << 20)
        assert f.read(1 << 20) is first == bytes(1 << 20)  # the hole's zeros, shared
