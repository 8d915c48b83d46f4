// Maps on the dispatch pages. Declarative: a <div data-map> names GeoJSON layer URLs (data-layers), an optional
// tile URL (data-tile-url; without one the map draws on a plain background) and, where a click places a point,
// the inputs to fill (data-pick-lat, data-pick-lon). Features are styled by their properties.kind:
// depot (coloured by level, clustered when many), source, area (sized by demand), route (a line), agreement.
(function () {
  "use strict";
  var LEVEL_COLOURS = {central: "#7a1f1f", provincial: "#b3261e", municipal: "#d9822b", county: "#2b7bb9",
                       township: "#5b8c3a", agreement: "#6a3d9a"};
  var CHINA = [[18, 73], [54, 135]];

  function colour(level) { return LEVEL_COLOURS[level] || "#444"; }

  function popup(properties) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.label || "";
    box.appendChild(title);
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
    return L.circleMarker(latlng, {radius: p.kind === "source" ? 7 : 5, color: "#fff", weight: 1,
                                   fillColor: colour(p.level), fillOpacity: 0.9});
  }

  function style(feature) {
    var p = feature.properties || {};
    return {color: p.late ? "#b3261e" : "#0b57a4", weight: 3, opacity: 0.8, dashArray: p.mode === "road" ? null : "6 6"};
  }

  function addLayer(map, data, bounds, clusters) {
    var layer = L.geoJSON(data, {
      pointToLayer: pointLayer, style: style,
      onEachFeature: function (feature, item) { item.bindPopup(popup(feature.properties || {})); }
    });
    var depots = L.markerClusterGroup ? L.markerClusterGroup({disableClusteringAtZoom: 9}) : null;
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
    var map = L.map(element, {maxZoom: 18, attributionControl: !!element.dataset.tileUrl});
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {attribution: element.dataset.attribution || "", maxZoom: 18}).addTo(map);
    } else {
      element.classList.add("plain");
    }
    L.control.scale({imperial: false}).addTo(map);
    legend(map, JSON.parse(element.dataset.levelNames || "{}"));
    map.fitBounds(CHINA);
    pick(map, element);
    if (element.dataset.places) places(map, element.dataset.places);
    var bounds = L.latLngBounds([]), clusters = [];
    var urls = JSON.parse(element.dataset.layers || "[]");
    Promise.all(urls.map(function (url) {
      return fetch(url, {credentials: "same-origin"}).then(function (response) { return response.ok ? response.json() : null; });
    })).then(function (layers) {
      layers.forEach(function (data) { if (data) addLayer(map, data, bounds, clusters); });
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.15), {maxZoom: 10});
      element.dataset.ready = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L) return;
    document.querySelectorAll("[data-map]").forEach(start);
  });
})();
