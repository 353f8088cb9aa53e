// One volume as a disk of its own: a fresh MBR with one partition at 1 MiB holding the
// volume, as "each physical volume becomes a separate virtual hard disk" needs. The NTFS
// boot sector's hidden-sectors field (and its backup's) is set to the new start, which
// Windows checks when it boots from the volume.
#pragma once

#include <diskimg/disk/disk.hpp>

namespace diskimg {

inline constexpr std::uint64_t wrapped_volume_start = 1 << 20;

// A byte source: the MBR (a new random disk signature, one partition of type 0x07 for NTFS,
// 0x0C for FAT, else the original MBR type or 0x07, marked active), zeros up to 1 MiB, then
// the volume's bytes with its boot sectors patched.
SourcePtr wrap_volume_in_mbr(const Disk& disk, const Volume& volume);

}  // namespace diskimg
