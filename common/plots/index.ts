// The plot module (issue 14 item 5): SVG markup strings for bar, stacked-bar, strip/box and grouped-bar plots,
// and the dashboard's plots built from its data. Pure: no Node, no DOM. Every text is XML-escaped, colours are
// presentation attributes (no style= and no <style>: the renderer's CSP), each plot is role="img" with a
// <title> and a <desc>.
export { barChart, stackedBars, type BarChartOptions, type BarDatum, type StackedBarsOptions, type StackedRow, type StackSeries } from './bars.js';
export { groupedBars, type BarGroup, type GroupedBarsOptions } from './grouped.js';
export { boxStats, stripPlot, type BoxStats, type StripGroup, type StripPlotOptions, type StripPoint } from './strip.js';
export { dashboardPlots, type DashboardPlot } from './dashboard.js';
export {
  agreementPlots, confusionMatrixPlot, diceDistributionPlot, fmtKappa, perLevelKappaPlot,
  type AgreementPlot, type ConfusionPlotOptions, type DicePlotOptions, type PerLevelKappaOptions,
} from './agreement.js';
export { esc, fmt, niceTicks, OUTLIER_COLOUR, safeId, SEVERITY_COLOURS } from './svg.js';
