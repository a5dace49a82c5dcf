// Progressive enhancement: when a new entry arrives for this relationship (or, with
// data-relationship="any", for any of the viewer's), fetch the page again and swap in the
// part that shows entries (data-swap: an element id, "timeline" unless given), without a
// full reload. A burst of entries (a mail import) brings one fetch, not one per entry.
// Pages work without it.
(function () {
  var me = document.currentScript;
  var rel = me && me.getAttribute("data-relationship");
  var part = (me && me.getAttribute("data-swap")) || "timeline";
  if (!rel || !window.EventSource) return;
  var timer = null;
  var busy = false;
  var again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById(part);
      var old = document.getElementById(part);
      if (fresh && old) old.replaceWith(fresh);
      else if (fresh) location.reload();
    }).finally(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }
  var source = new EventSource("/events");
  source.addEventListener("entry", function (ev) {
    var data = JSON.parse(ev.data);
    if (rel !== "any" && data.relationship_id !== rel) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
})();
