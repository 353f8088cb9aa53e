#include <diskimg/core/error.hpp>

namespace diskimg {

Error::Error(const std::string& message, Location where)
    : std::runtime_error(message), where_(std::make_shared<const Location>(std::move(where))) {}

VolumeChoiceError::VolumeChoiceError(const std::string& message, std::vector<unsigned> candidates)
    : UsageError(message),
      candidates_(std::make_shared<const std::vector<unsigned>>(std::move(candidates))) {}

}  // namespace diskimg
