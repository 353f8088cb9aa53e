// An incremental conversion's parent: the previous conversion of the same disk, opened as
// a disk through its chain, and what it must share with the disk being copied.
#pragma once

#include <diskimg/convert/convert.hpp>
#include <diskimg/disk/disk.hpp>

#include <filesystem>
#include <optional>

namespace diskimg {

// The parent's chain as a disk. Throws UsageError when it is not a VHD or VHDX, and what
// Disk::open throws.
Disk open_parent(const std::filesystem::path& parent);

// The format of a child of `parent`: its family, differencing. Throws UsageError when
// `asked` (or, when nothing is asked, the output's .vhd or .vhdx name) says another family,
// or asks for a fixed disk or raw.
OutputFormat child_format(const Disk& parent, const std::filesystem::path& output,
                          std::optional<OutputFormat> asked);

// Throws UsageError when `output` is the parent or one of the files its chain reads (the
// rename at the end would put the child in place of what it reads through).
void check_output_outside_chain(const std::filesystem::path& output, const Disk& parent);

// Throws ParentMismatchError when the parent cannot be the previous copy of `copied` (the
// disk as converted: one volume wrapped, or with the parent's identifiers): another size
// (`disk_size`, the plan's) or sector size (`sector_size`, the output's) always; other disk
// identifiers or partitions, or NTFS volumes with other serial numbers where both disks
// have one, unless `allow_other_disk`.
void check_parent_matches(const Disk& copied, std::uint64_t disk_size, std::uint32_t sector_size,
                          const Disk& parent, bool allow_other_disk);

}  // namespace diskimg
