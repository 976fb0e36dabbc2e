// Plots as inline SVG for `evo report`: lines, steps and markers on linear or log axes,
// with ticks, a legend and a tooltip per marker. No script, no external resource.
#pragma once

#include <string>
#include <vector>

namespace evo::cli {

struct PlotSeries {
  enum class Style { line, step, markers, line_markers };
  PlotSeries(std::string name_, Style style_, std::string color_, std::vector<double> x_ = {}, std::vector<double> y_ = {})
      : name(std::move(name_)), style(style_), color(std::move(color_)), x(std::move(x_)), y(std::move(y_)) {}
  std::string name;
  Style style = Style::line;
  std::string color;  // CSS colour
  std::vector<double> x, y;
  std::vector<std::string> tips;  // per point (markers only), may be empty
  double marker_radius = 3;
};

struct PlotAxis {
  std::string label;
  enum class Scale { linear, log, automatic } scale = Scale::automatic;  // automatic: log when positive over > 2 decades
};

struct Plot {
  std::string id;  // data-plot attribute: how a test or a stylesheet finds it
  PlotAxis x, y;
  std::vector<PlotSeries> series;
};

// <svg class="plot" data-plot=ID data-points=N ...>; with no drawable point, a box that says so.
std::string render_svg(const Plot& plot, int width = 760, int height = 360);

std::string html_escape(const std::string& text);

}  // namespace evo::cli
