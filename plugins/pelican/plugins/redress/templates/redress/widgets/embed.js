{#- The script widget: draws embed.json (or any listing's data file) into each
    <div data-redress-widget data-redress-src="…">. Rendered once per site, so its
    words are in the site's language. It is written without indentation and
    without whole-line // comments (widgets.compact_js): keep it under 4 KB in
    every language (tests/test_widgets.py checks). -#}
/* Redress review widget: no dependencies, globals, eval or inline styles. Style: embed.css */
(() => {
"use strict";
const T = {
of: {{ _("Reviews of %(name)s")|tojson }},
avg: {{ _("Average %(avg)s out of %(scale)s stars")|tojson }},
from: [{{ ngettext("from %(num)s review", "from %(num)s reviews", 1)|tojson }}, {{ ngettext("from %(num)s review", "from %(num)s reviews", 2)|tojson }}],
none: {{ _("No reviews yet.")|tojson }},
spread: {{ _("How the ratings are spread")|tojson }},
stars: [{{ ngettext("%(count)s star", "%(count)s stars", 1)|tojson }}, {{ ngettext("%(count)s star", "%(count)s stars", 2)|tojson }}],
value: {{ _("%(value)s out of %(scale)s stars")|tojson }},
untitled: {{ _("A review with %(stars)s out of %(scale)s stars")|tojson }},
anon: {{ _("Anonymous customer")|tojson }},
verified: {{ _("Verified buyer")|tojson }},
invited: {{ _("Invited")|tojson }},
imported: {{ _("Imported from %(platform)s")|tojson }},
byPlatform: {{ _("Invited by %(platform)s")|tojson }},
awaiting: {{ _("Awaiting the shop's response")|tojson }},
"in-progress": {{ _("Resolution in progress")|tojson }},
resolved: {{ _("Resolved")|tojson }},
disputed: {{ _("Customer says: not fixed")|tojson }},
"no-action": {{ _("No further action")|tojson }},
answered: {{ _("Answered")|tojson }},
all: {{ _("Read all reviews")|tojson }},
withheld: [{{ ngettext("%(num)s review withheld", "%(num)s reviews withheld", 1)|tojson }}, {{ ngettext("%(num)s review withheld", "%(num)s reviews withheld", 2)|tojson }}],
};
const fill = (s, v) => s.replace(/%\((\w+)\)s/g, (m, k) => v[k]);
const pl = (forms, n, v) => fill(forms[n == 1 ? 0 : 1], v); // two plural forms, as in en, nl, et
// h("p.rw-1 rw-m", {attributes}, ...kids): data only ever becomes text nodes, never HTML.
function h(tag, ...kids) {
  const [name, cls] = tag.split("."), e = document.createElement(name);
  if (cls) e.className = cls;
  if (kids[0] && kids[0].constructor == Object) {
    for (const [k, v] of Object.entries(kids.shift())) if (v) e.setAttribute(k, v);
  }
  e.append(...kids.filter((k) => k !== ""));
  return e;
}
const line = (cls, ...kids) => h("p.rw-1 " + cls, ...kids);
const stars = (n, sc, label) =>
  h("span.rw-s", { role: "img", "aria-label": label }, "★".repeat(n), h("span", "☆".repeat(sc - n)));
function draw(host, d) {
  const L = d.lang, s = d.summary, sc = d.scale, n = d.withheld.total, list = h("ul.rw-l");
  const num = (x, f) => x.toLocaleString(L, { minimumFractionDigits: f, maximumFractionDigits: f });
  const v = { avg: s.count ? num(s.average, 1) : "", scale: sc, num: num(s.count, 0) };
  const dist = h("ul.rw-d", { "aria-label": T.spread });
  for (let k = sc; k > 0; k--) {
    const c = s.distribution[k] || 0, bar = h("span.rw-b", { "aria-hidden": "true" }, h("span"));
    bar.firstChild.style.width = (s.count ? (100 * c) / s.count : 0) + "%";
    dist.append(h("li", h("span", pl(T.stars, k, { count: k })), bar, h("span", num(c, 0))));
  }
  for (const r of d.reviews.slice(0, 3)) {
    const b = r.labels, x = { stars: r.rating, value: r.rating, scale: sc };
    const labels = [b.verified && T.verified, b.source == "invited" && T.invited,
      b.source == "imported" && fill(T.imported, { platform: b.platform_name }),
      b.platform_invited && fill(T.byPlatform, { platform: b.platform_name })].filter(Boolean).join(" · ");
    list.append(h("li",
      line("", stars(r.rating, sc, fill(T.value, x)), " ",
        h("a", { href: r.url, lang: r.title && r.lang, dir: r.title && "auto" }, r.title || fill(T.untitled, x))),
      line("rw-m", h("bdi", r.author || T.anon), " · " +
        new Date(r.date.slice(0, 10)).toLocaleDateString(L, { dateStyle: "long", timeZone: "UTC" })),
      labels && line("rw-m", labels),
      r.body_text && h("p.rw-x", { lang: r.lang, dir: "auto" }, r.body_text.slice(0, 300)),
      r.negative ? line("rw-f rw-" + r.state, T[r.state] || T.answered) : ""));
  }
  const root = h("section.rw", { lang: L },
    h("h2.rw-h", h("a", { href: d.page }, fill(T.of, { name: d.product ? d.product.title : d.shop.name }))),
    h("div.rw-v", v.avg && h("p.rw-n", v.avg), h("div",
      line("", stars(Math.round(s.average || 0), sc, v.avg ? fill(T.avg, v) : T.none)),
      line("rw-m", v.avg ? pl(T.from, s.count, v) : T.none))),
    dist,
    list.firstChild ? list : "",
    h("div.rw-r", line("", h("a", { href: d.page }, T.all)), n ? line("rw-m", pl(T.withheld, n, { num: num(n, 0) })) : ""));
  host.replaceChildren(root);
}
for (const host of document.querySelectorAll("[data-redress-widget]")) {
  fetch(host.dataset.redressSrc)
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((d) => draw(host, d))
    .catch((e) => console.warn("Redress widget:", e));
}
})();
