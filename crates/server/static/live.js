// Progressive enhancement: when a new entry arrives for this relationship (or, with
// data-relationship="any", for any of the viewer's), fetch the page again and swap in the
// new timeline, without a full reload. Pages work without it.
(function () {
  var me = document.currentScript;
  var rel = me && me.getAttribute("data-relationship");
  if (!rel || !window.EventSource) return;
  var source = new EventSource("/events");
  source.addEventListener("entry", function (ev) {
    var data = JSON.parse(ev.data);
    if (rel !== "any" && data.relationship_id !== rel) return;
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("timeline");
      var old = document.getElementById("timeline");
      if (fresh && old) old.replaceWith(fresh);
      else if (fresh) location.reload();
    });
  });
})();
