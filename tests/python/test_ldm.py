"""diskimg.open of LDM disk groups (the Windows sample disks): every volume's NTFS boot
sector and its backup where NTFS puts them, the test file, degraded reads."""
import hashlib

import pytest

import diskimg
from oracles import LDM_GROUPS, needs_ldm_samples

pytestmark = needs_ldm_samples


@pytest.mark.parametrize("group", LDM_GROUPS)
def test_every_volume_has_its_boot_sectors_and_the_test_file(group, ldm_images):
    with diskimg.open(ldm_images(group)) as disk:
        assert disk.ldm.name and all(d.present for d in disk.ldm.disks)
        volumes = [v for v in disk.volumes if v.ldm]
        assert sorted(v.source for v in volumes) == sorted("ldm " + v.name for v in disk.ldm.volumes)
        for volume in volumes:
            with volume.open() as f:
                boot = f.read(512)
                assert boot[3:11] == b"NTFS    " and boot[510:] == b"\x55\xaa", volume.source
                total_sectors = int.from_bytes(boot[0x28:0x30], "little")
                f.seek(total_sectors * 512)  # the backup: the sector after the last one NTFS counts
                assert f.read(512) == boot, volume.source
                assert (total_sectors + 1) * 512 <= volume.size
            fs = volume.ntfs()
            with fs.open("/test.txt") as f:
                assert f.read() == b"Filesystem test"


@pytest.mark.parametrize("group, kind", [("2003r2", "raid5"), ("2008r2", "raid5"), ("2003r2", "mirrored"),
                                         ("2008r2", "mirrored")])
def test_each_disk_missing_in_turn_reads_the_same_bytes(group, kind, ldm_images):
    members = [p for p in ldm_images(group) if f"-{kind}-" in p.name]

    def digest(paths):
        with diskimg.open(paths) as disk:
            [volume] = [v for v in disk.volumes if v.ldm]
            state = next(v.state for v in disk.ldm.volumes if "ldm " + v.name == volume.source)
            with volume.open() as f:
                return state, hashlib.sha256(f.read()).hexdigest()
    complete = digest(members)
    assert complete[0] == "complete"
    for missing in members:
        rest = [p for p in members if p != missing]
        assert digest(rest) == ("degraded", complete[1]), missing.name


def test_an_ldm_volume_converts_from_python(ldm_images, tmp_path):
    disks = ldm_images("2008r2")
    with diskimg.open(disks) as disk:
        index = next(v.index for v in disk.volumes if v.source == "ldm Volume4")  # RAID-5
    result = diskimg.convert(disks, tmp_path / "raid5.vhd", volume=index)
    assert result.virtual_size == (1 << 20) + 32 * 1024 * 1024
    with diskimg.open(tmp_path / "raid5.vhd") as copy:
        assert copy.scheme == "mbr" and copy.partitions[0].start == 1 << 20
        with copy.volumes[0].ntfs().open("/test.txt") as f:
            assert f.read() == b"Filesystem test"
