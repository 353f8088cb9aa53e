#include "core/arithmetic.hpp"
#include "core/enum_names.hpp"
#include "core/io_bytes.hpp"
#include "core/read_ahead.hpp"
#include "convert/mft_changes.hpp"
#include "convert/parent.hpp"

#include <diskimg/core/bytes.hpp>
#include <diskimg/convert/convert.hpp>
#include <diskimg/convert/snapshot_disk.hpp>
#include <diskimg/convert/new_disk_id.hpp>
#include <diskimg/convert/volume_disk.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/layout/filesystem.hpp>
#include <diskimg/source/byte_sink.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhd/image.hpp>
#include <diskimg/vhd/writer.hpp>
#include <diskimg/vhdx/image.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include <sys/stat.h>

#include <fmt/format.h>

namespace diskimg {
namespace {

// Read and written a piece at a time (two pieces in flight, see read_ahead.hpp). 1 MiB keeps
// the bytes a read copies in still cached when the write copies them out: on the benchmark's
// disk 4 MiB pieces took 1.6x longer (tests/bench/convert.sh, docs/benchmarks.md).
constexpr std::size_t chunk_size = 1 << 20;
constexpr std::size_t zero_test_size = 64 << 10;  // all-zero pieces of this size are not written
// Pieces the source is told of ahead of the one being read: 32 MiB.
constexpr std::size_t hinted_pieces = 32;

constexpr std::array<EnumName<OutputFormat>, 7> output_format_names{{
    {OutputFormat::vhd_dynamic, "vhd-dynamic"},
    {OutputFormat::vhd_fixed, "vhd-fixed"},
    {OutputFormat::raw, "raw"},
    {OutputFormat::vhdx_dynamic, "vhdx-dynamic"},
    {OutputFormat::vhdx_fixed, "vhdx-fixed"},
    {OutputFormat::vhd_differencing, "vhd-differencing"},
    {OutputFormat::vhdx_differencing, "vhdx-differencing"}}};

constexpr std::array<EnumName<ChangeDetection>, 2> change_detection_names{{
    {ChangeDetection::exact, "exact"},
    {ChangeDetection::mft, "mft"}}};

// Where converted bytes go: a VHD writer, or a sparse raw file.
class Output {
 public:
  virtual ~Output() = default;
  virtual void write(std::uint64_t offset, std::span<const std::byte> data) = 0;
  virtual void finish() = 0;
};

class VhdOutput final : public Output {
 public:
  VhdOutput(const std::filesystem::path& path, const vhd::CreateOptions& options)
      : writer_(vhd::VhdWriter::create(path, options)) {}
  void write(std::uint64_t offset, std::span<const std::byte> data) override { writer_->write(offset, data); }
  void finish() override { writer_->sync(); }

 private:
  std::unique_ptr<vhd::VhdWriter> writer_;
};

class VhdxOutput final : public Output {
 public:
  VhdxOutput(const std::filesystem::path& path, const vhdx::CreateOptions& options)
      : writer_(vhdx::VhdxWriter::create(path, options)) {}
  void write(std::uint64_t offset, std::span<const std::byte> data) override { writer_->write(offset, data); }
  void finish() override { writer_->close(); }

 private:
  std::unique_ptr<vhdx::VhdxWriter> writer_;
};

class RawOutput final : public Output {
 public:
  RawOutput(const std::filesystem::path& path, std::uint64_t size, std::filesystem::perms permissions)
      : sink_(path, FileSink::Mode::create_new, permissions) {
    sink_.resize(size);  // sized first: what is never written reads as zeros (a hole)
  }
  void write(std::uint64_t offset, std::span<const std::byte> data) override { sink_.write(offset, data); }
  void finish() override { sink_.sync(); }

 private:
  FileSink sink_;
};

std::filesystem::path temporary_beside(const std::filesystem::path& output) {
  std::random_device random;
  return output.parent_path() /
         fmt::format(".{}.diskimg-{:08x}.part", output.filename().string(), random());
}

// The output's permission bits: those asked for, else the source file's (a copy of a disk
// is as private as the disk), else 0600: a block device's bits are about the device, and
// a disk with no file behind it says nothing.
std::filesystem::perms output_permissions(const Disk& disk, const ConvertOptions& options) {
  using std::filesystem::perms;
  if (options.permissions) return *options.permissions & perms::all;
  if (!disk.container().chain.empty()) {
    std::error_code error;
    const auto status = std::filesystem::status(disk.container().chain.front(), error);
    if (!error && status.type() == std::filesystem::file_type::regular) return status.permissions() & perms::all;
  }
  return perms::owner_read | perms::owner_write;
}

// A disk of `size` bytes (the source's, or more when its partitions run past its end).
std::unique_ptr<Output> open_output(const std::filesystem::path& path, const Disk& disk, std::uint64_t size,
                                    OutputFormat format, const ConvertOptions& options,
                                    std::filesystem::perms permissions) {
  if (format == OutputFormat::raw) return std::make_unique<RawOutput>(path, size, permissions);
  if (format == OutputFormat::vhdx_differencing) {
    vhdx::CreateOptions create;
    create.type = vhdx::VhdxType::differencing;
    create.parent = options.parent.value();
    create.permissions = permissions;
    return std::make_unique<VhdxOutput>(path, create);
  }
  if (format == OutputFormat::vhd_differencing) {
    vhd::CreateOptions create;
    create.type = vhd::VhdType::differencing;
    create.parent = options.parent.value();
    create.permissions = permissions;
    return std::make_unique<VhdOutput>(path, create);
  }
  if (is_vhdx(format)) {
    vhdx::CreateOptions create;
    create.type = format == OutputFormat::vhdx_fixed ? vhdx::VhdxType::fixed : vhdx::VhdxType::dynamic;
    create.size = size;
    create.block_size = options.block_size.value_or(default_vhdx_convert_block_size(size));
    create.logical_sector_size = disk.sector_size();
    create.physical_sector_size = std::max<std::uint32_t>(disk.sector_size(), 4096);
    create.permissions = permissions;
    return std::make_unique<VhdxOutput>(path, create);
  }
  vhd::CreateOptions create;
  create.type = format == OutputFormat::vhd_fixed ? vhd::VhdType::fixed : vhd::VhdType::dynamic;
  create.size = size;
  create.block_size = options.block_size.value_or(default_convert_block_size);
  create.permissions = permissions;
  return std::make_unique<VhdOutput>(path, create);
}

// Reads a range; with continue_on_read_error, a failing read is retried sector by sector
// and what cannot be read becomes zeros, listed in `unreadable`.
void read_range(const ByteSource& source, std::uint64_t offset, std::span<std::byte> buffer,
                const ConvertOptions& options, std::vector<CopyRange>& unreadable) {
  try {
    source.read(offset, buffer);
    return;
  } catch (const IoError& error) {
    if (!options.continue_on_read_error) throw MissingDataError(error.what(), error.where());
  }
  const std::size_t sector = source.sector_size();
  for (std::size_t at = 0; at < buffer.size(); at += sector) {
    const auto piece = buffer.subspan(at, std::min(sector, buffer.size() - at));
    try {
      source.read(offset + at, piece);
    } catch (const IoError&) {
      std::fill(piece.begin(), piece.end(), std::byte{0});
      if (!unreadable.empty() && unreadable.back().end() == offset + at) {
        unreadable.back().length += piece.size();
      } else {
        unreadable.push_back({offset + at, piece.size()});
      }
    }
  }
}

// Writes each run of non-zero 64 KiB pieces of `chunk` in one call; returns bytes written.
std::uint64_t write_nonzero(Output& output, std::uint64_t offset, std::span<const std::byte> chunk) {
  std::uint64_t written = 0;
  for_each_nonzero_run(chunk, zero_test_size, [&](std::size_t at, std::span<const std::byte> run) {
    output.write(offset + at, run);
    written += run.size();
  });
  return written;
}

// Writes the sectors of `chunk` whose bytes differ from `before` (what the parent chain
// reads there), each run of differing sectors in one call; returns the bytes written.
std::uint64_t write_changed(Output& output, std::uint64_t offset, std::span<const std::byte> chunk,
                            std::span<const std::byte> before, std::size_t sector) {
  std::uint64_t written = 0;
  std::size_t run = 0;  // where the current run of changed sectors starts
  bool in_run = false;
  const auto end_run = [&](std::size_t at) {
    if (in_run) output.write(offset + run, chunk.subspan(run, at - run));
    if (in_run) written += at - run;
    in_run = false;
  };
  for (std::size_t at = 0; at < chunk.size(); at += sector) {
    const std::size_t length = std::min(sector, chunk.size() - at);
    const bool changed = std::memcmp(chunk.data() + at, before.data() + at, length) != 0;
    if (changed && !in_run) {
      run = at;
      in_run = true;
    } else if (!changed) {
      end_run(at);
    }
  }
  end_run(chunk.size());
  return written;
}

// One read of the copy: at most a chunk, inside one planned range, where the source may
// hold data; `skipped_before` counts the planned bytes before it that the source reports as
// holes (they count as done without being read).
struct Piece {
  std::uint64_t offset = 0;
  std::size_t length = 0;
  std::uint64_t skipped_before = 0;
};

struct Filled {
  IoBytes bytes;  // page-aligned: the kernel copies into and out of it
  IoBytes before;  // what the parent chain reads there, for a child
  std::vector<CopyRange> unreadable;
};

// The pieces to read. Where the source has a hole (it reads as zeros) nothing is read,
// unless the parent chain of a child may hold data there: the child must then say zeros.
// Nor is anything read in `unchanged` (sorted, disjoint: what ChangeDetection::mft takes as
// the parent's).
std::vector<Piece> pieces_of(const ConversionPlan& plan, const ByteSource& source, const ByteSource* parent,
                             const std::vector<CopyRange>& unchanged) {
  std::vector<Piece> pieces;
  std::uint64_t skipped = 0;
  std::size_t next_unchanged = 0;
  for (const CopyRange& range : plan.ranges) {
    for (std::uint64_t offset = range.offset; offset < range.end();) {
      while (next_unchanged < unchanged.size() && unchanged[next_unchanged].end() <= offset) ++next_unchanged;
      std::uint64_t limit = range.end();  // where this piece must end
      if (next_unchanged < unchanged.size()) {
        const CopyRange& same = unchanged[next_unchanged];
        if (same.offset <= offset) {
          const std::uint64_t past = std::min(same.end(), range.end());
          skipped += past - offset;
          offset = past;
          continue;
        }
        limit = std::min(limit, same.offset);
      }
      std::uint64_t data = source.next_data(offset);
      // Asked only where the source has a hole: a chain's next_data walks its blocks.
      if (parent != nullptr && data > offset) data = std::min(data, parent->next_data(offset));
      if (data > offset) {
        const std::uint64_t past = std::min(data, limit);
        skipped += past - offset;
        offset = past;
        continue;
      }
      const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size, limit - offset));
      pieces.push_back({offset, length, skipped});
      skipped = 0;
      offset += length;
    }
  }
  return pieces;
}

// Bytes of `ranges` that `within` covers too (both sorted and disjoint).
std::uint64_t overlap(const std::vector<CopyRange>& ranges, const std::vector<CopyRange>& within) {
  std::uint64_t bytes = 0;
  std::size_t j = 0;
  for (const CopyRange& range : ranges) {
    while (j < within.size() && within[j].end() <= range.offset) ++j;
    for (std::size_t k = j; k < within.size() && within[k].offset < range.end(); ++k) {
      bytes += std::min(range.end(), within[k].end()) - std::max(range.offset, within[k].offset);
    }
  }
  return bytes;
}

std::shared_ptr<const ByteSource> open_written(const std::filesystem::path& path, OutputFormat format) {
  if (format == OutputFormat::raw) return std::make_shared<FileSource>(path);
  if (is_vhdx(format)) return vhdx::VhdxImage::open(path);
  return vhd::VhdImage::open(path);
}

// Reads every planned range back from the written file and compares; returns the bytes
// compared.
std::uint64_t verify_output(const Disk& disk, const ConversionPlan& plan, const std::filesystem::path& path,
                            OutputFormat format, const ConvertOptions& options) {
  const auto written = open_written(path, format);
  IoBytes expected(chunk_size);
  IoBytes actual(chunk_size);
  for (const CopyRange& range : plan.ranges) {
    for (std::uint64_t offset = range.offset; offset < range.end(); offset += chunk_size) {
      const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size, range.end() - offset));
      std::vector<CopyRange> ignored;
      read_range(*disk.source(), offset, std::span(expected).first(length), options, ignored);
      written->read(offset, std::span(actual).first(length));
      if (!std::equal(expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(length), actual.begin())) {
        throw FormatError(fmt::format("convert: verifying the output: it differs from the source in "
                                      "the {} bytes at offset {:#x}", length, offset),
                          {"copied range", offset});
      }
    }
  }
  return plan.bytes();
}

// What the options ask of the output format: a block size it uses, a sector size it presents.
void check_options(const Disk& disk, OutputFormat format, const ConvertOptions& options) {
  if (options.block_size && format == OutputFormat::vhd_dynamic &&
      (*options.block_size < vhd::min_block_size || *options.block_size > (2u << 20) ||
       !std::has_single_bit(*options.block_size))) {
    throw UsageError(fmt::format("convert: a block size of {} bytes: a dynamic VHD conversion uses "
                                 "512 KiB, 1 MiB or 2 MiB blocks", *options.block_size));
  }
  if (options.block_size && is_vhdx(format) &&
      (*options.block_size < vhdx::min_block_size || *options.block_size > vhdx::max_block_size ||
       !std::has_single_bit(*options.block_size))) {
    throw UsageError(fmt::format("convert: a block size of {} bytes: a VHDX uses powers of two from 1 MiB "
                                 "to 256 MiB", *options.block_size));
  }
  if (options.snapshot_volume && (!options.snapshot || options.volume)) {
    throw UsageError(options.volume ? "convert: a volume converted alone is the volume its shadow copy is of: no "
                                      "other can be named"
                                    : "convert: the volume a shadow copy is of is named with the copy: none was");
  }
  if (options.volume && !options.allow_sector_size_change) {
    // One volume is copied into a new disk of 512-byte sectors (wrap_volume_in_mbr).
    const Volume& volume = disk.volume(*options.volume);
    std::array<std::byte, 512> first{};
    if (volume.size >= first.size()) volume.bytes->read(0, first);
    const std::uint32_t declared = declared_sector_size(first).value_or(512);
    if (declared != 512) {
      throw UsageError(fmt::format("convert: volume {} has {}-byte sectors, and a volume is converted into a disk "
                                   "of 512-byte sectors: convert the whole disk, which keeps its sector size",
                                   *options.volume, declared));
    }
  }
  if (is_differencing(format) && !options.parent) {
    throw UsageError(fmt::format("convert: {} is the format of an incremental copy's child, which needs the parent "
                                 "it is a child of", to_string(format)));
  }
  if (options.parent && options.block_size) {
    throw UsageError("convert: a child takes its parent's block size: none can be asked for");
  }
  if (is_vhd(format) && !options.volume && disk.sector_size() != 512 && !options.allow_sector_size_change) {
    throw UsageError(fmt::format("convert: {} has {}-byte sectors, and a VHD presents 512-byte sectors only: "
                                 "its partition table would not read as itself. Write a VHDX, which keeps "
                                 "the disk's sector size", disk.source()->name(), disk.sector_size()));
  }
}

// Refused before anything is read: an output that is a directory, exists (without force),
// or lies in a directory that does not exist (named as the caller named it, not as the
// temporary file beside it).
void check_output_path(const std::filesystem::path& output, const ConvertOptions& options) {
  std::error_code error;
  const auto status = std::filesystem::status(output, error);
  if (std::filesystem::is_directory(status)) {
    throw UsageError(fmt::format("convert: {} is a directory: the output must be a file", output.string()),
                     {output.string(), std::nullopt});
  }
  if (std::filesystem::exists(status) && !options.force) {
    throw OutputExistsError(fmt::format("{} exists", output.string()), {output.string(), std::nullopt});
  }
  const std::filesystem::path directory = output.parent_path().empty() ? "." : output.parent_path();
  if (!std::filesystem::is_directory(directory, error)) {
    throw IoError(fmt::format("convert: cannot write {}: {} is not a directory that exists", output.string(),
                              directory.string()),
                  {output.string(), std::nullopt});
  }
}

// Removes what a failed conversion wrote and throws `error` again, of its own type, saying
// that the output was not written (and that a partial file was removed, when one was).
template <class Failure>
[[noreturn]] void fail_without_output(const Failure& error, const std::filesystem::path& partial,
                                      const std::filesystem::path& output) {
  std::error_code ignored;
  const bool removed = std::filesystem::remove(partial, ignored);
  throw Failure(fmt::format("{}; {} was not written{}", error.what(), output.string(),
                            removed ? " (partial file removed)" : ""),
                error.where());
}

// The error for a plan that places data past the end of the source.
MissingDataError missing_data(const Disk& disk, const ConversionPlan& plan) {
  std::uint64_t bytes = 0;
  for (const CopyRange& range : plan.missing) bytes += range.length;
  return MissingDataError(fmt::format("convert: {} ends at offset {:#x}, but its partitions run to {:#x}: {} bytes "
                                      "of them are not in it (a truncated image?) and cannot be copied",
                                      disk.source()->name(), disk.size(), plan.disk_size, bytes),
                          {disk.source()->name(), disk.size()});
}

// What is copied: one volume in a fresh MBR (which has a new signature anyway), the disk
// with new identifiers, or the disk as it is. The child of an incremental copy carries its
// parent's identifiers where a full copy would get new ones: the parent's MBR signature for
// a volume, the parent's disk and partition identifiers for new_disk_id.
// `taken` is the volume as a shadow copy saw it, when one is converted alone.
Disk conversion_source(const Disk& disk, const ConvertOptions& options, const Disk* parent, const Volume* taken) {
  if (options.volume) {
    std::optional<std::uint32_t> signature;
    if (parent != nullptr) signature = parent->layout().mbr_signature;
    const Volume& volume = taken != nullptr ? *taken : disk.volume(*options.volume);
    return Disk::from_source(wrap_volume_in_mbr(disk, volume, signature), disk.container());
  }
  if (options.new_disk_id) {
    return Disk::from_source(parent != nullptr ? with_disk_identifiers(disk, identifiers_of(parent->layout()))
                                               : with_new_disk_id(disk),
                             disk.container());
  }
  return disk;
}

// The sector size the output presents: a VHD's 512, else the disk's.
std::uint32_t output_sector_size(const Disk& disk, OutputFormat format) {
  return is_vhd(format) ? 512 : disk.sector_size();
}

}  // namespace

std::string_view to_string(OutputFormat format) {
  return name_of(output_format_names, format, "vhd-dynamic");
}

OutputFormat parse_output_format(std::string_view text) {
  if (const auto format = value_named(output_format_names, text)) return *format;
  throw UsageError(fmt::format("output format \"{}\": use {}", text,
                               names_listed(output_format_names)));
}

std::string_view to_string(ChangeDetection changes) {
  return name_of(change_detection_names, changes, "exact");
}

ChangeDetection parse_change_detection(std::string_view text) {
  if (const auto changes = value_named(change_detection_names, text)) return *changes;
  throw UsageError(fmt::format("changes \"{}\": use {}", text, names_listed(change_detection_names)));
}

OutputFormat output_format_for(const std::filesystem::path& output) {
  std::string extension = output.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".vhdx" ? OutputFormat::vhdx_dynamic : OutputFormat::vhd_dynamic;
}

std::uint32_t default_vhdx_convert_block_size(std::uint64_t disk_size) {
  constexpr std::uint64_t max_entries = 8ULL << 20;
  std::uint64_t block_size = vhdx::min_block_size;
  while (block_size < vhdx::max_block_size && ceil_div(disk_size, block_size) > max_entries) block_size *= 2;
  return static_cast<std::uint32_t>(block_size);
}

ConvertResult convert(const Disk& original, const std::filesystem::path& output, const ConvertOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  std::optional<Disk> parent;
  if (options.parent) parent = open_parent(*options.parent);
  const OutputFormat format = parent ? child_format(*parent, output, options.format)
                                     : options.format.value_or(output_format_for(output));
  check_options(original, format, options);
  check_output_path(output, options);
  if (parent) check_output_outside_chain(output, *parent);
  // A shadow copy: of one volume alone (any volume, LDM too), or spliced into the disk.
  std::vector<std::string> snapshot_notes;
  std::optional<Volume> taken;
  if (options.snapshot && options.volume) {
    taken = volume_as_of_snapshot(original.volume(*options.volume), *options.snapshot, snapshot_notes);
  }
  const Disk as_taken = options.snapshot && !options.volume
                            ? disk_as_of_snapshot(original, options.snapshot_volume, *options.snapshot, snapshot_notes)
                            : original;
  const Disk disk = conversion_source(as_taken, options, parent ? &*parent : nullptr, taken ? &*taken : nullptr);
  const ConversionPlan plan = plan_conversion(disk, options.plan);
  if (parent) {
    check_parent_matches(disk, plan.disk_size, output_sector_size(disk, format), *parent, options.allow_other_disk);
  }
  const ByteSource* before = parent ? parent->source().get() : nullptr;
  ConvertResult result;
  std::vector<CopyRange> unchanged;
  if (parent) {
    result.parent = options.parent->string();
    if (options.changes == ChangeDetection::mft) {
      UnchangedByMft found = unchanged_by_mft(disk, *parent);
      unchanged = std::move(found.ranges);
      result.notes.insert(result.notes.end(), found.notes.begin(), found.notes.end());
      result.bytes_unchanged_by_mft = overlap(plan.ranges, unchanged);
    }
  }
  result.output = output.string();
  result.format = format;
  result.virtual_size = plan.disk_size;
  result.bytes_in_use = plan.bytes();
  result.notes.insert(result.notes.begin(), plan.notes.begin(), plan.notes.end());
  result.notes.insert(result.notes.begin(), snapshot_notes.begin(), snapshot_notes.end());
  if (!plan.missing.empty()) {
    if (!options.continue_on_read_error) throw missing_data(disk, plan);
    result.unreadable = plan.missing;
  }

  const std::filesystem::path partial = temporary_beside(output);
  try {
    {
      const std::unique_ptr<Output> out =
          open_output(partial, disk, plan.disk_size, format, options, output_permissions(original, options));
      const std::vector<Piece> pieces = pieces_of(plan, *disk.source(), before, unchanged);
      const std::size_t sector = output_sector_size(disk, format);
      const std::uint64_t total = plan.bytes();
      std::uint64_t done = 0;
      // Piece i + 1 is read while piece i is written, and the source is told of the pieces
      // after it (ByteSource::will_need): a disk that is not in memory then has requests
      // queued ahead of the copy, in disk order, instead of one read at a time.
      std::size_t reading = 0;
      std::size_t hinted = 0;
      const auto read_piece = [&](const Piece& piece, Filled& filled) {
        for (; hinted < pieces.size() && hinted < reading + hinted_pieces; ++hinted) {
          disk.source()->will_need(pieces[hinted].offset, pieces[hinted].length);
        }
        ++reading;
        filled.unreadable.clear();
        filled.bytes.resize(piece.length);
        read_range(*disk.source(), piece.offset, filled.bytes, options, filled.unreadable);
        if (before != nullptr) {
          filled.before.resize(piece.length);
          before->read(piece.offset, filled.before);
        }
      };
      const auto write_piece = [&](const Piece& piece, const Filled& filled) {
        result.unreadable.insert(result.unreadable.end(), filled.unreadable.begin(), filled.unreadable.end());
        result.bytes_read += piece.length;
        if (before != nullptr) {
          const std::uint64_t changed = write_changed(*out, piece.offset, filled.bytes, filled.before, sector);
          result.bytes_compared += piece.length;
          result.bytes_changed += changed;
          result.bytes_written += changed;
        } else {
          result.bytes_written += write_nonzero(*out, piece.offset, filled.bytes);
        }
        done += piece.skipped_before + piece.length;
        if (options.progress && !options.progress(done, total)) throw CancelledError("convert: cancelled");
      };
      read_ahead<Filled>(pieces, read_piece, write_piece);
      if (options.progress && done < total && !options.progress(total, total)) {
        throw CancelledError("convert: cancelled");
      }
      out->finish();
    }
    if (options.verify) {
      result.bytes_verified = verify_output(disk, plan, partial, format, options);
      result.verified = true;
    }
    if (options.progress && !options.progress(plan.bytes(), plan.bytes())) {
      throw CancelledError("convert: cancelled");
    }
    std::error_code error;
    std::filesystem::rename(partial, output, error);
    if (error) {
      throw IoError(fmt::format("convert: cannot put the output in place as {}: {}", output.string(), error.message()),
                    {output.string(), std::nullopt});
    }
  } catch (const MissingDataError& error) {
    fail_without_output(error, partial, output);
  } catch (const IoError& error) {
    // A read or write failed (a bad sector, a full disk): say that nothing was left behind.
    fail_without_output(error, partial, output);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    throw;
  }
  struct stat status {};
  if (::stat(output.c_str(), &status) == 0) {
    result.file_size = static_cast<std::uint64_t>(status.st_size);
    result.allocated_bytes = static_cast<std::uint64_t>(status.st_blocks) * 512;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace diskimg
