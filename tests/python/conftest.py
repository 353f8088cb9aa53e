"""The Python tests: `import diskimg` from the build tree (PYTHONPATH, set by ctest) or from
an installed package; fixtures and The Sleuth Kit from tests/oracles.py."""
import os
import sys
from pathlib import Path

# Under ASan the interpreter runs with the sanitizer runtime preloaded (tests/CMakeLists.txt);
# it is loaded now, and the oracles this suite runs (fsstat, qemu-img, ...) must not inherit
# it: an uninstrumented program with the runtime preloaded can hang at start. A Python child
# that imports diskimg gets it back (python_environment()).
SANITIZER_PRELOAD = os.environ.pop("LD_PRELOAD", None)


def python_environment(**extra):
    """The environment for a Python child process that imports diskimg."""
    environment = dict(os.environ, **extra)
    if SANITIZER_PRELOAD:
        environment["LD_PRELOAD"] = SANITIZER_PRELOAD
    return environment

sys.path.insert(0, str(Path(__file__).parents[1]))
from oracles import FIXTURES, ldm_images, pytest_terminal_summary, sample, unpacked  # noqa: E402,F401  (fixtures, hook)

ROOT = Path(__file__).parents[2]
NTFS = FIXTURES / "ntfs"
NTFS_VOLUMES = sorted(p.name.removesuffix(".img.gz") for p in NTFS.glob("*.img.gz"))
# TSK cannot open the 2 MiB-cluster volume: it has no fls record.
TSK_VOLUMES = [name for name in NTFS_VOLUMES if (NTFS / f"{name}.fls.txt").exists()]
