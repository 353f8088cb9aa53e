#include "core/checksums.hpp"

namespace diskimg {

#if defined(DISKIMG_FUZZ_CHECKSUMS_ADVISORY)
namespace {
bool advisory_checksums = false;
}  // namespace

bool checksums_are_advisory() { return advisory_checksums; }
void set_checksums_advisory(bool advisory) { advisory_checksums = advisory; }
#endif

}  // namespace diskimg
