// PDQ throughput on the golden images (../shared/testdata/pdq):
//   BM_HashOnly512      decoded 512x512 RGB pixels -> PDQ (luma, filter, DCT, bits)
//   BM_EndToEnd/images  file bytes -> decode -> PDQ + MD5 + SHA-256, the 43 originals
//   BM_EndToEnd/variants  the same for the 288 variants
// Threads(2) runs one hasher per thread. items_per_second is images or hashes per second.
// Baseline: Meta's reference pdq-photo-hasher measured in the same session (docs/performance.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/file.h"
#include "detect/media_hasher.h"
#include "hash/pdq.h"
#include "hash/pdq_internal.h"
#include "media/media.h"

namespace {

namespace fs = std::filesystem;
const fs::path kPdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "pdq";

std::vector<std::vector<uint8_t>> LoadDir(const std::string& sub) {
  std::vector<fs::path> paths;
  if (fs::exists(kPdqDir / sub)) {
    for (const auto& e : fs::directory_iterator(kPdqDir / sub)) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::vector<uint8_t>> files;
  for (const auto& p : paths) {
    auto bytes = vigil::ReadFileBytes(p.string(), 64 << 20);
    if (bytes.ok()) files.push_back(std::move(*bytes));
  }
  return files;
}

const std::vector<std::vector<uint8_t>>& Images() {
  static const auto* files = new std::vector<std::vector<uint8_t>>(LoadDir("images"));
  return *files;
}
const std::vector<std::vector<uint8_t>>& Variants() {
  static const auto* files = new std::vector<std::vector<uint8_t>>(LoadDir("variants"));
  return *files;
}

// 01_aqua.jpg brought to 512x512 with the reference's nearest-neighbour sampling.
const vigil::media::Image& Pixels512() {
  static const vigil::media::Image* image = [] {
    auto* out = new vigil::media::Image{512, 512, 3, {}};
    auto bytes = vigil::ReadFileBytes((kPdqDir / "images" / "01_aqua.jpg").string(), 64 << 20);
    if (!bytes.ok()) return out;
    auto full = vigil::media::DecodeImage(*bytes, {});
    if (!full.ok() || full->channels != 3) return out;
    out->pixels.resize(512 * 512 * 3);
    for (int y = 0; y < 512; ++y) {
      const int sy = vigil::hash::internal::NearestSource(y, full->height, 512);
      for (int x = 0; x < 512; ++x) {
        const int sx = vigil::hash::internal::NearestSource(x, full->width, 512);
        std::copy_n(&full->pixels[(static_cast<size_t>(sy) * full->width + sx) * 3], 3,
                    &out->pixels[(static_cast<size_t>(y) * 512 + x) * 3]);
      }
    }
    return out;
  }();
  return *image;
}

void BM_HashOnly512(benchmark::State& state) {
  const auto& image = Pixels512();
  if (image.pixels.empty()) {
    state.SkipWithError("shared test data missing");
    return;
  }
  vigil::hash::PdqHasher hasher;
  const vigil::hash::PixelView view{image.pixels.data(), 512, 512, 3, 0};
  for (auto _ : state) {
    auto r = hasher.Hash(view);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashOnly512)->Threads(1)->Threads(2)->UseRealTime();

void EndToEnd(benchmark::State& state, const std::vector<std::vector<uint8_t>>& files) {
  if (files.empty()) {
    state.SkipWithError("shared test data missing");
    return;
  }
  vigil::detect::MediaHasher hasher;
  size_t i = state.thread_index();
  for (auto _ : state) {
    auto r = hasher.HashBytes(files[i % files.size()]);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
    i += state.threads();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EndToEndImages(benchmark::State& state) { EndToEnd(state, Images()); }
void BM_EndToEndVariants(benchmark::State& state) { EndToEnd(state, Variants()); }
BENCHMARK(BM_EndToEndImages)->Threads(1)->Threads(2)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_EndToEndVariants)->Threads(1)->Threads(2)->UseRealTime()->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
