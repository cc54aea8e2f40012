// Robustness report: for each transform in ../shared/testdata/pdq/variants, the share of
// variants whose PDQ is within distance 31 of their original's, with plain matching and with
// dihedral matching (the variant against all 8 orientations of the original), for each
// resampling mode. Prints a Markdown table (recorded in docs/hashing.md).
//
// Usage: bench_pdq_robustness [SHARED_DIR]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/file.h"
#include "hash/pdq.h"
#include "media/media.h"

namespace {

namespace fs = std::filesystem;
using vigil::hash::Hash256;

constexpr int kThreshold = 31;

struct Counts {
  int total = 0;
  int plain = 0;
  int dihedral = 0;
  long distance_sum = 0;
};

vigil::Result<vigil::hash::PdqDihedralResult> HashFile(const fs::path& path,
                                                       vigil::hash::Resampling mode) {
  ASSIGN_OR_RETURN(auto bytes, vigil::ReadFileBytes(path.string(), 64 << 20));
  ASSIGN_OR_RETURN(auto image, vigil::media::DecodeImage(bytes, {}));
  return vigil::hash::PdqHashDihedral(
      {image.pixels.data(), image.width, image.height, image.channels, 0}, {mode});
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path shared = argc > 1 ? fs::path(argv[1]) : fs::path(VIGIL_SHARED_DIR);
  const fs::path dir = shared / "testdata" / "pdq";
  if (!fs::exists(dir / "variants")) {
    std::fprintf(stderr, "no test data at %s\n", dir.c_str());
    return 1;
  }
  std::vector<fs::path> variants;
  for (const auto& e : fs::directory_iterator(dir / "variants")) variants.push_back(e.path());
  std::sort(variants.begin(), variants.end());

  const std::pair<const char*, vigil::hash::Resampling> modes[] = {
      {"reference", vigil::hash::Resampling::kReference}, {"area", vigil::hash::Resampling::kArea}};
  std::printf(
      "| transform | variants | reference: plain | reference: dihedral | area: plain | area: "
      "dihedral | mean distance ref / area |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  std::map<std::string, std::map<std::string, Counts>> table;  // transform -> mode -> counts
  for (const auto& [mode_name, mode] : modes) {
    std::map<std::string, vigil::hash::PdqDihedralResult> originals;
    for (const auto& variant : variants) {
      const std::string stem = variant.stem().string();
      const size_t sep = stem.find("__");
      if (sep == std::string::npos) continue;
      const std::string base = stem.substr(0, sep), transform = stem.substr(sep + 2);
      if (!originals.count(base)) {
        fs::path original;
        for (const char* ext : {".jpg", ".png"}) {
          if (fs::exists(dir / "images" / (base + ext))) original = dir / "images" / (base + ext);
        }
        auto h = HashFile(original, mode);
        if (!h.ok()) {
          std::fprintf(stderr, "%s: %s\n", original.c_str(), h.status().ToString().c_str());
          return 1;
        }
        originals[base] = *h;
      }
      auto v = HashFile(variant, mode);
      if (!v.ok()) {
        std::fprintf(stderr, "%s: %s\n", variant.c_str(), v.status().ToString().c_str());
        return 1;
      }
      const auto& o = originals[base];
      const int plain = vigil::hash::HammingDistance(o.hashes[0], v->hashes[0]);
      int best = plain;
      for (const Hash256& oriented : o.hashes) {
        best = std::min(best, vigil::hash::HammingDistance(oriented, v->hashes[0]));
      }
      Counts& c = table[transform][mode_name];
      c.total++;
      c.plain += plain <= kThreshold;
      c.dihedral += best <= kThreshold;
      c.distance_sum += plain;
    }
  }
  auto pct = [](int n, int d) { return d ? 100.0 * n / d : 0.0; };
  Counts all_ref, all_area;
  for (const auto& [transform, by_mode] : table) {
    const Counts& r = by_mode.at("reference");
    const Counts& a = by_mode.at("area");
    std::printf("| %s | %d | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.1f / %.1f |\n",
                transform.c_str(), r.total, pct(r.plain, r.total), pct(r.dihedral, r.total),
                pct(a.plain, a.total), pct(a.dihedral, a.total), double(r.distance_sum) / r.total,
                double(a.distance_sum) / a.total);
    for (auto [sum, c] : {std::pair{&all_ref, &r}, std::pair{&all_area, &a}}) {
      sum->total += c->total;
      sum->plain += c->plain;
      sum->dihedral += c->dihedral;
      sum->distance_sum += c->distance_sum;
    }
  }
  std::printf("| **all** | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f / %.1f |\n", all_ref.total,
              pct(all_ref.plain, all_ref.total), pct(all_ref.dihedral, all_ref.total),
              pct(all_area.plain, all_area.total), pct(all_area.dihedral, all_area.total),
              double(all_ref.distance_sum) / all_ref.total,
              double(all_area.distance_sum) / all_area.total);
  return 0;
}
