// Runs the built `vigil` binary as a user would and captures what it prints.
#ifndef VIGIL_TESTS_CLI_CLI_RUNNER_H_
#define VIGIL_TESTS_CLI_CLI_RUNNER_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigil::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `vigil <args>` through /bin/sh (args are shell words; quote them yourself), with
// `stdin_file` as standard input when not empty.
CliRun RunVigil(const std::string& args, const std::string& stdin_file = "");

// A fresh temporary directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& bytes) const;

 private:
  std::filesystem::path path_;
};

std::string ReadAll(const std::filesystem::path& path);

// Each line of `text` parsed as JSON (JSON-lines output).
std::vector<nlohmann::json> JsonLines(const std::string& text);

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_CLI_CLI_RUNNER_H_
