// The annual report as one self-contained HTML page: the form's categories as tables, and inline
// SVG charts (no scripts, fonts or images from elsewhere), for a person to read.
#include <fmt/format.h>

#include <algorithm>

#include "core/text.h"
#include "transparency/annual_report.h"

namespace vigil::transparency {
namespace {

struct Bar {
  std::string label;
  std::vector<int64_t> values;  // one per series
};

// A grouped horizontal bar chart.
std::string BarChart(const std::string& title, const std::vector<std::string>& series,
                     const std::vector<Bar>& bars) {
  static const char* kColours[] = {"#4e79a7", "#e15759", "#59a14f", "#f28e2b"};
  int64_t max = 1;
  for (const Bar& b : bars) {
    for (int64_t v : b.values) max = std::max(max, v);
  }
  const int row = 14, label_w = 220, width = 640;
  const int height = 40 + static_cast<int>(bars.size() * (series.size() * row + 10));
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"{}\"><title>{}</title>",
      width, height, EscapeHtml(title), EscapeHtml(title));
  for (size_t s = 0; s < series.size(); ++s) {
    svg += fmt::format(
        "<rect x=\"{}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{}\"/><text "
        "x=\"{}\" y=\"13\" font-size=\"11\">{}</text>",
        label_w + s * 140, kColours[s % 4], label_w + s * 140 + 14, EscapeHtml(series[s]));
  }
  int y = 30;
  for (const Bar& b : bars) {
    svg += fmt::format("<text x=\"0\" y=\"{}\" font-size=\"11\">{}</text>", y + row - 3,
                       EscapeHtml(b.label));
    for (size_t s = 0; s < b.values.size(); ++s) {
      const int w = static_cast<int>(static_cast<double>(b.values[s]) / static_cast<double>(max) *
                                     (width - label_w - 80));
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/><text "
          "x=\"{}\" y=\"{}\" font-size=\"10\">{}</text>",
          label_w, y, std::max(w, 1), row - 2, kColours[s % 4], label_w + w + 4, y + row - 4,
          b.values[s]);
      y += row;
    }
    y += 10;
  }
  return svg + "</svg>\n";
}

std::string Cell(const Figure& f) {
  if (f.kind == Figure::Kind::kNotAvailable) {
    return "<td class=\"na\">not available: " + EscapeHtml(f.not_available) + "</td>";
  }
  std::string method = f.method.empty() ? "" : "<br><small>" + EscapeHtml(f.method) + "</small>";
  std::string text = EscapeHtml(FigureText(f));
  std::string br;
  for (char c : text) br += c == '\n' ? std::string("<br>") : std::string(1, c);
  return "<td>" + br + method + "</td>";
}

std::string Charts(const AnnualReport& r) {
  std::vector<Bar> tech;
  for (const TechnologyFigures& t : r.technologies) {
    tech.push_back({t.technology, {t.flagged, t.not_confirmed, t.reviewed}});
  }
  std::string out = "<h2>Charts</h2>\n";
  if (!tech.empty()) {
    out += BarChart("Per technology: flagged (A), not confirmed (B), reviewed (C)",
                    {"A flagged", "B not confirmed", "C reviewed"}, tech);
  }
  std::vector<Bar> vol;
  for (const char* type : {"image", "video", "other"}) {
    const Figure& eu = r.figures.at(fmt::format("volume.{}.eu", type));
    const Figure& non = r.figures.at(fmt::format("volume.{}.non_eu", type));
    if (eu.kind == Figure::Kind::kCount) vol.push_back({type, {eu.count, non.count}});
  }
  if (!vol.empty()) out += BarChart("Items processed, EU and non-EU users", {"EU", "non-EU"}, vol);
  return out;
}

}  // namespace

std::string AnnualReportHtml(const AnnualReport& r) {
  const std::string provider =
      r.config.given ? r.config.provider_name : std::string("(provider not configured)");
  std::string h = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} annual report "
      "{}</title>\n<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}"
      "table{{border-collapse:collapse;width:100%;margin-bottom:1.5em}}td,th{{border:1px solid "
      "#bbb;padding:4px;vertical-align:top;text-align:left}}td.na{{color:#a33}}small{{color:#555}}"
      "</style></head><body>\n<h1>{} &mdash; report for {}</h1>\n<p>Under {}, in the standard "
      "form of {} ({}). Generated {}.</p>\n",
      EscapeHtml(provider), r.year, EscapeHtml(provider), r.year, EscapeHtml(r.form.report_article),
      EscapeHtml(r.form.title), EscapeHtml(r.form.celex), EscapeHtml(r.generated_at));
  h += "<h2>Per technology (the form's A, B, C; error rates with their methods)</h2>\n<table><tr>"
       "<th>technology</th><th>categories</th><th>A flagged</th><th>B not confirmed</th><th>C "
       "reviewed</th><th>pending</th><th>B/A (form's error rate)</th><th>actioned</th><th>reversed "
       "on complaint / actioned</th></tr>\n";
  for (const TechnologyFigures& t : r.technologies) {
    auto rate = [](int64_t n, int64_t d) {
      return d == 0 ? std::string("undefined (0 of 0)")
                    : fmt::format("{} of {} = {:.2f} %", n, d, 100.0 * n / static_cast<double>(d));
    };
    std::string cats;
    for (const auto& c : t.categories) cats += (cats.empty() ? "" : ", ") + c;
    h += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}"
        "</td><td>{}</td><td>{}</td></tr>\n",
        EscapeHtml(t.technology), cats, t.flagged, t.not_confirmed, t.reviewed, t.pending_review,
        rate(t.not_confirmed, t.flagged), t.actioned, rate(t.reversed_on_complaint, t.actioned));
  }
  h += "</table>\n<h2>Volumes per technology, content type and region</h2>\n<table><tr><th>"
       "technology</th><th>content "
       "type</th><th>region</th><th>processed</th><th>flagged</th></tr>\n";
  for (const VolumeFigures& v : r.volumes) {
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     EscapeHtml(v.technology), EscapeHtml(v.content_type), EscapeHtml(v.region),
                     v.processed, v.flagged);
  }
  h += "</table>\n" + Charts(r);
  for (const FormCategory& c : r.categories) {
    h += fmt::format("<h2>{}) {}</h2>\n", c.number, EscapeHtml(c.title));
    if (!c.description.empty()) h += "<p>" + EscapeHtml(c.description) + "</p>\n";
    h += "<table><tr><th>row</th><th>group</th><th>subcategory</th><th>answer</th></tr>\n";
    for (const FormRow& row : r.rows) {
      if (row.category != c.number) continue;
      const std::string label = row.subcategory.empty() ? row.description : row.subcategory;
      h += fmt::format("<tr><td>{}{}</td><td>{}</td><td>{}{}</td>{}</tr>\n", EscapeHtml(row.id),
                       row.ref.empty() ? "" : " (" + EscapeHtml(row.ref) + ")",
                       EscapeHtml(row.group), EscapeHtml(label),
                       row.optional ? " <small>(optional)</small>" : "",
                       Cell(r.figures.at(row.figure)));
    }
    h += "</table>\n";
  }
  h += "<h2>Other figures</h2>\n<table><tr><th>figure</th><th>value</th></tr>\n";
  for (const char* key : kExtraFigures) {
    h += fmt::format("<tr><td>{}</td>{}</tr>\n", key, Cell(r.figures.at(key)));
  }
  return h + "</table>\n</body></html>\n";
}

}  // namespace vigil::transparency
