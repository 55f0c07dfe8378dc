// Maps without network: Natural Earth outlines (world-atlas) as a GeoJSON layer, partner points and lines.
// Lines come from the page's data-lines attribute or, for the larger maps, from the map API at
// data-lines-url once the map comes into view; names are put in the DOM as text, never as HTML.
(function () {
  "use strict";
  var worldCache = {};

  function loadWorld(url) {
    if (!worldCache[url]) {
      worldCache[url] = fetch(url).then(function (r) { return r.json(); });
    }
    return worldCache[url];
  }

  // Leaflet puts string content in as HTML; a text node keeps names like "<script>" inert.
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function popup(point) {
    var link = document.createElement("a");
    link.href = "/municipalities/" + encodeURIComponent(point.id);
    link.className = "map-popup-link";
    link.textContent = point.name;
    return link;
  }

  // Outlines that cross the antimeridian (Russia's Chukotka, Fiji) jump from 180° to -180° between
  // two points, which Leaflet draws as a stripe across the whole world: keep each ring's longitudes
  // continuous instead, so those coasts continue east of 180°.
  function unwrapRing(ring) {
    for (var i = 1; i < ring.length; i++) {
      var step = ring[i][0] - ring[i - 1][0];
      if (step > 180) { ring[i] = [ring[i][0] - 360, ring[i][1]]; }
      else if (step < -180) { ring[i] = [ring[i][0] + 360, ring[i][1]]; }
    }
    // A ring left west of -180° is drawn on the +360° copy anyway: move it there whole.
    var west = ring.every(function (c) { return c[0] <= -180; });
    if (west) { ring.forEach(function (c, i) { ring[i] = [c[0] + 360, c[1]]; }); }
  }

  function unwrapFeature(feature) {
    var g = feature.geometry;
    if (!g) { return; }
    var polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    polygons.forEach(function (polygon) { polygon.forEach(unwrapRing); });
  }

  // Bars of the statistics charts: their length comes from data-share (a percentage), set here
  // rather than in a style attribute, which the Content-Security-Policy forbids.
  function drawBars(root) {
    (root || document).querySelectorAll(".bar[data-share]").forEach(function (bar) {
      bar.style.width = bar.dataset.share + "%";
    });
  }

  // The lines of a map whose page does not carry them: fetched (once) when it is about to be seen.
  function whenShown(element, then) {
    if (typeof IntersectionObserver === "undefined") { then(); return; }
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        observer.disconnect();
        then();
      }
    }, { rootMargin: "200px" });
    observer.observe(element);
  }

  function fetchLines(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("map lines: HTTP " + r.status); }
      return r.json();
    }).then(function (listing) { return listing.items || []; });
  }

  function drawMap(element) {
    if (element.dataset.drawn) { return; }
    element.dataset.drawn = "1";
    var lines = [];
    try { lines = JSON.parse(element.dataset.lines || "[]"); } catch (e) { lines = []; }
    // Fractional zooms let a whole-world view fit a 390 px phone (zoom 1 is 512 px wide), so
    // partners in America and Europe stay in view; the map cannot be dragged into empty space.
    var map = L.map(element, {
      worldCopyJump: false, minZoom: 0, maxZoom: 10, zoomSnap: 0.25, zoomDelta: 0.5,
      maxBounds: [[-85, -200], [85, 560]], maxBoundsViscosity: 1, attributionControl: true
    });
    map.attributionControl.setPrefix(false);
    var tileUrl = element.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 18, attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    var points = {};
    var bounds = [];
    function drawLine(line) {
      var a = line.from, b = line.to;
      var bLng = b.lng;
      // Draw the short way round: Japan–America lines cross the antimeridian instead of Europe.
      if (bLng - a.lng > 180) { bLng -= 360; } else if (a.lng - bLng > 180) { bLng += 360; }
      L.polyline([[a.lat, a.lng], [b.lat, bLng]], { color: "#0b5394", weight: 1.5, opacity: 0.7 })
        .bindTooltip(textNode(a.name + " – " + b.name)).addTo(map)
        .on("click", function () { window.location.href = "/partnerships/" + encodeURIComponent(line.id); });
      [[a, a.lng], [b, bLng]].forEach(function (pair) {
        var p = pair[0];
        var key = p.id + ":" + pair[1];
        if (points[key]) { return; }
        points[key] = L.circleMarker([p.lat, pair[1]], {
          radius: 5, color: "#073763", weight: 1, fillColor: "#ffbf47", fillOpacity: 0.95
        }).bindPopup(popup(p)).addTo(map);
        bounds.push([p.lat, pair[1]]);
      });
    }
    lines.forEach(drawLine);
    // Network members: points without lines (data-points), each a link to its municipality.
    var members = [];
    try { members = JSON.parse(element.dataset.points || "[]"); } catch (e) { members = []; }
    members.forEach(function (p) {
      var key = p.id + ":" + p.lng;
      if (points[key]) { return; }
      points[key] = L.circleMarker([p.lat, p.lng], {
        radius: 6, color: "#073763", weight: 1, fillColor: "#ffbf47", fillOpacity: 0.95
      }).bindPopup(popup(p)).bindTooltip(textNode(p.name)).addTo(map);
      bounds.push([p.lat, p.lng]);
    });
    function fit() {
      if (bounds.length) {
        // Without animation: lines fetched later move the view at once, not under a test's or a reader's eyes.
        map.fitBounds(bounds, { padding: [20, 20], maxZoom: 7, animate: false });
      } else {
        map.setView([36, 138], 2);
      }
    }
    // The zoom on the element: pages and tests can tell how wide the world is drawn (256 px × 2^zoom).
    map.on("zoomend", function () { element.dataset.zoom = String(map.getZoom()); });
    fit();
    element.dataset.zoom = String(map.getZoom());
    // data-lines-drawn: how many lines are on the map, once they are (tests wait for it).
    if (element.dataset.linesUrl) {
      element.setAttribute("aria-busy", "true");
      whenShown(element, function () {
        fetchLines(element.dataset.linesUrl).then(function (fetched) {
          fetched.forEach(drawLine);
          fit();
          element.dataset.zoom = String(map.getZoom());
          element.dataset.linesDrawn = String(fetched.length);
        }).catch(function () {
          element.dataset.linesFailed = "1";
        }).then(function () { element.removeAttribute("aria-busy"); });
      });
    } else {
      element.dataset.linesDrawn = String(lines.length);
    }
    // A map laid out before its box had its final size draws grey bands where no tiles or outlines
    // were placed: redraw and refit whenever the box changes size (rotation, window resize).
    if (typeof ResizeObserver !== "undefined") {
      var lastWidth = element.clientWidth;
      new ResizeObserver(function () {
        if (element.clientWidth === lastWidth) { return; }
        lastWidth = element.clientWidth;
        map.invalidateSize();
        fit();
      }).observe(element);
    }
    if (!tileUrl && element.dataset.worldUrl) {
      loadWorld(element.dataset.worldUrl).then(function (world) {
        var countries = topojson.feature(world, world.objects.countries);
        // Antarctica (ISO 010) smears into a band along the bottom of a Mercator map.
        countries.features = countries.features.filter(function (f) { return f.id !== "010"; });
        countries.features.forEach(unwrapFeature);
        var style = { color: "#7a8a99", weight: 0.7, fillColor: "#f4f1e8", fillOpacity: 1 };
        // A second copy 360° east, so lines drawn the short way across the Pacific land on outlines.
        [0, 360].forEach(function (shift) {
          L.geoJSON(countries, {
            style: style,
            interactive: false,
            coordsToLatLng: function (c) { return L.latLng(c[1], c[0] + shift); }
          }).addTo(map).bringToBack();
        });
        element.dataset.outlines = String(countries.features.length);
      });
    }
    map.attributionControl.addAttribution("Natural Earth");
  }

  function drawAll(root) {
    drawBars(root);
    if (typeof L === "undefined") { return; }
    (root || document).querySelectorAll(".map[data-lines], .map[data-lines-url]").forEach(drawMap);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
})();
