// The accessibility and CSP checks run on every page a browser test visits. It runs through
// WebDriver's "execute script", which works even when the page's own JavaScript is off.
// Returns a list of problems, each naming the element; an empty list means the page passed.
//
// What it checks (WCAG 2.2 AA, the parts a machine can judge):
// - every visible input, select and textarea has a name: <label for>, a wrapping <label>,
//   aria-label or aria-labelledby;
// - one h1, headings start at h1 and never skip a level going down;
// - every <img> has alt (empty alt marks a decorative image); every outermost <svg> has a
//   <title>, aria-label or aria-labelledby, or is aria-hidden;
// - text contrast at least 4.5:1, 3:1 for large text (24px, or 18.66px bold), against the
//   nearest opaque background behind it;
// - no inline <script> or <style> element and no on* handler attribute (the CSP forbids them).
const problems = [];

const norm = (s) => (s || "").replace(/\s+/g, " ").trim();

function describe(el) {
  let d = el.tagName.toLowerCase();
  if (el.id) d += "#" + el.id;
  if (el.getAttribute("name")) d += `[name="${el.getAttribute("name")}"]`;
  const cls = typeof el.className === "string" ? norm(el.className) : "";
  if (cls) d += "." + cls.split(" ").join(".");
  const text = norm(el.textContent).slice(0, 50);
  if (text) d += ` ("${text}")`;
  return d;
}

const rendered = (el) => el.getClientRects().length > 0;

// --- names of form fields -------------------------------------------------------------------------
function fieldName(el) {
  const labels = el.labels ? [...el.labels].map((l) => norm(l.textContent)).filter(Boolean) : [];
  if (labels.length) return labels.join(" ");
  const aria = norm(el.getAttribute("aria-label"));
  if (aria) return aria;
  const by = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
  const text = norm(by.map((id) => (document.getElementById(id) || {}).textContent || "").join(" "));
  return text;
}
const unnamedTypes = new Set(["hidden", "submit", "button", "reset", "image"]);
for (const el of document.querySelectorAll("input, select, textarea")) {
  if (el.tagName === "INPUT" && unnamedTypes.has((el.type || "").toLowerCase())) continue;
  if (!rendered(el)) continue;
  if (!fieldName(el)) problems.push(`${describe(el)} has no label (<label for>, a wrapping <label>, aria-label or aria-labelledby)`);
}

// --- headings -----------------------------------------------------------------------------------
const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(rendered);
const h1s = headings.filter((h) => h.tagName === "H1");
if (h1s.length !== 1) problems.push(`the page has ${h1s.length} h1 headings; it needs exactly one`);
let previous = 0;
for (const h of headings) {
  const level = Number(h.tagName[1]);
  if (previous === 0 && level !== 1) problems.push(`the first heading is ${describe(h)}; it should be an h1`);
  else if (level > previous + 1 && previous !== 0) problems.push(`${describe(h)} skips from h${previous} to h${level}`);
  previous = level;
}

// --- images -------------------------------------------------------------------------------------
for (const img of document.querySelectorAll("img")) {
  if (!img.hasAttribute("alt")) problems.push(`${describe(img)} (src ${img.getAttribute("src")}) has no alt text`);
}
for (const svg of document.querySelectorAll("svg")) {
  if (svg.parentElement && svg.parentElement.closest("svg")) continue;
  if (svg.getAttribute("aria-hidden") === "true") continue;
  const titled = svg.querySelector(":scope > title") && norm(svg.querySelector(":scope > title").textContent);
  const named = norm(svg.getAttribute("aria-label")) || norm(svg.getAttribute("aria-labelledby"));
  if (!titled && !named) problems.push(`${describe(svg)} has no <title>, aria-label or aria-labelledby`);
}

// --- what the CSP forbids, found in the markup ----------------------------------------------------
for (const s of document.querySelectorAll("script:not([src])")) problems.push(`an inline <script> ("${norm(s.textContent).slice(0, 50)}")`);
for (const s of document.querySelectorAll("style")) problems.push(`an inline <style> ("${norm(s.textContent).slice(0, 50)}")`);
for (const el of document.querySelectorAll("*")) {
  for (const attr of el.getAttributeNames()) {
    if (attr.startsWith("on")) problems.push(`${describe(el)} has an inline event handler ${attr}=`);
  }
}

// --- contrast -----------------------------------------------------------------------------------
// Colours are read by painting them on a 1x1 canvas, which turns every CSS colour syntax
// (rgb, hex, oklch, color-mix...) into sRGB bytes with alpha.
const canvas = document.createElement("canvas");
canvas.width = canvas.height = 1;
const ctx = canvas.getContext("2d", { willReadFrequently: true });
const cache = new Map();
function rgba(css) {
  if (cache.has(css)) return cache.get(css);
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = "rgba(0, 0, 0, 0)";
  ctx.fillStyle = css;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
  // getImageData un-premultiplies, which loses precision at low alpha; fine for text colours.
  const value = { r, g, b, a: a / 255 };
  cache.set(css, value);
  return value;
}
const over = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
function luminance({ r, g, b }) {
  const lin = (c) => {
    c /= 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
const ratio = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
// The colour behind an element: its own and its ancestors' backgrounds composited until an
// opaque one; `null` when a background image is in the way (its colours cannot be known here).
function background(el) {
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (style.backgroundImage && style.backgroundImage !== "none") return null;
    const colour = rgba(style.backgroundColor);
    if (colour.a > 0) layers.push(colour);
    if (colour.a >= 1) break;
  }
  let result = { r: 255, g: 255, b: 255, a: 1 };
  for (const layer of layers.reverse()) result = over(layer, result);
  return result;
}
function opacity(el) {
  let value = 1;
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) value *= Number(getComputedStyle(node).opacity);
  return value;
}
const textElements = new Set();
// No filter callback: with the page's JavaScript off, a callback cannot run inside the DOM.
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (norm(node.textContent)) textElements.add(node.parentElement);
}
for (const el of document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea")) textElements.add(el);
let contrastReported = 0;
for (const el of textElements) {
  if (!el || el.closest("svg, noscript, script, style, title")) continue;
  if (el.disabled || el.closest("[aria-hidden=true]")) continue;
  const rect = el.getBoundingClientRect();
  if (!rendered(el) || rect.width <= 1 || rect.height <= 1) continue;
  const style = getComputedStyle(el);
  if (style.visibility !== "visible") continue;
  const bg = background(el);
  if (!bg) continue;
  const fg = rgba(style.color);
  const alpha = fg.a * opacity(el);
  if (alpha === 0) continue;
  const text = over({ ...fg, a: alpha }, bg);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  const needed = large ? 3 : 4.5;
  const measured = ratio(text, bg);
  if (measured + 1e-6 < needed && contrastReported < 20) {
    contrastReported += 1;
    problems.push(`${describe(el)} has text contrast ${measured.toFixed(2)}:1 (needs ${needed}:1): ${style.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`);
  }
}

return problems;
