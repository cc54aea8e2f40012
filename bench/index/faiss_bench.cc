// faiss_bench: faiss's binary indexes (IndexBinaryFlat, IndexBinaryMultiHash) on the same data as
// bench_index (hash_dataset.h, same size/queries/seed give the same entries and queries), so the
// two can be run back to back and compared. faiss is not a vigil dependency: this file is built
// by hand against a local faiss build; see docs/performance-faiss.md for the commands.
//
//   faiss_bench --size=10000000 --queries=5000 --seed=1 --threads=1 --repeat=3
//               [--flat-queries=100] [--mh-queries=1000] [--brute-queries=50]
//               [--flat-radii=31,52] [--mh-radius=31] [--mh-tables=8] [--mh-bits=32] [--nflip=3]
//
// `--queries` must equal bench_index's --queries: the planted neighbours of every query are part
// of the database, so the number of queries changes the data. Only the first flat-queries /
// mh-queries of them are timed (faiss's exact scan is slow), and recall and exactness are checked
// on the first brute-queries against a plain popcount loop.
//
// Radii follow vigil's convention, distance <= r; faiss's range_search keeps distance < radius,
// so faiss is called with r + 1.
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>  // IndexBinaryMultiHash (no header of its own in faiss 1.7.3)
#include <faiss/impl/AuxIndexStructures.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hash_dataset.h"

namespace vigil::bench {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double ProcMegabytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return 0;
}

std::map<std::string, std::string> ParseFlags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) {
      std::fprintf(stderr, "usage: faiss_bench [--key=value ...]; bad argument %s\n", argv[i]);
      std::exit(2);
    }
    flags[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }
  return flags;
}

std::vector<int> ParseList(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoi(item));
  return out;
}

// Codes in faiss's layout (32 bytes each) with 8 bytes of padding: IndexBinaryMultiHash reads
// each substring as an unaligned uint64_t, which runs 4 bytes past the last code.
std::vector<uint8_t> Pack(const std::vector<index::Hash256>& hashes) {
  std::vector<uint8_t> out(hashes.size() * 32 + 8, 0);
  for (size_t i = 0; i < hashes.size(); ++i) {
    const auto bytes = ToBytes(hashes[i]);
    std::memcpy(out.data() + i * 32, bytes.data(), 32);
  }
  return out;
}

int Distance(const uint8_t* a, const uint8_t* b) {
  int d = 0;
  for (int w = 0; w < 4; ++w) {
    uint64_t x, y;
    std::memcpy(&x, a + 8 * w, 8);
    std::memcpy(&y, b + 8 * w, 8);
    d += std::popcount(x ^ y);
  }
  return d;
}

// Sorted ids within distance <= radius, per query: the reference.
std::vector<std::vector<int64_t>> BruteForce(const std::vector<uint8_t>& codes, size_t n,
                                             const std::vector<uint8_t>& queries, size_t nq,
                                             int radius) {
  std::vector<std::vector<int64_t>> out(nq);
  for (size_t q = 0; q < nq; ++q) {
    for (size_t i = 0; i < n; ++i) {
      if (Distance(codes.data() + i * 32, queries.data() + q * 32) <= radius) out[q].push_back(i);
    }
  }
  return out;
}

struct Timed {
  double seconds = 1e9;  // best of the repeats
  size_t matches = 0;
  std::vector<std::vector<int64_t>> ids;  // sorted, per query
};

Timed TimeRangeSearch(const faiss::IndexBinary& index, const std::vector<uint8_t>& queries,
                      size_t nq, int radius, int repeat) {
  Timed t;
  for (int r = 0; r < repeat; ++r) {
    faiss::RangeSearchResult result(nq);
    const auto start = std::chrono::steady_clock::now();
    index.range_search(nq, queries.data(), radius + 1, &result);  // faiss: distance < radius
    t.seconds = std::min(t.seconds, Seconds(start));
    if (r == 0) {
      t.matches = result.lims[nq];
      t.ids.resize(nq);
      for (size_t q = 0; q < nq; ++q) {
        t.ids[q].assign(result.labels + result.lims[q], result.labels + result.lims[q + 1]);
        std::sort(t.ids[q].begin(), t.ids[q].end());
      }
    }
  }
  return t;
}

// "found/expected (recall %), k/n queries identical".
std::string Check(const Timed& t, const std::vector<std::vector<int64_t>>& expected) {
  size_t found = 0, total = 0, same = 0;
  for (size_t q = 0; q < expected.size(); ++q) {
    std::vector<int64_t> both;
    std::set_intersection(t.ids[q].begin(), t.ids[q].end(), expected[q].begin(), expected[q].end(),
                          std::back_inserter(both));
    found += both.size();
    total += expected[q].size();
    same += t.ids[q] == expected[q];
  }
  char text[160];
  std::snprintf(text, sizeof text, "recall %zu/%zu (%.2f%%), %zu/%zu identical", found, total,
                total ? 100.0 * found / total : 100.0, same, expected.size());
  return text;
}

int Main(int argc, char** argv) {
  auto flags = ParseFlags(argc, argv);
  auto get = [&](const std::string& key, double fallback) {
    return flags.count(key) ? std::stod(flags[key]) : fallback;
  };
  DatasetSpec spec;
  spec.size = static_cast<uint64_t>(get("size", 1e6));
  spec.num_queries = static_cast<int>(get("queries", 1000));
  spec.clustered_fraction = get("clustered", 0);
  spec.seed = static_cast<uint64_t>(get("seed", 1));
  const int threads = static_cast<int>(get("threads", 1));
  const int repeat = static_cast<int>(get("repeat", 3));
  const auto limit = [&](const char* key, double fallback) {
    return static_cast<size_t>(std::min<double>(get(key, fallback), spec.num_queries));
  };
  const size_t flat_queries = limit("flat-queries", 100);
  const size_t mh_queries = limit("mh-queries", 1000);
  const size_t brute_queries = std::min({limit("brute-queries", 50), flat_queries, mh_queries});
  const std::vector<int> flat_radii =
      ParseList(flags.count("flat-radii") ? flags["flat-radii"] : "31,52");
  const int mh_radius = static_cast<int>(get("mh-radius", 31));
  const int mh_tables = static_cast<int>(get("mh-tables", 8));
  const int mh_bits = static_cast<int>(get("mh-bits", 32));
  const int nflip = static_cast<int>(get("nflip", 3));
  omp_set_num_threads(threads);

  auto start = std::chrono::steady_clock::now();
  std::vector<uint8_t> codes, queries;
  {
    HashDataset data = MakeDataset(spec);
    std::vector<index::Hash256> hashes;
    hashes.reserve(data.entries.size());
    for (const auto& e : data.entries) hashes.push_back(e.hash);
    data.entries = {};
    codes = Pack(hashes);
    queries = Pack(data.queries);
  }
  const size_t n = spec.size;
  std::printf("## faiss, %s dataset: %llu entries, %d queries, seed %llu, %d thread(s)\n\n",
              spec.clustered_fraction > 0 ? "clustered" : "uniform",
              static_cast<unsigned long long>(n), spec.num_queries,
              static_cast<unsigned long long>(spec.seed), threads);
  std::printf("| step | result |\n|---|---|\n| generate dataset | %.2f s |\n", Seconds(start));

  std::map<int, std::vector<std::vector<int64_t>>> expected;
  std::vector<int> all_radii = flat_radii;
  all_radii.push_back(mh_radius);
  for (int r : all_radii) {
    if (!expected.count(r)) expected[r] = BruteForce(codes, n, queries, brute_queries, r);
  }

  std::vector<std::string> rows;
  {
    double rss = ProcMegabytes("VmRSS");
    start = std::chrono::steady_clock::now();
    faiss::IndexBinaryFlat flat(256);
    flat.add(n, codes.data());
    std::printf("| IndexBinaryFlat: add | %.2f s, RSS +%.0f MiB |\n", Seconds(start),
                ProcMegabytes("VmRSS") - rss);
    std::fflush(stdout);
    for (int r : flat_radii) {
      const Timed t = TimeRangeSearch(flat, queries, flat_queries, r, repeat);
      char line[400];
      std::snprintf(line, sizeof line,
                    "| %d | IndexBinaryFlat range_search | %d | %.0f | %.1f | %.1f | %s |", r,
                    threads, flat_queries / t.seconds, t.seconds * 1e6 / flat_queries,
                    static_cast<double>(t.matches) / flat_queries, Check(t, expected[r]).c_str());
      rows.push_back(line);
    }
  }
  if (mh_tables > 0) {
    double rss = ProcMegabytes("VmRSS");
    start = std::chrono::steady_clock::now();
    faiss::IndexBinaryMultiHash mh(256, mh_tables, mh_bits);
    mh.nflip = nflip;
    mh.add(n, codes.data());
    std::printf(
        "| IndexBinaryMultiHash %dx%d bits: add | %.2f s, RSS +%.0f MiB (codes copy %.0f "
        "MiB + %zu hash-table keys) |\n",
        mh_tables, mh_bits, Seconds(start), ProcMegabytes("VmRSS") - rss, n * 32 / 1048576.0,
        mh.hashtable_size());
    std::fflush(stdout);
    const Timed t = TimeRangeSearch(mh, queries, mh_queries, mh_radius, repeat);
    char line[400];
    std::snprintf(line, sizeof line,
                  "| %d | IndexBinaryMultiHash %dx%d, nflip=%d | %d | %.0f | %.1f | %.1f | %s |",
                  mh_radius, mh_tables, mh_bits, nflip, threads, mh_queries / t.seconds,
                  t.seconds * 1e6 / mh_queries, static_cast<double>(t.matches) / mh_queries,
                  Check(t, expected[mh_radius]).c_str());
    rows.push_back(line);
  }
  std::printf("| peak RSS | %.0f MiB |\n\n", ProcMegabytes("VmHWM"));
  std::printf(
      "| radius | method | threads | queries/s | us/query | matches/query | "
      "checked on first %zu queries |\n|---|---|---|---|---|---|---|\n",
      brute_queries);
  for (const auto& line : rows) std::printf("%s\n", line.c_str());
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) { return vigil::bench::Main(argc, argv); }
