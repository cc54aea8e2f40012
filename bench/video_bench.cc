// vPDQ video hashing throughput (bytes in memory -> decode -> RGB -> PDQ per selected frame,
// plus MD5/SHA-256), one thread, in three modes:
//   exact_1s      bit-exact, one hash per second (the reference's -r 1)
//   exact_every   bit-exact, every frame (-r 0)
//   keyframes_1s  DecodeSpeed::kKeyframesOnly, at most one hash per second
// on two inputs: the 33 clips of ../shared/testdata/vpdq ("corpus"), and the file named by the
// environment variable VIGIL_VIDEO_BENCH_CLIP if set (docs/performance-video.md makes a 60 s
// 720p30 H.264 clip). Counters: frames_decoded/s, video_s/s (seconds of video per second),
// hashes/s.
//
// `bench_video --match_report` instead prints how the fast mode changes the vPDQ match table of
// expected_matches.csv (fast queries against bit-exact targets, and fast against fast).
// Baseline: Meta's vpdq-hash-video, timed in the same session (docs/performance-video.md).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/file.h"
#include "detect/video_hasher.h"
#include "hash/vpdq.h"

namespace {

namespace fs = std::filesystem;
using vigil::detect::VideoHasher;
using vigil::detect::VideoHasherOptions;
using vigil::media::DecodeSpeed;

const fs::path kVpdqDir = fs::path(VIGIL_SHARED_DIR) / "testdata" / "vpdq";

struct Clip {
  std::string stem;
  std::vector<uint8_t> bytes;
};

std::vector<Clip> LoadCorpus() {
  std::vector<Clip> clips;
  if (!fs::exists(kVpdqDir / "videos")) return clips;
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(kVpdqDir / "videos")) {
    if (!e.path().filename().string().starts_with("bad_")) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    auto bytes = vigil::ReadFileBytes(p.string(), 1ull << 30);
    if (bytes.ok()) clips.push_back({p.stem().string(), std::move(*bytes)});
  }
  return clips;
}

VideoHasherOptions Mode(std::string_view mode) {
  VideoHasherOptions options;
  options.decode.every_frame = mode == "exact_every";
  if (mode == "keyframes_1s") options.decode.speed = DecodeSpeed::kKeyframesOnly;
  return options;
}

void BM_HashVideo(benchmark::State& state, const std::vector<Clip>* clips,
                  const std::string& mode) {
  VideoHasher hasher(Mode(mode));
  int64_t frames = 0;
  int64_t hashes = 0;
  double seconds = 0;
  for (auto _ : state) {
    for (const Clip& clip : *clips) {
      auto result = hasher.HashBytes(clip.bytes);
      if (!result.ok()) {
        state.SkipWithError(result.status().ToString().c_str());
        return;
      }
      frames += result->stats.frames_decoded;
      hashes += static_cast<int64_t>(result->frames.size());
      seconds += result->info.duration_seconds;
    }
  }
  using benchmark::Counter;
  state.counters["frames_decoded/s"] = Counter(static_cast<double>(frames), Counter::kIsRate);
  state.counters["video_s/s"] = Counter(seconds, Counter::kIsRate);
  state.counters["hashes/s"] = Counter(static_cast<double>(hashes), Counter::kIsRate);
}

// --match_report: the match table with fast-mode hashes, compared with expected_matches.csv.
int PrintMatchReport() {
  const std::vector<Clip> clips = LoadCorpus();
  std::map<std::string, std::vector<vigil::hash::VpdqFrame>> exact;
  std::map<std::string, std::vector<vigil::hash::VpdqFrame>> fast;
  VideoHasher exact_hasher(Mode("exact_1s"));
  VideoHasher fast_hasher(Mode("keyframes_1s"));
  for (const Clip& clip : clips) {
    auto e = exact_hasher.HashBytes(clip.bytes);
    auto f = fast_hasher.HashBytes(clip.bytes);
    if (!e.ok() || !f.ok()) {
      fmt::print(stderr, "{}: {}\n", clip.stem, (e.ok() ? f : e).status().ToString());
      return 1;
    }
    exact[clip.stem] = e->frames;
    fast[clip.stem] = f->frames;
  }
  fmt::print(
      "| query | target | exact q% | exact t% | fast-vs-exact q% | t% | fast-vs-fast q% | t% |\n");
  fmt::print("|---|---|---|---|---|---|---|---|\n");
  // Decisions at the 80%/80% and at python-threatexchange's default 80%/0% (query
  // share only), which suits a query hashed fast against a bank hashed exactly.
  vigil::hash::VpdqMatchOptions query_only;
  query_only.target_match_threshold_percent = 0;
  int rows = 0;
  int changed_fe = 0;  // percentages changed, fast query vs exact target
  int changed_ff = 0;  // ... fast vs fast
  int flips_fe = 0;    // is_match changed at 80%/80%
  int flips_ff = 0;
  int flips_fe_q = 0;  // is_match changed at 80%/0%
  int flips_ff_q = 0;
  for (const auto& [query, query_exact] : exact) {
    for (const auto& [target, target_exact] : exact) {
      if (target.find("__") != std::string::npos) continue;
      const auto ee = vigil::hash::MatchVpdq(query_exact, target_exact);
      const auto fe = vigil::hash::MatchVpdq(fast[query], target_exact);
      const auto ff = vigil::hash::MatchVpdq(fast[query], fast[target]);
      ++rows;
      auto differs = [&](const vigil::hash::VpdqMatchResult& m) {
        return std::abs(m.query_match_percent - ee.query_match_percent) > 0.005 ||
               std::abs(m.target_match_percent - ee.target_match_percent) > 0.005;
      };
      changed_fe += differs(fe);
      changed_ff += differs(ff);
      flips_fe += fe.is_match != ee.is_match;
      flips_ff += ff.is_match != ee.is_match;
      const bool ee_q = vigil::hash::MatchVpdq(query_exact, target_exact, query_only).is_match;
      flips_fe_q += vigil::hash::MatchVpdq(fast[query], target_exact, query_only).is_match != ee_q;
      flips_ff_q += vigil::hash::MatchVpdq(fast[query], fast[target], query_only).is_match != ee_q;
      if (!differs(fe) && !differs(ff)) continue;
      fmt::print("| {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n", query,
                 target, ee.query_match_percent, ee.target_match_percent, fe.query_match_percent,
                 fe.target_match_percent, ff.query_match_percent, ff.target_match_percent);
    }
  }
  fmt::print(
      "\n{} pairs; percentages changed: fast-vs-exact {}, fast-vs-fast {}; "
      "80%/80% decision changed: fast-vs-exact {}, fast-vs-fast {}; "
      "80%/0% decision changed: fast-vs-exact {}, fast-vs-fast {}\n",
      rows, changed_fe, changed_ff, flips_fe, flips_ff, flips_fe_q, flips_ff_q);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--match_report") return PrintMatchReport();
  }
  const std::vector<Clip> corpus = LoadCorpus();  // outlives the benchmark runs below
  std::vector<Clip> extra;
  if (const char* path = std::getenv("VIGIL_VIDEO_BENCH_CLIP")) {
    auto bytes = vigil::ReadFileBytes(path, 4ull << 30);
    if (bytes.ok()) extra.push_back({fs::path(path).stem().string(), std::move(*bytes)});
  }
  for (const char* mode : {"exact_1s", "exact_every", "keyframes_1s"}) {
    if (!corpus.empty()) {
      benchmark::RegisterBenchmark(fmt::format("BM_HashVideo/corpus/{}", mode).c_str(),
                                   BM_HashVideo, &corpus, std::string(mode))
          ->Unit(benchmark::kMillisecond);
    }
    if (!extra.empty()) {
      benchmark::RegisterBenchmark(fmt::format("BM_HashVideo/{}/{}", extra[0].stem, mode).c_str(),
                                   BM_HashVideo, &extra, std::string(mode))
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
