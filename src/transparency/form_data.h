// The form files embedded at build time (generated form_data.cc). Private to the module.
#ifndef VIGIL_TRANSPARENCY_FORM_DATA_H_
#define VIGIL_TRANSPARENCY_FORM_DATA_H_

#include <span>
#include <string_view>

namespace vigil::transparency::internal {

struct EmbeddedForm {
  std::string_view id;
  std::string_view json;
};

std::span<const EmbeddedForm> EmbeddedForms();

}  // namespace vigil::transparency::internal

#endif  // VIGIL_TRANSPARENCY_FORM_DATA_H_
