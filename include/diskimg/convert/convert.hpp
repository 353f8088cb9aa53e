// The main job: a disk (or one volume of it) into a virtual disk that holds only what is in
// use. The output is written to a temporary file beside the target and renamed at the end.
#pragma once

#include <diskimg/convert/plan.hpp>
#include <diskimg/vhd/vhd.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace diskimg {

enum class OutputFormat { vhd_dynamic, vhd_fixed, raw };
std::string_view to_string(OutputFormat format);
// "vhd-dynamic", "vhd-fixed", "raw"; throws UsageError otherwise.
OutputFormat parse_output_format(std::string_view text);

// Conversions default to 512 KiB blocks, not the 2 MiB of an empty VHD: used data on a
// real volume lies in many extents, and every block an extent touches is stored whole (an
// 8 GiB volume with 2 GiB in 452 extents: 3.25 GB at 2 MiB, 2.43 GB at 512 KiB). Windows'
// virtdisk (CreateVirtualDisk) lists 512 KiB as a dynamic-VHD block size and Azure's VHD
// tools default to it; 2 MiB stays available for software that knows no other.
inline constexpr std::uint32_t default_convert_block_size = 512u << 10;

struct ConvertOptions {
  OutputFormat format = OutputFormat::vhd_dynamic;
  std::uint32_t block_size = default_convert_block_size;  // 512 KiB to 2 MiB
  PlanOptions plan;
  std::optional<unsigned> volume;       // that volume alone, in a fresh MBR (wrap_volume_in_mbr)
  bool new_disk_id = false;             // new disk and partition identifiers (with_new_disk_id)
  bool continue_on_read_error = false;  // zeros where the source cannot be read, listed
  bool verify = false;                  // re-read the output and compare every copied range
  bool force = false;                   // replace an existing output file
  // The output's permission bits, exactly (the umask takes nothing away). By default the
  // source's: those of the disk's file (the first of its chain) when it is a regular file,
  // 0600 when it is not (a block device) or there is none.
  std::optional<std::filesystem::perms> permissions;
  // Called as work proceeds; return false to cancel (the partial output is removed).
  std::function<bool(std::uint64_t done, std::uint64_t total)> progress;
};

struct ConvertResult {
  std::string output;
  OutputFormat format = OutputFormat::vhd_dynamic;
  std::uint64_t virtual_size = 0;
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t file_size = 0;        // the output's length
  std::uint64_t allocated_bytes = 0;  // what it occupies (a sparse raw file: less)
  double seconds = 0;
  std::vector<CopyRange> unreadable;   // zero-filled with continue_on_read_error
  std::vector<std::string> notes;      // the plan's
};

// Throws OutputExistsError when the output exists (without force), IoError naming the offset when
// the source cannot be read (without continue_on_read_error) or the output cannot be
// written, and CancelledError when progress asks to stop. Nothing is left behind then.
ConvertResult convert(const Disk& disk, const std::filesystem::path& output,
                      const ConvertOptions& options = {});

}  // namespace diskimg
