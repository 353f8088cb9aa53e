"""VHD and VHDX images: create, open, check; VHD: merge."""
import os
from typing import Optional, Union

from . import DiskWarning, File

PathLike = Union[str, bytes, os.PathLike]

class CheckReport:
    ok: bool
    problems: list[DiskWarning]
    def __bool__(self) -> bool: ...

class Vhd:
    path: str
    format: str
    size: int
    sector_size: int
    block_size: Optional[int]
    creator: Optional[str]
    unique_id: str
    log_replayed: bool
    chain: list[str]
    warnings: list[DiskWarning]
    def block_allocated(self, offset: int) -> bool: ...
    def open(self) -> File: ...
    def __enter__(self) -> Vhd: ...
    def __exit__(self, *args: object) -> None: ...

def create(path: PathLike, *, size: Optional[int] = None, format: Optional[str] = None,
           block_size: Optional[int] = None, sector_size: Optional[int] = None,
           parent: Optional[PathLike] = None) -> None: ...
def open(path: PathLike) -> Vhd: ...
def check(path: PathLike, *, repair: bool = False) -> CheckReport: ...
def merge(child: PathLike) -> None: ...
