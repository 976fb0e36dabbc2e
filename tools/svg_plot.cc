#include "tools/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string_view>

namespace evo::cli {
namespace {

bool drawable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  bool empty() const { return lo > hi; }
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
};

// Log when asked, or (automatic) when every value is positive and they span over two decades.
bool use_log(const PlotAxis& axis, const std::vector<const std::vector<double>*>& values) {
  if (axis.scale != PlotAxis::Scale::automatic) return axis.scale == PlotAxis::Scale::log;
  Range r;
  for (const auto* vs : values)
    for (double v : *vs) {
      if (!std::isfinite(v)) continue;
      if (v <= 0) return false;
      r.add(v);
    }
  return !r.empty() && r.hi / r.lo > 100;
}

// An axis mapped to pixels: the value's position in [0, 1] between lo and hi.
struct Scale {
  bool log = false;
  double lo = 0, hi = 1;
  double t(double v) const { return log ? std::log10(v) : v; }
  double frac(double v) const { return (t(v) - lo) / (hi - lo); }
};

Scale make_scale(bool log, Range r) {
  Scale s;
  s.log = log;
  if (r.empty()) return s;
  double lo = log ? std::log10(r.lo) : r.lo, hi = log ? std::log10(r.hi) : r.hi;
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {  // one value: a window around it
    const double pad = log ? 0.5 : lo == 0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  } else {
    const double pad = (hi - lo) * 0.04;
    lo -= pad;
    hi += pad;
  }
  s.lo = lo;
  s.hi = hi;
  return s;
}

// Tick positions in the scale's own units (log10 on a log axis).
std::vector<double> ticks(const Scale& s) {
  std::vector<double> out;
  if (s.log) {
    const double first = std::ceil(s.lo), last = std::floor(s.hi);
    const double every = std::max(1.0, std::ceil((last - first + 1) / 8));
    for (double d = first; d <= last; d += every) out.push_back(d);
    if (out.size() < 2)  // less than a decade: 1, 2 and 5 times powers of ten
      for (double d = std::floor(s.lo); d <= s.hi; ++d)
        for (double m : {2.0, 5.0})
          if (const double v = d + std::log10(m); v >= s.lo && v <= s.hi) out.push_back(v);
    std::sort(out.begin(), out.end());
    return out;
  }
  const double raw = (s.hi - s.lo) / 6;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(s.lo / step) * step; v <= s.hi + step * 1e-9; v += step)
    out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  return out;
}

std::string tick_label(const Scale& s, double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", s.log ? std::pow(10.0, t) : t);
  return buf;
}

// Appends the parts (no temporaries: GCC 12 misreads "literal" + std::string chains in loops).
void add(std::string& out, std::initializer_list<std::string_view> parts) {
  for (auto p : parts) out.append(p);
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_svg(const Plot& plot, int width, int height) {
  std::vector<const std::vector<double>*> xs, ys;
  for (const auto& s : plot.series) {
    xs.push_back(&s.x);
    ys.push_back(&s.y);
  }
  const bool lx = use_log(plot.x, xs), ly = use_log(plot.y, ys);
  Range rx, ry;
  std::size_t points = 0;
  for (const auto& s : plot.series)
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      if (drawable(s.x[i], lx) && drawable(s.y[i], ly)) {
        rx.add(s.x[i]);
        ry.add(s.y[i]);
        ++points;
      }
  const std::string head = "<svg class=\"plot\" data-plot=\"" + html_escape(plot.id) + "\" data-points=\"" +
                           std::to_string(points) + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                           std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                           std::to_string(width) + " " + std::to_string(height) + "\">\n";
  if (points == 0)
    return head + "<rect x=\"0.5\" y=\"0.5\" width=\"" + std::to_string(width - 1) + "\" height=\"" +
           std::to_string(height - 1) + "\" fill=\"none\" stroke=\"#ccc\"/><text x=\"" + std::to_string(width / 2) +
           "\" y=\"" + std::to_string(height / 2) + "\" text-anchor=\"middle\" fill=\"#888\">no data</text></svg>\n";

  const double left = 78, right = 16, top = 34, bottom = 46;
  const double pw = width - left - right, ph = height - top - bottom;
  const Scale sx = make_scale(lx, rx), sy = make_scale(ly, ry);
  auto px = [&](double v) { return left + sx.frac(v) * pw; };
  auto py = [&](double v) { return top + (1 - sy.frac(v)) * ph; };

  std::string out = head;
  out += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
         "\" fill=\"#fff\" stroke=\"#999\"/>\n";
  out += "<g class=\"ticks\" font-size=\"11\" fill=\"#444\">\n";
  for (double t : ticks(sx)) {
    const double x = left + (t - sx.lo) / (sx.hi - sx.lo) * pw;
    out += "<line x1=\"" + num(x) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x) + "\" y2=\"" + num(top + ph) +
           "\" stroke=\"#eee\"/><text x=\"" + num(x) + "\" y=\"" + num(top + ph + 15) + "\" text-anchor=\"middle\">" +
           tick_label(sx, t) + "</text>\n";
  }
  for (double t : ticks(sy)) {
    const double y = top + (1 - (t - sy.lo) / (sy.hi - sy.lo)) * ph;
    out += "<line x1=\"" + num(left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(y) +
           "\" stroke=\"#eee\"/><text x=\"" + num(left - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
           tick_label(sy, t) + "</text>\n";
  }
  out += "</g>\n";
  out += "<text x=\"" + num(left + pw / 2) + "\" y=\"" + num(height - 8.0) + "\" text-anchor=\"middle\" font-size=\"12\">" +
         html_escape(plot.x.label) + (lx ? " (log)" : "") + "</text>\n";
  out += "<text transform=\"translate(14," + num(top + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">" +
         html_escape(plot.y.label) + (ly ? " (log)" : "") + "</text>\n";

  double legend_x = left;
  for (const auto& s : plot.series) {
    std::string path;
    std::string markers;
    bool started = false;
    double last_y = 0;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!drawable(s.x[i], lx) || !drawable(s.y[i], ly)) continue;
      const double x = px(s.x[i]), y = py(s.y[i]);
      if (s.style != PlotSeries::Style::markers) {
        const std::string nx = num(x), ny = num(y);
        if (!started) add(path, {"M", nx, " ", ny});
        else if (s.style == PlotSeries::Style::step) add(path, {"H", nx, "V", ny});
        else add(path, {"L", nx, " ", ny});
        started = true;
        last_y = y;
      }
      if (s.style == PlotSeries::Style::markers || s.style == PlotSeries::Style::line_markers) {
        add(markers, {"<circle cx=\"", num(x), "\" cy=\"", num(y), "\" r=\"", num(s.marker_radius), "\">"});
        if (i < s.tips.size()) add(markers, {"<title>", html_escape(s.tips[i]), "</title>"});
        markers += "</circle>";
      }
    }
    if (s.style == PlotSeries::Style::step && started) add(path, {"H", num(left + pw), "V", num(last_y)});
    out += "<g class=\"series\" data-series=\"" + html_escape(s.name) + "\">";
    if (!path.empty())
      out += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"1.8\"/>";
    if (!markers.empty()) out += "<g fill=\"" + s.color + "\" fill-opacity=\"0.75\">" + markers + "</g>";
    out += "</g>\n";
    // Legend along the top margin.
    out += "<rect x=\"" + num(legend_x) + "\" y=\"10\" width=\"12\" height=\"12\" fill=\"" + s.color + "\"/><text x=\"" +
           num(legend_x + 16) + "\" y=\"20\" font-size=\"12\">" + html_escape(s.name) + "</text>\n";
    legend_x += 16 + 7.0 * static_cast<double>(s.name.size()) + 18;
  }
  out += "</svg>\n";
  return out;
}

}  // namespace evo::cli
