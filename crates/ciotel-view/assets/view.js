// ciotel's cicd_view page: live updates on top of the server-rendered page. It asks
// /updates (a long poll that answers when the sections change) and swaps the sections'
// HTML in, as rendered (and escaped) by the server. Without JavaScript the page reloads
// itself every 10 s instead (<noscript> in the head).
"use strict";
(function () {
  const body = document.body;
  const url = body.dataset.updates;
  if (!url) return;
  let version = body.dataset.version || "";
  // Every key of an answer but `version` is a section: `live` fills #live-list, and so on.
  async function poll() {
    for (;;) {
      try {
        const sep = url.includes("?") ? "&" : "?";
        const response = await fetch(url + sep + "v=" + encodeURIComponent(version), { cache: "no-store" });
        if (!response.ok) throw new Error("status " + response.status);
        const update = await response.json();
        // Swapped in on every answer, changed or not: ages and hung marks move with time.
        for (const [key, html] of Object.entries(update)) {
          if (key === "version" || typeof html !== "string") continue;
          const element = document.getElementById(key + "-list");
          if (element && element.innerHTML !== html) element.innerHTML = html;
        }
        version = update.version;
        body.dataset.version = version;
      } catch (e) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }
  // The filter applies as soon as a repository is picked.
  const select = document.querySelector("form.filter select");
  if (select) select.addEventListener("change", () => select.form.submit());
  poll();
})();
