#include "cli/hash_output.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "bank/csv.h"

namespace vigil::cli {
namespace {

std::string DihedralKey(int d) {
  return fmt::format("pdq_{}", hash::DihedralName(static_cast<hash::Dihedral>(d)));
}

}  // namespace

Result<HashFormat> ParseHashFormat(const std::string& name) {
  if (name == "text") return HashFormat::kText;
  if (name == "csv") return HashFormat::kCsv;
  if (name == "jsonl") return HashFormat::kJsonl;
  if (name == "vpdq") return HashFormat::kVpdq;
  return InvalidArgumentError(fmt::format("unknown format '{}' (text, csv, jsonl or vpdq)", name));
}

std::string HashHeader(HashFormat format, bool dihedral) {
  if (format != HashFormat::kCsv) return "";
  std::string header = "file,pdq_hex,quality,md5,sha256";
  if (dihedral) {
    for (int d = 1; d < hash::kDihedralCount; ++d) {
      header += ',';
      header += DihedralKey(d);
    }
  }
  return header + "\n";
}

namespace {

std::string FormatVideoRecord(HashFormat format, const std::string& file,
                              const detect::MediaHashes& h, bool dihedral) {
  const detect::VideoHashes& v = *h.video;
  const std::string md5 = hash::DigestToHex(h.md5);
  const std::string sha256 = hash::DigestToHex(h.sha256);
  std::string out;
  switch (format) {
    case HashFormat::kVpdq:
      return hash::FormatVpdq(v.frames);
    case HashFormat::kCsv:
      for (const hash::VpdqFrame& f : v.frames) {
        out += fmt::format("{},{},{},{},{}",
                           bank::CsvQuote(fmt::format("{}#t={:.3f}", file, f.timestamp)),
                           f.hash.ToHex(), f.quality, md5, sha256);
        if (dihedral) out.append(hash::kDihedralCount - 1, ',');
        out += '\n';
      }
      return out;
    case HashFormat::kJsonl: {
      nlohmann::ordered_json j;
      j["file"] = file;
      j["media"] = "video";
      j["md5"] = md5;
      j["sha256"] = sha256;
      j["width"] = v.info.width;
      j["height"] = v.info.height;
      j["frames_per_second"] = v.info.frames_per_second;
      j["frames_decoded"] = v.stats.frames_decoded;
      j["decode_errors"] = v.stats.decode_errors;
      j["vpdq"] = nlohmann::json::array();
      for (const hash::VpdqFrame& f : v.frames) {
        j["vpdq"].push_back({{"frame", f.frame_number},
                             {"quality", f.quality},
                             {"pdq_hex", f.hash.ToHex()},
                             {"timestamp", f.timestamp}});
      }
      return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    case HashFormat::kText:
      out = fmt::format(
          "{}  video {}x{} {:.3f} fps, {} frames hashed, {} decode errors md5={} sha256={}\n", file,
          v.info.width, v.info.height, v.info.frames_per_second, v.frames.size(),
          v.stats.decode_errors, md5, sha256);
      for (const hash::VpdqFrame& f : v.frames) {
        out += fmt::format("{}  frame={} t={:.3f} pdq={} quality={}\n", file, f.frame_number,
                           f.timestamp, f.hash.ToHex(), f.quality);
      }
      return out;
  }
  return out;
}

}  // namespace

std::string FormatHashRecord(HashFormat format, const std::string& file,
                             const detect::MediaHashes& h, bool dihedral) {
  if (h.video.has_value()) return FormatVideoRecord(format, file, h, dihedral);
  if (format == HashFormat::kVpdq) return "";
  const std::string pdq = h.pdq.ToHex();
  const std::string md5 = hash::DigestToHex(h.md5);
  const std::string sha256 = hash::DigestToHex(h.sha256);
  const bool with_dihedral = dihedral && h.pdq_dihedral.has_value();
  switch (format) {
    case HashFormat::kCsv: {
      std::string line =
          fmt::format("{},{},{},{},{}", bank::CsvQuote(file), pdq, h.pdq_quality, md5, sha256);
      if (with_dihedral) {
        for (int d = 1; d < hash::kDihedralCount; ++d) {
          line += ',';
          line += (*h.pdq_dihedral)[d].ToHex();
        }
      }
      return line + "\n";
    }
    case HashFormat::kJsonl: {
      nlohmann::ordered_json j;
      j["file"] = file;
      j["pdq_hex"] = pdq;
      j["quality"] = h.pdq_quality;
      j["md5"] = md5;
      j["sha256"] = sha256;
      if (with_dihedral) {
        for (int d = 1; d < hash::kDihedralCount; ++d)
          j[DihedralKey(d)] = (*h.pdq_dihedral)[d].ToHex();
      }
      // Replace invalid UTF-8 in odd file names instead of failing the whole run.
      return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    case HashFormat::kVpdq:
      return "";
    case HashFormat::kText: {
      std::string text = fmt::format("{}  pdq={} quality={} md5={} sha256={}\n", file, pdq,
                                     h.pdq_quality, md5, sha256);
      if (with_dihedral) {
        for (int d = 1; d < hash::kDihedralCount; ++d) {
          text += fmt::format("{}  {}={}\n", file, DihedralKey(d), (*h.pdq_dihedral)[d].ToHex());
        }
      }
      return text;
    }
  }
  return "";
}

}  // namespace vigil::cli
