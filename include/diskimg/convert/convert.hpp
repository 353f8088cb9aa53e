/// @file
/// The main job: a disk (or one volume of it) into a virtual disk that holds only what is in
/// use. The output is written to a temporary file beside the target and renamed at the end.
#pragma once

#include <diskimg/convert/plan.hpp>
#include <diskimg/vhd/vhd.hpp>
#include <diskimg/vhdx/vhdx.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace diskimg {

/// What convert writes.
enum class OutputFormat {
  vhd_dynamic,  ///< a dynamic VHD: only the blocks that hold data
  vhd_fixed,    ///< a fixed VHD: the whole disk, then the footer
  raw,          ///< a raw image, sparse where nothing was copied
  vhdx_dynamic, ///< a dynamic VHDX: only the blocks that hold data
  vhdx_fixed,   ///< a fixed VHDX: every block allocated
  /// A differencing VHD: an incremental conversion's child (ConvertOptions::parent).
  vhd_differencing,
  vhdx_differencing  ///< a differencing VHDX: likewise
};
/// "vhd-dynamic", "vhd-fixed", "raw", "vhdx-dynamic", "vhdx-fixed", "vhd-differencing",
/// "vhdx-differencing".
std::string_view to_string(OutputFormat format);
/// The reverse; throws UsageError otherwise.
OutputFormat parse_output_format(std::string_view text);
/// The format an output named `output` gets when none is asked for: a dynamic VHDX for a
/// name ending in .vhdx (any case), else a dynamic VHD.
OutputFormat output_format_for(const std::filesystem::path& output);
/// Whether the format is a VHDX.
constexpr bool is_vhdx(OutputFormat format) {
  return format == OutputFormat::vhdx_dynamic || format == OutputFormat::vhdx_fixed ||
         format == OutputFormat::vhdx_differencing;
}
/// Whether the format is a VHD.
constexpr bool is_vhd(OutputFormat format) {
  return format == OutputFormat::vhd_dynamic || format == OutputFormat::vhd_fixed ||
         format == OutputFormat::vhd_differencing;
}
/// Whether the format is a differencing one (a child of a parent image).
constexpr bool is_differencing(OutputFormat format) {
  return format == OutputFormat::vhd_differencing || format == OutputFormat::vhdx_differencing;
}

/// Conversions default to 512 KiB blocks, not the 2 MiB of an empty VHD: used data on a
/// real volume lies in many extents, and every block an extent touches is stored whole (an
/// 8 GiB volume with 2 GiB in 452 extents: 3.25 GB at 2 MiB, 2.43 GB at 512 KiB). Windows'
/// virtdisk (CreateVirtualDisk) lists 512 KiB as a dynamic-VHD block size and Azure's VHD
/// tools default to it; 2 MiB stays available for software that knows no other.
inline constexpr std::uint32_t default_convert_block_size = 512u << 10;

/// A VHDX conversion's block size: the format's smallest, 1 MiB, for the same reason (Hyper-V
/// makes 32 MiB blocks, which would store 32 times as much of every extent's surroundings),
/// or the smallest that keeps the BAT, held in memory while writing, to 8 Mi entries (64 MiB)
/// on disks over 8 TiB.
std::uint32_t default_vhdx_convert_block_size(std::uint64_t disk_size);

/// How an incremental conversion (ConvertOptions::parent) finds what changed.
enum class ChangeDetection {
  /// Reads the parent chain wherever the source is read and compares every sector.
  exact,
  /// Of an NTFS volume, compares the clusters of files whose MFT records (fixups applied)
  /// or runs differ from the parent's, and of the volume's metadata files; the clusters of
  /// every other file are taken as unchanged and not read. A writer that changes a file's
  /// bytes in place and then restores its record byte for byte is not seen (exact mode sees
  /// it). Outside NTFS volumes, as exact. docs/incremental.md says more.
  mft
};
/// "exact", "mft".
std::string_view to_string(ChangeDetection changes);
/// The reverse; throws UsageError otherwise.
ChangeDetection parse_change_detection(std::string_view text);

/// How convert works. A plain value; `progress` is called on the thread that calls convert.
struct ConvertOptions {
  /// What to write; by default what the output's name says (output_format_for).
  std::optional<OutputFormat> format;
  /// A dynamic VHD's 512 KiB, 1 MiB or 2 MiB; a VHDX's power of two from 1 MiB to 256 MiB.
  /// By default default_convert_block_size (VHD) or default_vhdx_convert_block_size (VHDX).
  std::optional<std::uint32_t> block_size;
  /// A VHD presents 512-byte sectors only: a disk with 4096-byte sectors (its GPT at byte
  /// 4096) would not read as itself. Such a conversion is refused unless this is set; a VHDX
  /// presents the disk's own sector size. Likewise one volume is converted into a new disk
  /// of 512-byte sectors: a volume whose boot sector declares other sectors is refused.
  bool allow_sector_size_change = false;
  PlanOptions plan;                     ///< what to leave out
  std::optional<unsigned> volume;       ///< that volume alone, in a fresh MBR (wrap_volume_in_mbr)
  /// The disk (or `volume` alone) as shadow copy N of that volume saw it: of the whole disk,
  /// the copy is of `snapshot_volume`, else of the only NTFS volume holding shadow copies
  /// (disk_as_of_snapshot; the other volumes as they are now).
  std::optional<unsigned> snapshot;
  std::optional<unsigned> snapshot_volume;  ///< with `snapshot`, not `volume`: the volume the copy is of
  bool new_disk_id = false;             ///< new disk and partition identifiers (with_new_disk_id)
  /// Go on where data to copy is missing: zeros where the source cannot be read, or past
  /// its end where its partitions run (a truncated image), each range listed in
  /// ConvertResult::unreadable. Without it such a conversion fails (MissingDataError).
  bool continue_on_read_error = false;
  bool verify = false;                  ///< re-read the output and compare every copied range
  bool force = false;                   ///< replace an existing output file
  /// Writes a differencing child of this VHD or VHDX (the output then has its format),
  /// holding the sectors whose bytes differ from what the parent chain reads there, of those
  /// a full conversion would copy: the chain then reads as the source does now. The parent
  /// must be of the same size and sector size, and (unless allow_other_disk) carry the same
  /// disk identifiers and partitions: a parent converted with new_disk_id needs new_disk_id
  /// again, and the child then takes the parent's identifiers. With `volume`, the parent is
  /// a conversion of the same volume.
  std::optional<std::filesystem::path> parent;
  ChangeDetection changes = ChangeDetection::exact;  ///< with parent: how changes are found
  /// With parent: accept one whose disk identifiers or partition layout differ from the
  /// source's (its size and sector size must still be the source's).
  bool allow_other_disk = false;
  /// The output's permission bits, exactly (the umask takes nothing away). By default the
  /// source's: those of the disk's file (the first of its chain) when it is a regular file,
  /// 0600 when it is not (a block device) or there is none.
  std::optional<std::filesystem::perms> permissions;
  /// Called as work proceeds, between pieces of at most 1 MiB, and once more before the
  /// output is put in place; return false to cancel (the partial output is removed). Its
  /// exceptions cancel the conversion too.
  std::function<bool(std::uint64_t done, std::uint64_t total)> progress;
};

/// What convert did. A plain value.
struct ConvertResult {
  std::string output;                  ///< the output's path
  OutputFormat format = OutputFormat::vhd_dynamic;  ///< what was written
  std::uint64_t virtual_size = 0;      ///< the size of the disk the output holds (ConversionPlan::disk_size)
  std::uint64_t bytes_in_use = 0;      ///< bytes the plan copies: what is in use on the source
  std::uint64_t bytes_read = 0;        ///< bytes read from the source (its holes are not read)
  std::uint64_t bytes_written = 0;     ///< bytes written (all-zero pieces are not)
  std::uint64_t file_size = 0;         ///< the output's length
  std::uint64_t allocated_bytes = 0;   ///< what it occupies (a sparse raw file: less)
  bool verified = false;               ///< whether verify ran (and found the output equal)
  std::uint64_t bytes_verified = 0;    ///< bytes verify read back and compared with the source
  double seconds = 0;                  ///< how long the conversion took
  std::vector<CopyRange> unreadable;   ///< zero-filled with continue_on_read_error (missing ones too)
  std::string parent;                  ///< with a parent: its path, as given
  /// With a parent: bytes read from both the source and the parent chain and compared.
  std::uint64_t bytes_compared = 0;
  /// With a parent: bytes of the sectors found to differ (what the child holds; zeros too).
  std::uint64_t bytes_changed = 0;
  /// With a parent and ChangeDetection::mft: bytes in use that were taken as unchanged
  /// (files whose records and runs are the parent's) and neither read nor compared.
  std::uint64_t bytes_unchanged_by_mft = 0;
  std::vector<std::string> notes;      ///< the plan's; with a snapshot, first the copy's (which copy; other volumes as now)
};

/// Converts `disk` (or the volume `options.volume` of it) into `output`: plans the ranges
/// to copy (plan_conversion), writes them to a temporary file beside `output` while the
/// next piece is read on another thread, and renames it to `output` at the end. An
/// existing output (with force) is replaced only then. Reads `disk` only: several
/// conversions of one Disk may run at once, into different outputs.
///
/// With a parent, the child is planned and checked as above and holds only what differs
/// (ConvertOptions::parent); bytes_written then counts the changed bytes written.
///
/// Throws OutputExistsError when the output exists (without force); UsageError when it is
/// a directory, for a block size the output format does not use, a VHD of a disk with
/// 4096-byte sectors or one volume with them (without allow_sector_size_change), a volume
/// that does not exist or does not fit an MBR, a parent that is not a VHD or VHDX, an output
/// format other than the parent's, or an output that is the parent or in its chain;
/// ParentMismatchError when a parent does not describe the disk; NotFoundError and
/// FormatError as VhdImage::open and VhdxImage::open do for a parent's chain;
/// MissingDataError naming the offset when the source cannot be read or its partitions run
/// past its end (without continue_on_read_error); IoError when the output's directory does
/// not exist or the output cannot be written; FormatError when verify finds that the output
/// differs (or a structure that `volume` or `new_disk_id` rewrites cannot be read);
/// CancelledError when progress asks to stop, and what progress throws. Nothing is left
/// behind then: the temporary file is removed and an existing output is untouched.
ConvertResult convert(const Disk& disk, const std::filesystem::path& output,
                      const ConvertOptions& options = {});

}  // namespace diskimg
