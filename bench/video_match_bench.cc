// Matching one video against a bank of N video entries, same run, two ways:
//   index  match::Matcher::MatchVpdq: every banked frame in the shared Hamming index, one
//          radius-31 search per distinct query frame (what `vigil match`/`scan` do);
//   brute  hash::MatchVpdq against every banked video in turn (|Q| x |T| distances each).
// The bank holds the base clip s02_zoom_h264 (from ../shared/testdata/vpdq/expected) and N - 1
// synthetic videos of --frames distinct random frames (uniform 256-bit hashes, quality 100: the
// worst case for the index, no clustering); the query is s02_zoom_h264__lowbr (10 frames), which
// matches the base clip 100%/100%. Both ways must find exactly that one match (checked).
//
// Usage: bench_video_match [--sizes 1000,10000,100000] [--frames 30] [--reps 5]
// Prints, per N: frames in the index, the median CPU time of each way (this thread's CPU clock:
// both run on one thread, and CPU time is what a shared machine's load disturbs least) and the
// ratio.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bank/bank.h"
#include "hash/vpdq.h"
#include "match/matcher.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
const fs::path kExpected = fs::path(VIGIL_SHARED_DIR) / "testdata" / "vpdq" / "expected";

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<vigil::hash::VpdqFrame> RandomVideo(std::mt19937_64& rng, int frames) {
  std::vector<vigil::hash::VpdqFrame> out;
  for (int i = 0; i < frames; ++i) {
    vigil::hash::Hash256 h;
    for (auto& w : h.words) w = rng();
    out.push_back({30 * i, 100, h, static_cast<double>(i)});
  }
  return out;
}

// The bank value of a frame list (frame lines joined by ';').
std::string Value(const std::vector<vigil::hash::VpdqFrame>& frames) {
  std::string text = vigil::hash::FormatVpdq(frames);
  text.pop_back();
  std::replace(text.begin(), text.end(), '\n', ';');
  return text;
}

// CPU time of the calling thread, in milliseconds.
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<int> ParseSizes(const char* text) {
  std::vector<int> sizes;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) sizes.push_back(std::atoi(item.c_str()));
  return sizes;
}

int Run(int n, int frames_per_video, int reps) {
  auto base = vigil::hash::ParseVpdq(ReadText(kExpected / "s02_zoom_h264.txt"));
  auto query = vigil::hash::ParseVpdq(ReadText(kExpected / "s02_zoom_h264__lowbr.txt"));
  if (!base.ok() || !query.ok() || base->empty()) {
    std::fprintf(stderr, "cannot read %s\n", kExpected.string().c_str());
    return 1;
  }
  std::mt19937_64 rng(n);
  std::vector<std::vector<vigil::hash::VpdqFrame>> targets = {*base};
  vigil::bank::InMemoryBankStore store;
  auto bank = store.CreateBank({.name = "videos"});
  vigil::bank::EntryBatch batch;
  batch.Reserve(n);
  if (!batch.Add({.signal_type = vigil::bank::SignalType::kVpdq, .value = Value(*base)}).ok()) {
    return 1;
  }
  for (int i = 1; i < n; ++i) {
    targets.push_back(RandomVideo(rng, frames_per_video));
    if (!batch.Add({.signal_type = vigil::bank::SignalType::kVpdq, .value = Value(targets.back())})
             .ok()) {
      return 1;
    }
  }
  if (!store.AddEntries(bank->id, batch).ok()) return 1;
  const auto load_start = Clock::now();
  auto matcher = vigil::match::Matcher::Load(store, {});
  const double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
  if (!matcher.ok()) {
    std::fprintf(stderr, "%s\n", matcher.status().ToString().c_str());
    return 1;
  }

  std::vector<double> index_ms, brute_ms;
  for (int r = 0; r < reps; ++r) {
    const double t0 = ThreadCpuMs();
    auto found = (*matcher)->MatchVpdq(*query);
    const double t1 = ThreadCpuMs();
    int brute_matches = 0;
    for (const auto& target : targets) {
      brute_matches += vigil::hash::MatchVpdq(*query, target).is_match ? 1 : 0;
    }
    const double t2 = ThreadCpuMs();
    if (!found.ok() || found->size() != 1 || brute_matches != 1) {
      std::fprintf(stderr, "the two ways disagree\n");
      return 1;
    }
    index_ms.push_back(t1 - t0);
    brute_ms.push_back(t2 - t1);
  }
  const double index = Median(index_ms), brute = Median(brute_ms);
  std::printf("%s\n", fmt::format("N={:>7} frames_indexed={:>8} load={:6.2f}s index={:9.3f}ms "
                                  "brute={:9.3f}ms brute/index={:7.1f}x",
                                  n, (*matcher)->GetStats().vpdq_frames, load_s, index, brute,
                                  brute / index)
                          .c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {1000, 10000, 100000};
  int frames = 30, reps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--sizes") {
      sizes = ParseSizes(argv[i + 1]);
    } else if (flag == "--frames") {
      frames = std::atoi(argv[i + 1]);
    } else if (flag == "--reps") {
      reps = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: %s [--sizes N,N,...] [--frames F] [--reps R]\n", argv[0]);
      return 2;
    }
  }
  if (frames < 1 || reps < 1) return 2;
  std::printf(
      "query: s02_zoom_h264__lowbr (10 frames); bank: s02_zoom_h264 + N-1 videos of %d "
      "random frames; median of %d\n",
      frames, reps);
  for (int n : sizes) {
    if (n < 1 || Run(n, frames, reps) != 0) return 1;
  }
  return 0;
}
