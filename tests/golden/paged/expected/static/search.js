// digest search: progressive enhancement over stories.json, no request leaves the site.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var stories = null;

  function words(text) {
    return (text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").match(/[\p{L}\p{N}]+/gu) || [];
  }

  function haystack(story) {
    var parts = [story.title, (story.summary || []).join(" "), (story.tags || []).join(" ")];
    (story.sources || []).forEach(function (s) { parts.push(s.outlet, s.title); });
    return words(parts.join(" ")).join(" ");
  }

  function render(query) {
    var terms = words(query);
    list.textContent = "";
    if (!terms.length) { status.textContent = ""; return; }
    var hits = stories.filter(function (s) {
      return terms.every(function (t) { return s._text.indexOf(t) !== -1; });
    }).slice(0, 50);
    status.textContent = hits.length ? hits.length + (hits.length === 1 ? " story" : " stories") + " found." : "No stories found.";
    hits.forEach(function (s) {
      var li = document.createElement("li");
      li.className = "story-card";
      var h = document.createElement("h2");
      var a = document.createElement("a");
      // Stay on the host the page came from (a preview server, a mirror).
      try { a.href = new URL(s.url).pathname; } catch (e) { a.href = s.url; }
      a.textContent = s.title;
      h.appendChild(a);
      var meta = document.createElement("p");
      meta.className = "meta";
      var n = (s.sources || []).length;
      meta.textContent = s.published.slice(0, 10) + " · " + n + (n === 1 ? " source" : " sources");
      var summary = document.createElement("p");
      summary.className = "summary";
      summary.textContent = (s.summary || []).join(" ");
      li.appendChild(h); li.appendChild(meta); li.appendChild(summary);
      list.appendChild(li);
    });
  }

  function load() {
    if (stories) { return Promise.resolve(stories); }
    status.textContent = "Loading the index…";
    return fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (data) {
      stories = data.map(function (s) { s._text = haystack(s); return s; });
      return stories;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = input.value;
    history.replaceState(null, "", "?q=" + encodeURIComponent(q));
    load().then(function () { render(q); });
  });
  input.addEventListener("input", function () {
    load().then(function () { render(input.value); });
  });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) {
    input.value = initial;
    load().then(function () { render(initial); });
  }
})();
