"""diskimg: disk images for P2V conversion and backup."""
import datetime
import io
import os
from typing import Callable, Optional, Sequence, Tuple, Union

from . import vhd as vhd

__version__: str

PathLike = Union[str, bytes, os.PathLike]
Run = Tuple[int, Optional[int], int]

class Error(Exception):
    structure: str
    offset: Optional[int]
class FormatError(Error): ...
class IoError(Error, OSError): ...
class UnsupportedError(Error, NotImplementedError): ...
class NotFoundError(Error, FileNotFoundError): ...
class UsageError(Error, ValueError): ...
class CancelledError(Error): ...
class ParentMismatchError(Error, ValueError):
    identity_only: bool
class OutOfMemoryError(Error, MemoryError): ...

class DiskWarning(str):
    structure: str
    offset: Optional[int]

class File(io.RawIOBase):
    @property
    def size(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    @property
    def mode(self) -> str: ...
    def read(self, size: int = -1) -> bytes: ...
    def readall(self) -> bytes: ...
    def readinto(self, buffer: bytearray | memoryview) -> int: ...
    def seek(self, offset: int, whence: int = 0) -> int: ...
    def tell(self) -> int: ...
    def close(self) -> None: ...
    def readable(self) -> bool: ...
    def seekable(self) -> bool: ...
    def writable(self) -> bool: ...
    def isatty(self) -> bool: ...
    def flush(self) -> None: ...
    def fileno(self) -> int: ...
    def __enter__(self) -> File: ...
    def __exit__(self, *args: object) -> None: ...

class Container:
    format: str
    virtual_size: int
    chain: list[str]

class Partition:
    number: int
    start: int
    size: int
    type: str
    type_name: str
    name: str
    guid: Optional[str]
    attributes: Optional[int]
    bootable: bool
    logical: bool
    extended: bool

class LdmExtent:
    name: str
    disk: str
    disk_offset: int
    data_offset: int
    volume_offset: int
    size: int
    plex: int
    column: int
    present: bool

class LdmVolume:
    name: str
    guid: str
    drive_hint: str
    layout: str
    size: int
    stripe_size: int
    columns: int
    extents: list[LdmExtent]
    missing_disks: list[str]
    state: str

class LdmDisk:
    name: str
    guid: str
    present: bool
    source: Optional[str]
    data_start: int
    data_size: int

class DiskGroup:
    name: str
    guid: str
    disks: list[LdmDisk]
    volumes: list[LdmVolume]
    warnings: list[DiskWarning]

class Snapshot:
    index: int
    id: str
    shadow_copy_id: str
    set_id: str
    created: Optional[datetime.datetime]
    volume_size: int
    flags: int
    offline: bool
    store_extents: list[Tuple[int, int, int]]
    problem: str
    def open(self) -> File: ...
    def ntfs(self) -> Ntfs: ...

class Volume:
    index: int
    source: str
    ldm: bool
    partition: Optional[int]
    offset: int
    size: int
    filesystem: str
    snapshots: list[Snapshot]
    def open(self) -> File: ...
    def ntfs(self) -> Ntfs: ...

class Disk:
    name: str
    size: int
    sector_size: int
    scheme: str
    disk_id: str
    container: Container
    partitions: list[Partition]
    volumes: list[Volume]
    ldm: Optional[DiskGroup]
    warnings: list[DiskWarning]
    closed: bool
    def volume(self, index: int) -> Volume: ...
    def open(self) -> File: ...
    def close(self) -> None: ...
    def __enter__(self) -> Disk: ...
    def __exit__(self, *args: object) -> None: ...

def open(source: Union[PathLike, Sequence[PathLike]]) -> Disk: ...

class StreamInfo:
    name: str
    size: int

class Times:
    created: Optional[datetime.datetime]
    modified: Optional[datetime.datetime]
    mft_changed: Optional[datetime.datetime]
    accessed: Optional[datetime.datetime]
    filetimes: Tuple[int, int, int, int]

class Entry:
    name: str
    path: str
    record: int
    sequence: int
    is_dir: bool
    size: int
    streams: list[StreamInfo]
    times: Times
    file_attributes: list[str]

class Name:
    name: str
    namespace: str
    parent: int
    times: Times
    file_attributes: list[str]

class Attribute:
    type: int
    type_name: str
    name: str
    id: int
    record: int
    resident: bool
    flags: list[str]
    data_size: int
    allocated_size: int
    initialized_size: int
    start_vcn: int
    last_vcn: int
    compression_unit: int
    runs: list[Run]
    value: Optional[bytes]

class AttributeListEntry:
    type: int
    type_name: str
    name: str
    start_vcn: int
    record: int
    id: int

class AttributeList:
    resident: bool
    size: int
    runs: list[Run]
    entries: list[AttributeListEntry]

class Record:
    record: int
    sequence: int
    base_record: int
    in_use: bool
    is_dir: bool
    link_count: int
    names: list[Name]
    times: Optional[Times]
    file_attributes: Optional[list[str]]
    owner_id: Optional[int]
    security_id: Optional[int]
    usn: Optional[int]
    attribute_list: Optional[AttributeList]
    attributes: list[Attribute]
    warnings: list[DiskWarning]
    size: int
    stream_names: list[str]

class UsedMap:
    cluster_size: int
    total_clusters: int
    used_clusters: int
    def used(self, cluster: int) -> bool: ...
    def extents(self) -> list[Tuple[int, int]]: ...

class UsedMapExample:
    cluster: int
    record: int
    path: str

class UsedMapCheck:
    consistent: bool
    used_but_free: int
    claimed_twice: int
    marked_unowned: int
    used_but_free_examples: list[UsedMapExample]
    claimed_twice_examples: list[UsedMapExample]
    marked_unowned_examples: list[int]
    unreadable: list[str]

class Ntfs:
    label: str
    version: str
    serial: str
    bytes_per_sector: int
    cluster_size: int
    mft_record_size: int
    index_block_size: int
    total_clusters: int
    record_count: int
    warnings: list[DiskWarning]
    def listdir(self, path: str = "/") -> list[Entry]: ...
    def walk(self, top: str = "/") -> list[Tuple[str, list[Entry], list[Entry]]]: ...
    def stat(self, path: str) -> Record: ...
    def record(self, number: int) -> Record: ...
    def open(self, path: str, stream: Optional[str] = None) -> File: ...
    def open_record(self, number: int, stream: str = "") -> File: ...
    def used_map(self) -> UsedMap: ...
    def used_extents(self) -> list[Tuple[int, int]]: ...
    def verify_used_map(self) -> UsedMapCheck: ...
    def extract(
        self,
        paths: Union[str, Sequence[str]],
        target: PathLike,
        *,
        streams: str = "xattr",
        progress: Optional[Callable[[int, int], Optional[bool]]] = None,
    ) -> ExtractResult: ...

class RenamedEntry:
    path: str
    written_as: str
    reason: str

class ExtractProblem:
    path: str
    reason: str

class ExtractResult:
    files: int
    directories: int
    hard_links: int
    named_streams: int
    reparse_points: int
    bytes: int
    renamed: list[RenamedEntry]
    skipped: list[ExtractProblem]

class ConvertResult:
    output: str
    format: str
    virtual_size: int
    bytes_in_use: int
    bytes_read: int
    bytes_written: int
    file_size: int
    allocated_bytes: int
    verified: bool
    bytes_verified: int
    seconds: float
    unreadable: list[Tuple[int, int]]
    notes: list[str]
    parent: Optional[str]
    bytes_compared: int
    bytes_changed: int
    bytes_unchanged_by_mft: int

class ConvertOptions:
    format: Optional[str]
    block_size: Optional[int]  # set as an int of bytes or a str such as "1M"
    allow_sector_size_change: bool
    volume: Optional[int]
    snapshot: Optional[int]
    snapshot_volume: Optional[int]
    all_sectors: bool
    exclude_pagefile: bool
    new_disk_id: bool
    continue_on_read_error: bool
    verify: bool
    force: bool
    permissions: Optional[int]
    parent: Optional[str]  # set as any path
    changes: str  # "exact" or "mft"
    allow_other_disk: bool
    def __init__(self, **attributes: object) -> None: ...

def convert(
    source: Union[PathLike, Sequence[PathLike], Disk],
    output: PathLike,
    options: Optional[ConvertOptions] = None,
    *,
    progress: Optional[Callable[[int, int], Optional[bool]]] = None,
    **attributes: object,
) -> ConvertResult: ...
