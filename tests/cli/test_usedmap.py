"""`diskimg usedmap` against $Bitmap as The Sleuth Kit extracts it and the used-cluster count
ntfsinfo reported; --verify on consistent volumes and on volumes with a damaged $Bitmap."""
import json
import subprocess

import pytest

from conftest import FIXTURES, run, run_json

NTFS = FIXTURES / "ntfs"
VOLUMES = sorted(p.name.removesuffix(".img.gz") for p in NTFS.glob("*.img.gz"))


def tsk_extents(image, total_clusters):
    """Extents of set bits of $Bitmap's bytes as icat gives them (bits past the volume
    dropped, cluster 0 always used)."""
    bitmap = subprocess.run(["icat", str(image), "6"], capture_output=True, check=True).stdout
    used = [(bitmap[c // 8] >> (c % 8)) & 1 for c in range(total_clusters)]
    used[0] = 1
    extents, start = [], None
    for cluster, bit in enumerate(used + [0]):
        if bit and start is None:
            start = cluster
        elif not bit and start is not None:
            extents.append([start, cluster - start])
            start = None
    return extents


@pytest.mark.parametrize("name", VOLUMES)
def test_used_clusters_agree_with_ntfsinfo_and_the_bitmap_tsk_reads(name, unpacked):
    image = unpacked(f"ntfs/{name}.img.gz")
    info = json.loads((NTFS / f"{name}.info.json").read_text()).get("ntfsinfo", {})
    used = run_json("usedmap", image)
    assert sum(count for _, count in used["extents"]) == used["used_clusters"]
    if "used_clusters" in info:
        assert used["used_clusters"] == info["used_clusters"]
    if (NTFS / f"{name}.fls.txt").exists():  # TSK opens it
        assert used["extents"] == tsk_extents(image, used["total_clusters"])
    inspect = run_json("inspect", image)["volumes"][0]["ntfs"]
    assert inspect["used_clusters"] == used["used_clusters"]


@pytest.mark.parametrize("name", VOLUMES)
def test_every_fixture_verifies_consistent(name, unpacked):
    result = run("usedmap", "--verify", "--json", unpacked(f"ntfs/{name}.img.gz"))
    verify = json.loads(result.stdout)["verify"]
    assert verify["consistent"], verify


def test_a_damaged_bitmap_is_reported_with_the_files_involved(unpacked, tmp_path):
    image = unpacked("ntfs/ntfs-4k.img.gz")
    bitmap = run_json("stat", image, "--record", 6)
    data = next(a for a in bitmap["attributes"] if a["type"] == 128 and a["name"] == "")
    vcn, lcn, length = data["runs"][0]
    assert vcn == 0 and lcn is not None
    cluster_size = run_json("usedmap", image)["cluster_size"]
    stage2 = run_json("stat", image, "/growth/stage2-nonresident.bin")
    first_data_cluster = next(a for a in stage2["attributes"] if a["type"] == 128)["runs"][0][1]
    extents = run_json("usedmap", image)["extents"]
    free_cluster = extents[0][0] + extents[0][1]  # the first free cluster after the first extent

    blob = bytearray(image.read_bytes())
    base = lcn * cluster_size
    blob[base + first_data_cluster // 8] &= ~(1 << (first_data_cluster % 8)) & 0xFF
    blob[base + free_cluster // 8] |= 1 << (free_cluster % 8)
    damaged = tmp_path / "damaged.img"
    damaged.write_bytes(blob)

    result = run("usedmap", "--verify", "--json", damaged, check=False)
    assert result.returncode == 1
    verify = json.loads(result.stdout)["verify"]
    assert verify["used_but_free_clusters"] == 1
    assert verify["used_but_free"][0]["cluster"] == first_data_cluster
    assert verify["used_but_free"][0]["path"] == "/growth/stage2-nonresident.bin"
    assert verify["marked_but_unowned_clusters"] == 1
    assert verify["marked_but_unowned"] == [free_cluster]
