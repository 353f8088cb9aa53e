"""Shared by the command-line and Python tests: the fixtures, and what The Sleuth Kit (an
independent reader) says about them."""
import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

FIXTURES = Path(os.environ.get("DISKIMG_FIXTURES", Path(__file__).parent / "fixtures"))


def unpacker(directory):
    """A function that unpacks fixtures/<relative>.gz into `directory` once and gives its path."""
    cache = {}

    def unpack(relative):
        if relative not in cache:
            target = Path(directory) / Path(relative).name.removesuffix(".gz")
            with gzip.open(FIXTURES / relative, "rb") as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            cache[relative] = target
        return cache[relative]

    return unpack


def tsk(*args):
    return subprocess.run(list(map(str, args)), capture_output=True, check=True).stdout


def fls_entries(image, sector_offset=None):
    """Allocated entries of `fls -r -p` (deleted ones and TSK's virtual folders left out):
    (path, record, attribute type or None); named streams come as "path:name"."""
    offset = [] if sector_offset is None else ["-o", sector_offset]
    entries = []
    for line in tsk("fls", "-r", "-p", *offset, image).decode("utf-8", "surrogateescape").splitlines():
        match = re.match(r"^(\S+) (\*?) ?([0-9]+)(?:-([0-9]+)-([0-9]+))?(?:\(realloc\))?:\t(.*)$", line)
        if not match or match.group(2) == "*":
            continue
        kind, _, record, attr_type, _, path = match.groups()
        if kind.startswith("V") or path.startswith("$OrphanFiles"):
            continue
        entries.append(("/" + path, int(record), int(attr_type) if attr_type else None))
    return entries
