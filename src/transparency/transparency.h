// Public face of the `transparency` module: the provider's annual report in the standard form
// (Art 3(1)(g)(vii) and Art 3(4) of Regulation (EU) 2021/1232, Implementing Regulation (EU)
// 2024/2916), the Commission-style comparison of several providers' reports, and Member State
// statistics (Art 8). Reads cases, volume counters and banks through their store interfaces.
#ifndef VIGIL_TRANSPARENCY_TRANSPARENCY_H_
#define VIGIL_TRANSPARENCY_TRANSPARENCY_H_

#include "transparency/annual_report.h"     // IWYU pragma: export
#include "transparency/compare.h"           // IWYU pragma: export
#include "transparency/member_state.h"      // IWYU pragma: export
#include "transparency/provider_report.h"   // IWYU pragma: export
#include "transparency/received_reports.h"  // IWYU pragma: export
#include "transparency/report_config.h"     // IWYU pragma: export
#include "transparency/standard_form.h"     // IWYU pragma: export

#endif  // VIGIL_TRANSPARENCY_TRANSPARENCY_H_
