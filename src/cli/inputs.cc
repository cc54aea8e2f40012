#include "cli/inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace vigil::cli {

InputList ExpandInputs(const std::vector<std::string>& args, bool recursive) {
  namespace fs = std::filesystem;
  InputList out;
  for (const std::string& arg : args) {
    std::error_code ec;
    const fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) {
      out.errors.push_back(NotFoundError(fmt::format("{}: no such file or directory", arg)));
      continue;
    }
    if (!fs::is_directory(st)) {
      out.files.push_back(arg);
      continue;
    }
    if (!recursive) {
      out.errors.push_back(
          InvalidArgumentError(fmt::format("{}: is a directory (use --recursive)", arg)));
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(arg, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      if (it->is_regular_file(type_ec)) found.push_back(it->path().string());
    }
    if (ec) {
      out.errors.push_back(
          UnavailableError(fmt::format("{}: cannot list directory: {}", arg, ec.message())));
    }
    std::sort(found.begin(), found.end());
    out.files.insert(out.files.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace vigil::cli
