// Whether a checksum mismatch is fatal. Everywhere the library verifies a checksum (VHD
// footer and dynamic header, GPT header and entry array CRC32, LDM PRIVHEAD and TOCBLOCK,
// NTFS update sequence fixups, VHDX headers, region tables and log entries' CRC-32C) it asks this, and when the answer is yes it reports the
// mismatch as a warning (or a non-fatal problem) and reads on.
//
// Why: a fuzzer's mutations almost never keep a checksum right, so with checksums enforced
// every mutated header is refused at the first check and the code behind it is never
// reached (a size that wrapped near 2^64 hid behind the VHD footer's checksum that way).
// Fuzzing builds (-DDISKIMG_FUZZ=ON, which sets DISKIMG_FUZZ_CHECKSUMS_ADVISORY) can make
// checksums advisory; the fuzz harnesses switch it on as they start. It stays off otherwise,
// so that the unit, command-line and Python tests of the same sanitized build still see
// mismatches refused. Other builds have no switch at all: checksums_are_advisory() is a
// constant false there. This header is the one place that reads the definition.
#pragma once

namespace diskimg {

#if defined(DISKIMG_FUZZ_CHECKSUMS_ADVISORY)
bool checksums_are_advisory();
// For the fuzz harnesses only (fuzz/fuzz_support.hpp); not thread-safe against checks
// running at the same time.
void set_checksums_advisory(bool advisory);
#else
constexpr bool checksums_are_advisory() { return false; }
#endif

}  // namespace diskimg
