// Maps on the dispatch pages. Declarative: a <div data-map> names GeoJSON layer URLs (data-layers), an optional
// tile URL (data-tile-url; without one the map draws on a plain background) and, where a click places a point,
// the inputs to fill (data-pick-lat, data-pick-lon). Features are styled by their properties.kind:
// depot (coloured by its stock state when it has one, else by level; clustered when many), source, area (sized by
// demand), route and shipment (lines; a feature with a url links to its page), agreement. Without tiles the map
// draws a graticule, so that a blank background still reads as a place.
(function () {
  "use strict";
  var COLOURS = {central: "#7a1f1f", provincial: "#b3261e", municipal: "#d9822b", county: "#2b7bb9",
                 township: "#5b8c3a", agreement: "#6a3d9a",
                 below_minimum: "#c62828", below_target: "#f0a202", at_quota: "#2e7d32", no_quota: "#9e9e9e",
                 area: "#f5c518", shipment: "#0b57a4", overdue: "#d81b60"};
  // Stock states, worst first (see stateCluster).
  var STATES = ["below_minimum", "below_target", "no_quota", "at_quota"];
  var CHINA = [[18, 73], [54, 135]];

  function colour(key) { return COLOURS[key] || "#444"; }

  function popup(properties) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.label || "";
    box.appendChild(title);
    if (properties.url) {
      var link = document.createElement("a");
      link.href = properties.url;
      link.textContent = properties.link || properties.url;
      box.appendChild(document.createTextNode(" "));
      box.appendChild(link);
    }
    (properties.lines || []).forEach(function (text) {
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  function pointLayer(feature, latlng) {
    var p = feature.properties || {};
    if (p.kind === "area") {
      return L.circleMarker(latlng, {radius: Math.max(6, Math.min(30, p.size || 8)), color: "#1d2733",
                                     weight: 2, fillColor: "#f5c518", fillOpacity: 0.7});
    }
    var options = {radius: p.kind === "source" ? 7 : 5, color: "#fff", weight: 1,
                   fillColor: colour(p.state || p.level), fillOpacity: 0.9};
    if (p.state) options.className = "depot-" + p.state;  // a browser test (and a stylesheet) can tell them apart
    return L.circleMarker(latlng, options);
  }

  // Lines only: Leaflet applies `style` to the circle markers of points too, which keep what pointLayer gave them.
  function style(feature) {
    if (feature.geometry && feature.geometry.type === "Point") return {};
    var p = feature.properties || {};
    var dash = p.mode === "road" ? null : "6 6";
    if (p.kind === "shipment") {
      return {color: colour(p.overdue ? "overdue" : "shipment"), weight: p.overdue ? 5 : 4, opacity: 0.9,
              dashArray: dash, className: p.overdue ? "shipment overdue" : "shipment"};
    }
    return {color: p.late ? "#b3261e" : "#0b57a4", weight: 3, opacity: 0.8, dashArray: dash};
  }

  // A cluster shows how many depots it holds, coloured by the worst state at least a quarter of its depots with a
  // quota are in (the single worst would paint every national cluster red); its title counts each state.
  function stateCluster(names) {
    return function (cluster) {
      var counts = {}, quoted = 0;
      cluster.getAllChildMarkers().forEach(function (marker) {
        var state = (marker.feature.properties || {}).state;
        counts[state] = (counts[state] || 0) + 1;
        if (state !== "no_quota") quoted += 1;
      });
      var worst = STATES.filter(function (state) {
        return state !== "no_quota" && counts[state] && counts[state] * 4 >= quoted;
      })[0] || "no_quota";
      var count = document.createElement("span");
      count.textContent = cluster.getChildCount();
      var inner = document.createElement("div");
      inner.title = STATES.filter(function (state) { return counts[state]; })
        .map(function (state) { return (names[state] || state) + ": " + counts[state]; }).join(" · ");
      inner.appendChild(count);
      return L.divIcon({html: inner, className: "marker-cluster cluster-state cluster-" + worst,
                        iconSize: L.point(40, 40)});
    };
  }

  function clusterGroup(data, names) {
    if (!L.markerClusterGroup) return null;
    var byState = data.features.some(function (f) { return f.properties && f.properties.state; });
    var options = {disableClusteringAtZoom: 9};
    if (byState) options.iconCreateFunction = stateCluster(names);
    return L.markerClusterGroup(options);
  }

  // Meridians and parallels every five degrees over China: what a map without tiles has to read by.
  function graticule(map) {
    var lines = [], style = {color: "#b8c4cf", weight: 1, opacity: 0.8, interactive: false};
    for (var lon = 75; lon <= 135; lon += 5) lines.push(L.polyline([[5, lon], [55, lon]], style));
    for (var lat = 5; lat <= 55; lat += 5) lines.push(L.polyline([[lat, 70], [lat, 140]], style));
    L.layerGroup(lines).addTo(map);
  }

  function addLayer(map, data, bounds, clusters, names) {
    var layer = L.geoJSON(data, {
      pointToLayer: pointLayer, style: style,
      onEachFeature: function (feature, item) { item.bindPopup(popup(feature.properties || {})); }
    });
    var depots = clusterGroup(data, names);
    layer.eachLayer(function (item) {
      var p = item.feature.properties || {};
      if (depots && p.kind === "depot" && data.features.length > 300) { depots.addLayer(item); } else { item.addTo(map); }
      if (item.getLatLng) { bounds.extend(item.getLatLng()); } else if (item.getBounds) { bounds.extend(item.getBounds()); }
    });
    if (depots && depots.getLayers().length) { clusters.push(depots); map.addLayer(depots); }
  }

  function legend(map, names) {
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      Object.keys(names).forEach(function (level) {
        var row = L.DomUtil.create("div", "", box);
        var swatch = L.DomUtil.create("span", "swatch", row);
        swatch.style.background = colour(level);
        row.appendChild(document.createTextNode(" " + names[level]));
      });
      return box;
    };
    control.addTo(map);
  }

  function pick(map, element) {
    var lat = document.getElementById(element.dataset.pickLat);
    var lon = document.getElementById(element.dataset.pickLon);
    if (!lat || !lon) return;
    var marker = null;
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(5);
      lon.value = event.latlng.lng.toFixed(5);
      if (marker) { marker.setLatLng(event.latlng); } else { marker = L.marker(event.latlng).addTo(map); }
      lat.dispatchEvent(new Event("change"));
    });
  }

  // Place names (the region API's page of provinces) drawn as quiet labels, so a map without tiles still reads.
  function places(map, url) {
    fetch(url, {credentials: "same-origin"}).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (page) {
        (page ? page.items : []).forEach(function (region) {
          if (region.latitude === null || region.longitude === null) return;
          L.circleMarker([region.latitude, region.longitude], {radius: 2, color: "#8a949e", weight: 1, interactive: false})
            .bindTooltip(region.name, {permanent: true, direction: "right", className: "place-label"}).addTo(map);
        });
      });
  }

  function start(element) {
    var map = L.map(element, {maxZoom: 18, zoomSnap: 0.25, attributionControl: !!element.dataset.tileUrl});
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {attribution: element.dataset.attribution || "", maxZoom: 18}).addTo(map);
    } else {
      element.classList.add("plain");
      graticule(map);
    }
    L.control.scale({imperial: false}).addTo(map);
    var names = JSON.parse(element.dataset.levelNames || "{}");
    legend(map, names);
    map.fitBounds(CHINA);
    pick(map, element);
    if (element.dataset.places) places(map, element.dataset.places);
    var bounds = L.latLngBounds([]), clusters = [];
    var urls = JSON.parse(element.dataset.layers || "[]");
    Promise.all(urls.map(function (url) {
      return fetch(url, {credentials: "same-origin"}).then(function (response) { return response.ok ? response.json() : null; });
    })).then(function (layers) {
      layers.forEach(function (data) { if (data) addLayer(map, data, bounds, clusters, names); });
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.15), {maxZoom: 10});
      element.dataset.ready = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L) return;
    document.querySelectorAll("[data-map]").forEach(start);
  });
})();
