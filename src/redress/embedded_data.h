// Data files embedded at build time (CMakeLists.txt): the user-notice templates of
// data/notices/*.json and the general-notice texts of data/scanning-notice/*.json.
#ifndef VIGIL_REDRESS_EMBEDDED_DATA_H_
#define VIGIL_REDRESS_EMBEDDED_DATA_H_

#include <span>
#include <string_view>

namespace vigil::redress::internal {

struct EmbeddedFile {
  std::string_view name;  // the file name without .json
  std::string_view json;
};

std::span<const EmbeddedFile> EmbeddedNoticeTemplates();
std::span<const EmbeddedFile> EmbeddedScanningNotices();

}  // namespace vigil::redress::internal

#endif  // VIGIL_REDRESS_EMBEDDED_DATA_H_
