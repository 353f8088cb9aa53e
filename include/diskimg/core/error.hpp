// The one error hierarchy of diskimg. Every message names the structure, where it is and
// what was wrong with it: "gpt: primary header (LBA 1, offset 0x200): header CRC32 mismatch".
#pragma once

#include <stdexcept>
#include <string>

namespace diskimg {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The bytes do not hold what the format says they must: a bad signature, checksum, length,
// offset or a chain that loops.
class FormatError : public Error {
 public:
  using Error::Error;
};

// Reading or writing failed: a short read, a read past the end, an errno from the system.
class IoError : public Error {
 public:
  using Error::Error;
};

// Well-formed input that diskimg does not handle (yet), such as an encrypted stream.
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

// A path, record or stream that the caller named does not exist.
class NotFoundError : public Error {
 public:
  using Error::Error;
};

// The caller asked for something that cannot be done with these arguments: a volume number
// that does not exist, a size of zero.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace diskimg
