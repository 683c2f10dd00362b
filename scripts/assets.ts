/**
 * The console's charting library, copied from node_modules into the Worker's static assets (public/admin/vendor/,
 * gitignored): wrangler.toml's [build] command runs this before `wrangler dev` and `wrangler deploy`, so the page
 * loads uPlot from the Worker itself — no CDN.
 */
import { copyFileSync, mkdirSync } from "node:fs";

const root = new URL("..", import.meta.url);
const vendor = new URL("public/admin/vendor/", root);
mkdirSync(vendor, { recursive: true });
for (const file of ["uPlot.iife.min.js", "uPlot.min.css"])
  copyFileSync(new URL(`node_modules/uplot/dist/${file}`, root), new URL(file, vendor));
