"""The Python tests: `import diskimg` from the build tree (PYTHONPATH, set by ctest) or from
an installed package; fixtures and The Sleuth Kit from tests/oracles.py."""
import gzip
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from oracles import FIXTURES, unpacker  # noqa: E402,F401

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "examples" / "sample-disk" / "sample-disk.img.gz"
NTFS = FIXTURES / "ntfs"
NTFS_VOLUMES = sorted(p.name.removesuffix(".img.gz") for p in NTFS.glob("*.img.gz"))
# TSK cannot open the 2 MiB-cluster volume: it has no fls record.
TSK_VOLUMES = [name for name in NTFS_VOLUMES if (NTFS / f"{name}.fls.txt").exists()]


@pytest.fixture(scope="session")
def unpacked(tmp_path_factory):
    return unpacker(tmp_path_factory.mktemp("fixtures"))


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """The bundled sample disk: GPT with EFI FAT, MSR, NTFS "Windows", recovery NTFS."""
    path = tmp_path_factory.mktemp("sample") / "sample.img"
    with gzip.open(SAMPLE) as source, open(path, "wb") as out:
        shutil.copyfileobj(source, out)
    return path
