// NCMEC CyberTipline responses (<reportResponse>, <reportDoneResponse>), parsed from hostile XML.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "report/ncmec/response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  using namespace vigil::report::ncmec;
  if (auto r = ParseReportResponse(xml, "fuzz"); r.ok()) {
    (void)StatusOf(r->state, r->code, r->description, "submit");
  }
  (void)ParseReportDoneResponse(xml, "fuzz");
  return 0;
}
