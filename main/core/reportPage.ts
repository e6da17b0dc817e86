// The shell of the self-contained HTML reports `spine-ws qa --report` and `spine-ws agree --report` write: one page,
// inline <style>, inline SVG, no script, no external URL, and a CSP meta that would stop either. Each report adds
// its own rules to the shared base and fills the body.

/** Rules both reports use: page, headings, meta line, plot grid figures, tables, footer. */
const BASE_CSS = `
:root { color-scheme: light; }
body { margin: 0 auto; max-width: 1320px; padding: 16px 24px 40px; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d2025; background: #fff; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d5d9de; padding-bottom: 4px; }
.meta { color: #5b626b; margin: 0 0 10px; }
.plots figure { margin: 0; border: 1px solid #e1e4e8; border-radius: 6px; padding: 8px; overflow-x: auto; }
.plots figure.wide { grid-column: 1 / -1; }
svg.plot { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 3px 8px; border-top: 1px solid #e1e4e8; vertical-align: top; }
th { color: #5b626b; font-weight: 600; border-top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
footer { margin-top: 32px; color: #5b626b; font-size: 12px; }
`;

/**
 * A complete report page. `title` must already be HTML-escaped; `css` is appended to the base rules; `body` is the
 * page's inner HTML (header, main, footer).
 */
export function reportDocument(title: string, css: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${BASE_CSS}${css}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
