#!/usr/bin/env bash
# Screenshots a digest's HTML in headless Chromium, light and forced dark, at 375 px (phone) and
# 800 px (desktop), and measures the contrast of every text element in both schemes with the
# browser's own computed colours: exit 1 when any is below 4.5:1 (WCAG AA) or dark mode did not apply.
#
#   scripts/dark-mode-check.sh DIGEST.html [OUT_DIR]
#
# DIGEST.html: e.g. from `trendd digest --now --no-fetch --dry-run --out DIR`. OUT_DIR (default
# ./dark-mode-out) gets light-375.png, dark-375.png, light-800.png, dark-800.png and contrast.txt.
# Emoji render as boxes unless a colour emoji font is installed (Debian: fonts-noto-color-emoji).
set -euo pipefail
html=$(realpath "${1:?usage: $0 DIGEST.html [OUT_DIR]}")
out=$(realpath -m "${2:-dark-mode-out}")
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -n "$chromium" ] || { echo "no chromium found (set CHROMIUM=/path/to/chromium)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile")

for w in 375 800; do
  "$chromium" "${flags[@]}" --window-size=$w,2400 --screenshot="$out/light-$w.png" "file://$html" 2>/dev/null
  "$chromium" "${flags[@]}" --force-dark-mode --window-size=$w,2400 --screenshot="$out/dark-$w.png" "file://$html" 2>/dev/null
done

# The page with a measuring script appended: for every element holding text of its own, its computed
# colour against the first opaque background up its ancestors, as WCAG contrast; the result is
# written into the DOM, which --dump-dom prints.
python3 - "$html" "$tmp/measure.html" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
script = r"""<script>
(function () {
  function rgb(s) { var m = s.match(/[\d.]+/g) || []; return m.map(Number); }
  function lum(c) {
    var v = c.slice(0, 3).map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function bg(el) {
    for (; el; el = el.parentElement) {
      var c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.99)) return c;
    }
    return [255, 255, 255];
  }
  var rows = [], min = 99, card = null;
  document.querySelectorAll("body *").forEach(function (el) {
    var own = Array.prototype.some.call(el.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    if (!own || el.closest("[style*='display:none']") || el.tagName === "SCRIPT") return;
    var fg = rgb(getComputedStyle(el).color), b = bg(el);
    var a = lum(fg), z = lum(b), ratio = (Math.max(a, z) + 0.05) / (Math.min(a, z) + 0.05);
    min = Math.min(min, ratio);
    rows.push(ratio.toFixed(2) + " " + el.tagName.toLowerCase() + " " + JSON.stringify(el.textContent.trim().slice(0, 40)));
  });
  var c = document.querySelector(".tp-card");
  if (c) card = getComputedStyle(c).backgroundColor;
  var pre = document.createElement("pre");
  pre.id = "contrast-result";
  pre.textContent = "MIN " + min.toFixed(2) + "\nCARD " + card + "\nDARK " + matchMedia("(prefers-color-scheme: dark)").matches + "\n" + rows.join("\n");
  document.body.appendChild(pre);
})();
</script>"""
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", script + "</body>"))
PY

status=0
: >"$out/contrast.txt"
for scheme in light dark; do
  extra=(); [ $scheme = dark ] && extra=(--force-dark-mode)
  "$chromium" "${flags[@]}" "${extra[@]}" --window-size=375,2400 --dump-dom "file://$tmp/measure.html" 2>/dev/null >"$tmp/$scheme.dom"
  python3 - "$tmp/$scheme.dom" "$scheme" "$out/contrast.txt" <<'PY' || status=1
import html, re, sys
dom, scheme, report = sys.argv[1], sys.argv[2], sys.argv[3]
m = re.search(r'<pre id="contrast-result">(.*?)</pre>', open(dom, encoding="utf-8").read(), re.S)
if not m:
    print(f"{scheme}: the measuring script did not run"); sys.exit(1)
lines = html.unescape(m.group(1)).splitlines()
low = float(lines[0].split()[1]); card = lines[1][5:]; dark = lines[2].endswith("true")
n = len(lines) - 3
with open(report, "a") as f:
    f.write(f"## {scheme}: {n} text elements, min contrast {low:.2f}:1, card {card}, prefers dark: {dark}\n")
    f.write("\n".join(sorted(lines[3:], key=lambda l: float(l.split()[0]))[:10]) + "\n\n")
applied = dark == (scheme == "dark") and (scheme == "light" or card not in ("rgb(255, 255, 255)", "None"))
print(f"{scheme}: {n} text elements, min contrast {low:.2f}:1, card {card}, dark mode applied: {applied if scheme == 'dark' else 'n/a'}")
sys.exit(0 if low >= 4.5 and applied else 1)
PY
done
echo "screenshots and contrast.txt in $out"
exit $status
