#pragma once

#include <string_view>

/// The web files the dashboard serves and the HTML report inlines, compiled
/// in from web/ (cmake/EmbedWebAssets.cmake): the process loads nothing
/// from outside itself.
namespace intuition::runtime::web {

/// The dashboard's page.
extern const std::string_view dashboard_html;
/// The dashboard's script: state over server-sent events, charts, tables.
extern const std::string_view dashboard_js;
/// The report's page, with placeholders the report command fills.
extern const std::string_view report_html;
/// The report's script: charts and tables from the embedded run.
extern const std::string_view report_js;
/// Formatting and chart helpers both pages share.
extern const std::string_view common_js;
/// The stylesheet both pages share.
extern const std::string_view style_css;
/// uPlot, the chart library (npm package `uplot`), minified.
extern const std::string_view uplot_js;
/// uPlot's stylesheet.
extern const std::string_view uplot_css;

} // namespace intuition::runtime::web
