// Where key material comes from: a key file named on the command line or in a config, else the
// text of an environment variable. The evidence master keys and the pseudonymisation keys are
// both read this way, so both name their source the same way in errors.
#ifndef VIGIL_PRIVACY_KEY_TEXT_H_
#define VIGIL_PRIVACY_KEY_TEXT_H_

#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::privacy {

struct KeyText {
  std::string text;
  std::string source;  // the file's path or the variable's name, for error messages
};

// The file wins over the variable's text (`env_name` names the variable). kInvalidArgument
// `missing` when neither is given; the file's read errors (over 1 MiB included) otherwise.
Result<KeyText> ReadKeyText(const std::string& key_file, std::string_view env_text,
                            std::string_view env_name, std::string_view missing);

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_KEY_TEXT_H_
