/// @file
/// The one error hierarchy of diskimg, and the warnings for damage that was worked around.
/// Every message names the structure, where it is and what was wrong with it
/// ("gpt: primary header (LBA 1, offset 0x200): header CRC32 mismatch"); the structure and
/// offset are also fields, so callers and tests match on them rather than on the text.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace diskimg {

/// Where a fault or a warning lies.
struct Location {
  /// What was being read: "GPT primary header", "MFT record 64", "VHD footer". Empty when
  /// nothing more precise than the message is known.
  std::string structure;
  /// Bytes from the start of the source the structure was read from (the disk for layout
  /// structures, the volume for NTFS ones, the file for VHD ones), when known.
  std::optional<std::uint64_t> offset;

  /// Equal when both the structure and the offset are.
  bool operator==(const Location&) const = default;
};

/// Base of every error diskimg throws. `what()` is the whole message; `where()` the
/// structure and offset at fault, when the thrower knew them. An error is immutable: it
/// shares its location between copies, copying never throws, and any thread may read it.
class Error : public std::runtime_error {
 public:
  /// An error with the whole `message` and, when known, the structure and offset at fault.
  explicit Error(const std::string& message, Location where = {});
  /// The structure and offset the message names (empty structure and no offset if none).
  const Location& where() const noexcept { return *where_; }

 private:
  std::shared_ptr<const Location> where_;
};

/// The bytes do not hold what the format says they must: a bad signature, checksum, length,
/// offset or a chain that loops.
class FormatError : public Error {
 public:
  using Error::Error;
};

/// Reading or writing failed: a short read, a read past the end, an errno from the system.
class IoError : public Error {
 public:
  using Error::Error;
};

/// Well-formed input that diskimg does not handle (yet), such as an encrypted stream.
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

/// A path, record or stream that the caller named does not exist.
class NotFoundError : public Error {
 public:
  using Error::Error;
};

/// The caller asked for something that cannot be done with these arguments: a volume number
/// that does not exist, a size of zero.
class UsageError : public Error {
 public:
  using Error::Error;
};

/// An output that would replace an existing file, when the caller did not allow it.
/// `where().structure` is the path.
class OutputExistsError : public UsageError {
 public:
  using UsageError::UsageError;
};

/// A file-system operation with no volume chosen, on a disk that has several volumes of the
/// kind asked for. `candidates()` are their indexes, for the caller to offer.
class VolumeChoiceError : public UsageError {
 public:
  /// The error with its `message` and the indexes of the volumes that would do.
  VolumeChoiceError(const std::string& message, std::vector<unsigned> candidates);
  /// The indexes (Volume::index) of the volumes the caller may choose from, in order.
  const std::vector<unsigned>& candidates() const noexcept { return *candidates_; }

 private:
  std::shared_ptr<const std::vector<unsigned>> candidates_;
};

/// Memory could not be had for something sized from what was read (a catalog of every MFT
/// record, a volume's cluster bitmap, a large read): the message names it and the bytes it
/// asked for, `where()` the structure. Hostile input claiming huge sizes ends here, as does
/// a real volume too large for the memory at hand.
class OutOfMemoryError : public Error {
 public:
  using Error::Error;
};

/// The caller asked a long operation to stop (its progress callback said so); whatever it
/// was writing has been removed.
class CancelledError : public Error {
 public:
  using Error::Error;
};

/// Data a copy must hold is not there to copy: bytes the source cannot read, or a partition
/// that runs past the end of a truncated image. A copy that goes on anyway (zeros there,
/// the ranges listed) is the caller's explicit choice. Nothing was written.
class MissingDataError : public IoError {
 public:
  using IoError::IoError;
};

/// An incremental copy's parent that does not describe the disk being copied. A parent of
/// another size or sector size can never hold the copy's child; one of another disk
/// identity or partition layout can, when the caller says it is the same disk after all
/// (`identity_only()`). Nothing was written.
class ParentMismatchError : public Error {
 public:
  /// The error with its `message`; `identity_only` when only identifiers or partitions differ.
  ParentMismatchError(const std::string& message, bool identity_only, Location where = {})
      : Error(message, std::move(where)), identity_only_(identity_only) {}
  /// Whether the parent has the disk's size and sector size, and differs only in its disk
  /// identifiers or partition layout (a copy against it may be asked for anyway).
  bool identity_only() const noexcept { return identity_only_; }

 private:
  bool identity_only_;
};

/// Damage that was worked around: a GPT primary header replaced by its backup, an EBR chain
/// cut short, a child record that does not point back. The rest of what was read is usable.
struct Warning {
  Location where;    ///< the structure and offset it concerns
  std::string what;  ///< the whole message, naming the structure, where it is and the fault

  /// An empty warning (no message, no location).
  Warning() = default;
  /// A warning whose message says it all (no separate location). Implicit, so that a
  /// message can be added to a Warnings list as it is.
  Warning(std::string message) : what(std::move(message)) {}  // NOLINT: implicit on purpose
  /// The same from a string literal.
  Warning(const char* message) : what(message) {}               // NOLINT: implicit on purpose
  /// A warning about the structure and offset in `location`.
  Warning(Location location, std::string message)
      : where(std::move(location)), what(std::move(message)) {}
  /// Equal when both the location and the message are.
  bool operator==(const Warning&) const = default;
};

/// Warnings gathered while reading something, oldest first.
using Warnings = std::vector<Warning>;

}  // namespace diskimg
