// What the libFuzzer harnesses share: advisory checksums, the sparse input format that lets
// a small input stand for a large, mostly empty image (or for several files: a VHD and its
// parents, the disks of an LDM group), those images as byte sources and as files in a
// scratch directory, and the bounded walk over an NTFS volume that two harnesses make.
//
// An input is either raw bytes (one file, the input itself) or a sparse input:
//
//   0x00  "DIMGSPRS"                         8 bytes
//   then up to four files, one after the other:
//         u64le  size in bytes               (the harness caps it)
//         u16le  extent count
//         per extent: u64le offset, u32le byte count, the bytes
//
// Everything not covered by an extent reads as zeros. An extent past the file's size is cut
// at it; an input that ends early ends the last extent (and the file list) there. So every
// byte string is some valid input, and mutations of the sizes and counts stay meaningful.
// fuzz/sparse_image.py writes and reads the format (seeds, and findings to look at).
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/source/byte_source.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace diskimg::fuzz {

inline constexpr std::size_t max_files = 4;

struct Extent {
  std::uint64_t offset = 0;
  std::span<const std::byte> bytes;  // into the fuzz input
};

struct InputFile {
  std::uint64_t size = 0;
  std::vector<Extent> extents;  // in input order; a later one wins where they overlap
};

// The files an input stands for; each file's size is at most `max_size`. Never empty.
std::vector<InputFile> decode_input(std::span<const std::byte> input, std::uint64_t max_size);

// An input file as a byte source (zeros outside its extents).
class SparseSource final : public ByteSource {
 public:
  SparseSource(InputFile file, std::string name) : file_(std::move(file)), name_(std::move(name)) {}
  std::uint64_t size() const override { return file_.size; }
  std::uint32_t sector_size() const override { return 512; }
  std::string name() const override { return name_; }

 protected:
  void read_inside(std::uint64_t offset, std::span<std::byte> buffer) const override;

 private:
  InputFile file_;
  std::string name_;
};

// A directory of this process's own (/dev/shm/diskimg-fuzz-PID when there is /dev/shm),
// holding the input's files as disk.vhd, parent.vhd, grandparent.vhd and other.vhd, sparse
// where the input left holes, and a link sub -> . (so that "sub\disk.vhd" reaches a file
// through a link). Left behind when the process ends; the next harness to start removes
// those of processes that are gone.
class ScratchDirectory {
 public:
  static ScratchDirectory& instance();
  // Writes the files, replacing what an earlier input left; returns their paths.
  std::vector<std::filesystem::path> write(const std::vector<InputFile>& files);
  const std::filesystem::path& path() const { return path_; }

 private:
  ScratchDirectory();
  std::filesystem::path path_;
};

// Opens an NTFS volume and walks it with bounded work: its label and version, a catalog
// (small MFTs only) and recursive listing of the first entries, the directory indexes and
// path lookups of a few directories, a few pieces of each stream of a few files, the used
// map and its check against every record (small MFTs only). diskimg::Error is caught and
// ends the walk (or that part of it); anything else propagates, as a finding.
void exercise_ntfs_volume(SourcePtr volume);

}  // namespace diskimg::fuzz
