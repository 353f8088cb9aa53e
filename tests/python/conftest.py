"""The Python tests: `import diskimg` from the build tree (PYTHONPATH, set by ctest) or from
an installed package; fixtures and The Sleuth Kit from tests/oracles.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from oracles import FIXTURES, ldm_images, sample, unpacked  # noqa: E402,F401  (fixtures)

ROOT = Path(__file__).parents[2]
NTFS = FIXTURES / "ntfs"
NTFS_VOLUMES = sorted(p.name.removesuffix(".img.gz") for p in NTFS.glob("*.img.gz"))
# TSK cannot open the 2 MiB-cluster volume: it has no fls record.
TSK_VOLUMES = [name for name in NTFS_VOLUMES if (NTFS / f"{name}.fls.txt").exists()]
