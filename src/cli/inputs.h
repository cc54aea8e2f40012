// Expanding the CLI's file and directory arguments into a list of files.
#ifndef VIGIL_CLI_INPUTS_H_
#define VIGIL_CLI_INPUTS_H_

#include <string>
#include <vector>

#include "core/result.h"

namespace vigil::cli {

struct InputList {
  std::vector<std::string> files;  // in argument order; directory contents sorted by path
  std::vector<Status> errors;      // arguments that could not be used, each naming itself
};

// Files are kept as given. Directories are walked (recursively, regular files only, sorted)
// when `recursive`, else reported as an error asking for --recursive. Missing paths are
// reported, not fatal, so one typo does not stop a long run.
InputList ExpandInputs(const std::vector<std::string>& args, bool recursive);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_INPUTS_H_
