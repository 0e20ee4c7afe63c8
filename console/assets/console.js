// Tamis console: the little that needs a script. Everything works with the keyboard; pages work
// (without live updates) with scripts off.
(function () {
  "use strict";
  // Dashboard: refresh the figures every 5 seconds.
  var dash = document.getElementById("dashboard");
  if (dash) {
    var refresh = function () {
      fetch("/api/dashboard", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) return;
          d.queues.forEach(function (q) {
            var cell = document.querySelector('[data-queue="' + q.name + '"]');
            if (cell) {
              cell.textContent = q.depth === null ? "?" : q.depth;
              cell.parentElement.classList.toggle("busy", (q.depth || 0) > 0 && q.kind !== "stage");
            }
            var age = document.querySelector('[data-age="' + q.name + '"]');
            if (age) age.textContent = q.oldest_text;
          });
          var set = function (id, v) { var e = document.getElementById(id); if (e) e.textContent = v; };
          set("m-per-minute", d.throughput.per_minute);
          set("m-share", d.throughput.share_automated === null ? "–" : Math.round(d.throughput.share_automated * 100) + " %");
          set("m-errors", d.throughput.rejected);
          set("m-reviewed", d.throughput.reviewed);
          set("m-parked", d.parked === null ? "?" : d.parked);
          set("m-waiting", d.waiting_review);
          set("m-journal", d.journal_text);
          set("m-updated", new Date().toLocaleTimeString(document.documentElement.lang));
        })
        .catch(function () {});
    };
    setInterval(refresh, 5000);
  }
  // Empty inbox: look again every 5 seconds and show the item as soon as there is one.
  if (document.getElementById("empty-inbox")) {
    setInterval(function () {
      fetch("/api/review/next", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) { if (d && d.lease_id) window.location.reload(); })
        .catch(function () {});
    }, 5000);
  }
  // Review: highlight the box of the field being edited; shortcuts to the other controls.
  var form = document.getElementById("decision");
  if (form) {
    document.querySelectorAll("[data-box]").forEach(function (input) {
      var box = document.getElementById(input.getAttribute("data-box"));
      if (!box) return;
      input.addEventListener("focus", function () {
        box.classList.add("active");
        if (box.scrollIntoViewIfNeeded) box.scrollIntoViewIfNeeded(); else box.scrollIntoView({ block: "nearest" });
      });
      input.addEventListener("blur", function () { box.classList.remove("active"); });
    });
    document.addEventListener("keydown", function (e) {
      if (!(e.altKey && e.shiftKey)) return;
      var target = { KeyR: "reject_reason", KeyT: "doc_type", KeyB: "release" }[e.code];
      if (!target) return;
      e.preventDefault();
      document.getElementById(target).focus();
    });
    var first = form.querySelector(".field.flagged input") || form.querySelector(".field input");
    if (first) first.focus();
  }
})();
