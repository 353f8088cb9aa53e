/// @file
/// File-level restore: files and directory trees copied out of an NTFS volume into a local
/// directory, with their bytes (sparse holes left unwritten), named streams, times and
/// attributes, hard links as links; names the target cannot hold renamed and reported;
/// nothing written outside the target directory, nothing existing replaced.
#pragma once

#include <diskimg/ntfs/volume.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace diskimg {

/// Where extract puts a file's named streams ($DATA streams with a name).
enum class StreamTarget {
  /// The extended attribute `user.ntfs.stream.NAME` of the file. A stream the target
  /// cannot hold so (over 64 KiB, or a file system without user xattrs) is reported.
  xattr,
  /// A file `NAME:STREAM` beside the file.
  sidecar,
};
/// "xattr", "sidecar".
std::string_view to_string(StreamTarget target);
/// The reverse; throws UsageError otherwise.
StreamTarget parse_stream_target(std::string_view text);

/// How extract works. A plain value; `progress` is called on the calling thread.
struct ExtractOptions {
  StreamTarget named_streams = StreamTarget::xattr;  ///< where named streams go
  /// Called between files and between pieces of at most 128 KiB with the bytes written so far
  /// and the bytes the chosen files hold in all, as their directory indexes record them (an
  /// estimate: Windows updates those sizes lazily, and where `done` passes it the total
  /// given grows with it); return false to stop (CancelledError).
  std::function<bool(std::uint64_t done, std::uint64_t total)> progress;
};

/// A file or directory written under another name than its NTFS one.
struct RenamedEntry {
  std::string path;        ///< on the volume, "/dir/na/me"
  std::string written_as;  ///< relative to the target directory
  std::string reason;      ///< why: "'/' in the name", "taken by /dir/Name (case)", ...
};

/// Something that could not be restored (in full).
struct ExtractProblem {
  std::string path;    ///< on the volume, with ":STREAM" for a named stream
  std::string reason;  ///< the error, naming the structure and offset where there is one
};

/// What extract did. A plain value.
struct ExtractResult {
  std::uint64_t files = 0;           ///< regular files written (hard links counted once)
  std::uint64_t directories = 0;     ///< directories made
  std::uint64_t hard_links = 0;      ///< further names of a file already written, made as links
  std::uint64_t named_streams = 0;   ///< named streams written (xattrs or sidecar files)
  std::uint64_t reparse_points = 0;  ///< entries recorded with their reparse data, not followed
  std::uint64_t bytes = 0;           ///< bytes of file data and streams written (holes not)
  std::vector<RenamedEntry> renamed;    ///< entries written under other names
  std::vector<ExtractProblem> skipped;  ///< what was not restored, in full or in part
};

/// Copies the files and directory trees at `paths` ("/" for the whole volume) into
/// `target`, which is made when it does not exist (its parent must). A file lands as
/// target/NAME, a directory's tree as target/NAME/... (the root's as target/...).
///
/// Written for each file: the unnamed $DATA's bytes, the holes of sparse and compressed
/// streams and the bytes past the initialized size left as holes (the file is sized with
/// ftruncate); named streams as StreamTarget says; the modification and access times of
/// $STANDARD_INFORMATION (directories' after their contents), its creation time as the
/// 8-byte little-endian FILETIME in `user.ntfs.crtime` and its attribute flags as 4 bytes
/// in `user.ntfs.attrib` (where the target takes user xattrs); a reparse point's data in
/// `user.ntfs.reparse` on the entry, never followed. A file with several names in the
/// chosen trees is written once and linked.
///
/// Every entry is made with openat/mkdirat below `target`, never through a symbolic link
/// and never over an existing entry: a name that cannot be used as it is ("." and "..",
/// '/' or NUL in it, longer than the target allows, refused by the target, or taken, by an
/// existing file or by another name on a case-insensitive target) is changed predictably
/// and listed in `renamed`. Files and streams that cannot be read (damaged, encrypted) are
/// listed in `skipped` and the rest goes on; so are index entries naming a record freed or
/// reused since, and files naming clusters already restored for this path (cross-links in a
/// damaged or crafted volume: the output of a path stays bounded by the volume).
///
/// Trees are walked by their directory indexes, depth first in index order; memory goes
/// with the depth and the widest directory, not with the number of files.
///
/// Reads the volume only. Throws NotFoundError when a path does not exist on the volume,
/// UsageError when `target` exists and is not a directory, IoError when the target cannot
/// be made or written (a full disk stops the extraction; what was written stays),
/// CancelledError when progress asks to stop, and what progress throws.
ExtractResult extract(const ntfs::Volume& volume, const std::vector<std::string>& paths,
                      const std::filesystem::path& target, const ExtractOptions& options = {});

}  // namespace diskimg
