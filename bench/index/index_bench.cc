// bench_index: HammingIndex against a brute-force popcount scan on the same data, in one run.
//
//   bench_index --size=10000000 --queries=2000 --brute-queries=50 --radii=31,52 --threads=2
//               [--clustered=0.2] [--build-threads=2] [--substrings=11] [--save-load=/tmp/x.idx]
//               [--repeat=3]   (index timings: best of this many passes over the queries)
//               [--strategy=auto|mih|scan]   (force the index's search strategy)
//
// Prints Markdown tables: build time and memory, then per radius the queries/s of the index
// (1 and N threads), of the SIMD scan the index falls back to, and of a plain brute-force loop,
// with mean matches per query and whether the index's results equal brute force exactly.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hash_dataset.h"
#include "index/index.h"
#include "index/scan.h"

namespace vigil::bench {
namespace {

using index::HammingIndex;
using index::Hash256;
using index::Match;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// A "Field: <kB> kB" line of a /proc file (VmRSS, VmHWM, AnonHugePages), in MiB.
double ProcMegabytes(const std::string& field, const std::string& file = "/proc/self/status") {
  std::ifstream status(file);
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return 0;
}

struct Flags {
  std::map<std::string, std::string> values;
  std::string Get(const std::string& key, const std::string& fallback) const {
    const auto it = values.find(key);
    return it == values.end() ? fallback : it->second;
  }
  double Number(const std::string& key, double fallback) const {
    return std::stod(Get(key, std::to_string(fallback)));
  }
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) {
      std::fprintf(stderr, "usage: bench_index [--key=value ...]; bad argument %s\n", argv[i]);
      std::exit(2);
    }
    flags.values[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }
  return flags;
}

std::vector<int> ParseList(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoi(item));
  return out;
}

// The baseline: every code, four popcounts, in a plain loop (the compiler may vectorise it).
std::vector<Match> BruteForce(const std::vector<Hash256>& codes, const Hash256& query, int radius) {
  std::vector<Match> out;
  for (size_t i = 0; i < codes.size(); ++i) {
    const int d = index::HammingDistance(codes[i], query);
    if (d <= radius) out.push_back({i, d});
  }
  std::sort(out.begin(), out.end(), [](const Match& a, const Match& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return out;
}

std::vector<Match> SimdScan(const std::vector<Hash256>& codes, const Hash256& query, int radius) {
  std::vector<index::internal::RowMatch> rows;
  index::internal::ScanCodes(codes.data(), static_cast<uint32_t>(codes.size()), 0, query, radius,
                             rows);
  std::vector<Match> out;
  for (const auto& r : rows) out.push_back({r.row, static_cast<int>(r.distance)});
  return out;
}

void Row(int radius, const std::string& method, int threads, double seconds, size_t queries,
         size_t matches, const std::string& exact) {
  std::printf("| %d | %s | %d | %.0f | %.1f | %.1f | %s |\n", radius, method.c_str(), threads,
              queries / seconds, seconds * 1e6 / queries, static_cast<double>(matches) / queries,
              exact.c_str());
  std::fflush(stdout);
}

std::string Identical(const std::vector<std::vector<Match>>& found,
                      const std::vector<std::vector<Match>>& expected) {
  size_t same = 0;
  for (size_t q = 0; q < expected.size(); ++q) same += found[q] == expected[q];
  return std::to_string(same) + "/" + std::to_string(expected.size()) + " identical";
}

template <typename Search>
std::vector<std::vector<Match>> TimeEach(const std::vector<Hash256>& queries, size_t count,
                                         double& seconds, Search&& search) {
  std::vector<std::vector<Match>> results;
  const auto start = std::chrono::steady_clock::now();
  for (size_t q = 0; q < count; ++q) results.push_back(search(queries[q]));
  seconds = Seconds(start);
  return results;
}

size_t CountMatches(const std::vector<std::vector<Match>>& results) {
  size_t n = 0;
  for (const auto& r : results) n += r.size();
  return n;
}

void RunRadius(const HammingIndex& index, const std::vector<Hash256>& codes,
               const std::vector<Hash256>& queries, size_t brute_queries, int radius, int threads,
               int repeat) {
  double seconds = 0;
  const auto expected = TimeEach(queries, brute_queries, seconds,
                                 [&](const Hash256& q) { return BruteForce(codes, q, radius); });
  Row(radius, "brute force (plain loop)", 1, seconds, brute_queries, CountMatches(expected),
      "reference");
  const auto scanned = TimeEach(queries, brute_queries, seconds, [&](const Hash256& q) {
    std::vector<Match> found = SimdScan(codes, q, radius);
    std::stable_sort(found.begin(), found.end(),
                     [](const Match& a, const Match& b) { return a.distance < b.distance; });
    return found;
  });
  Row(radius, "SIMD scan (AVX-512)", 1, seconds, brute_queries, CountMatches(scanned),
      Identical(scanned, expected));
  for (int t : {1, threads}) {
    std::vector<std::vector<Match>> found;
    seconds = 1e9;
    for (int r = 0; r < repeat; ++r) {  // best of `repeat`: the machine is shared
      const auto start = std::chrono::steady_clock::now();
      found = *index.SearchBatch(queries, radius, t);
      seconds = std::min(seconds, Seconds(start));
    }
    Row(radius, "index", t, seconds, queries.size(), CountMatches(found),
        Identical(found, expected));
    if (threads == 1) break;
  }
}

void SaveAndLoad(const HammingIndex& index, const std::string& path, int build_threads) {
  auto start = std::chrono::steady_clock::now();
  const Status saved = index.Save(path);
  const double save_seconds = Seconds(start);
  start = std::chrono::steady_clock::now();
  index::HammingIndexOptions options;
  options.build_threads = build_threads;
  const auto loaded = HammingIndex::Load(path, options);
  const double load_seconds = Seconds(start);
  std::printf("| save | %.2f s (%s) |\n| load (read + verify + build) | %.2f s (%s) |\n",
              save_seconds, saved.ToString().c_str(), load_seconds,
              loaded.ok() ? "OK" : loaded.status().ToString().c_str());
  std::remove(path.c_str());
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  DatasetSpec spec;
  spec.size = static_cast<uint64_t>(flags.Number("size", 1e6));
  spec.num_queries = static_cast<int>(flags.Number("queries", 1000));
  spec.clustered_fraction = flags.Number("clustered", 0);
  spec.seed = static_cast<uint64_t>(flags.Number("seed", 1));
  const auto brute_queries =
      static_cast<size_t>(std::min<double>(flags.Number("brute-queries", 50), spec.num_queries));
  const int threads = static_cast<int>(flags.Number("threads", 2));
  const int repeat = static_cast<int>(flags.Number("repeat", 3));
  index::HammingIndexOptions options;
  options.build_threads = static_cast<int>(flags.Number("build-threads", 2));
  options.num_substrings = static_cast<int>(flags.Number("substrings", 11));
  const std::string strategy = flags.Get("strategy", "auto");
  using Strategy = index::HammingIndexOptions::Strategy;
  options.strategy = strategy == "mih"    ? Strategy::kMultiIndex
                     : strategy == "scan" ? Strategy::kScan
                                          : Strategy::kAuto;

  auto start = std::chrono::steady_clock::now();
  HashDataset data = MakeDataset(spec);
  std::printf("## %s dataset: %llu entries (%.0f%% clustered), %d queries, seed %llu\n\n",
              spec.clustered_fraction > 0 ? "clustered" : "uniform",
              static_cast<unsigned long long>(spec.size), spec.clustered_fraction * 100,
              spec.num_queries, static_cast<unsigned long long>(spec.seed));
  std::printf("| step | result |\n|---|---|\n| generate dataset | %.2f s |\n", Seconds(start));
  const double rss_before = ProcMegabytes("VmRSS");
  start = std::chrono::steady_clock::now();
  auto built = HammingIndex::Build(data.entries, options);
  const double build_seconds = Seconds(start);
  if (!built.ok()) {
    std::fprintf(stderr, "build failed: %s\n", built.status().ToString().c_str());
    return 1;
  }
  // Measure the index alone: drop the dataset (regenerated below for the brute-force baseline).
  data.entries = {};
  data.entries.shrink_to_fit();
  const double rss_index = ProcMegabytes("VmRSS");
  const double peak = ProcMegabytes("VmHWM");
  const double huge = ProcMegabytes("AnonHugePages", "/proc/self/smaps_rollup");
  const index::HammingIndexStats stats = (*built)->GetStats();
  std::printf("| build (%d threads, %d substrings, strategy %s) | %.2f s |\n",
              options.build_threads, options.num_substrings, strategy.c_str(), build_seconds);
  std::printf("| index memory: codes + ids + tables | %.1f MB (%.1f bytes/entry) |\n",
              stats.memory_bytes / 1e6, static_cast<double>(stats.memory_bytes) / spec.size);
  std::printf(
      "| process RSS: dataset only / index only (+queries) / peak during build | "
      "%.0f / %.0f / %.0f MiB |\n| of which transparent huge pages | %.0f MiB |\n",
      rss_before, rss_index, peak, huge);
  const std::vector<Hash256> codes = [&] {
    std::vector<Hash256> all;
    for (const auto& e : MakeDataset(spec).entries) all.push_back(e.hash);
    return all;
  }();
  if (const std::string path = flags.Get("save-load", ""); !path.empty()) {
    SaveAndLoad(**built, path, options.build_threads);
  }
  std::printf("\n| radius | method | threads | queries/s | us/query | matches/query | exact |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (int radius : ParseList(flags.Get("radii", "31"))) {
    RunRadius(**built, codes, data.queries, brute_queries, radius, threads, repeat);
  }
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) { return vigil::bench::Main(argc, argv); }
