// The home page map: every collection over a plain background and the region's
// outline. MapLibre is served from our own origin; no external URL is used.
(function () {
  'use strict';
  var layers = JSON.parse(document.getElementById('layers').textContent) || [];
  var region = JSON.parse(document.getElementById('region').textContent);
  var palette = ['#d81b60', '#1e88e5', '#43a047', '#fb8c00', '#8e24aa', '#00897b', '#f4511e', '#3949ab', '#6d4c41', '#c0ca33'];
  var colorOf = {};
  layers.forEach(function (l, i) { colorOf[l.id] = palette[i % palette.length]; });
  document.querySelectorAll('[data-swatch]').forEach(function (el) { el.style.background = colorOf[el.dataset.swatch]; });

  maplibregl.setWorkerUrl('/static/vendor/maplibre-gl-csp-worker.js');
  var b = region.bbox;
  var map = new maplibregl.Map({
    container: 'map',
    style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef0ea' } }] },
    bounds: [[b[0], b[1]], [b[2], b[3]]],
    fitBoundsOptions: { padding: 16 },
    attributionControl: { compact: true }
  });
  window.map = map;
  map.addControl(new maplibregl.NavigationControl(), 'top-left');

  map.on('load', function () {
    map.addSource('region', { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]], [b[0], b[1]]]] } } });
    map.addLayer({ id: 'region-outline', type: 'line', source: 'region', paint: { 'line-color': '#7a8793', 'line-width': 1.5, 'line-dasharray': [3, 2] } });
    map.addSource('rivers', { type: 'geojson', data: { type: 'FeatureCollection', features: (region.rivers || []).map(function (r) { return { type: 'Feature', properties: { name: r.name }, geometry: { type: 'LineString', coordinates: r.line } }; }) } });
    map.addLayer({ id: 'rivers', type: 'line', source: 'rivers', paint: { 'line-color': '#8ec5e8', 'line-width': 3 } });
    layers.forEach(function (l) {
      map.addSource(l.id, { type: 'geojson', data: l.data });
      var line = /LineString/.test(l.geometry_type || '');
      map.addLayer(line ? {
        id: l.id, type: 'line', source: l.id,
        paint: { 'line-color': colorOf[l.id], 'line-width': 2.5, 'line-opacity': 0.85 }
      } : {
        id: l.id, type: 'circle', source: l.id,
        paint: { 'circle-color': colorOf[l.id], 'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 2.5, 14, 6], 'circle-stroke-color': '#fff', 'circle-stroke-width': 0.6 }
      });
      map.on('click', l.id, function (e) { showPopup(l, e.features[0], e.lngLat); });
      map.on('mouseenter', l.id, function () { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', l.id, function () { map.getCanvas().style.cursor = ''; });
    });
  });

  document.querySelectorAll('[data-layer]').forEach(function (box) {
    box.addEventListener('change', function () {
      if (map.getLayer(box.dataset.layer)) {
        map.setLayoutProperty(box.dataset.layer, 'visibility', box.checked ? 'visible' : 'none');
      }
    });
  });

  function showPopup(layer, feature, at) {
    var root = document.createElement('div');
    root.className = 'popup';
    var h = document.createElement('h3');
    h.textContent = layer.title;
    root.appendChild(h);
    var table = document.createElement('table');
    Object.keys(feature.properties).forEach(function (k) {
      var v = feature.properties[k];
      if (v === null || v === undefined || v === '') { return; }
      var tr = document.createElement('tr');
      var th = document.createElement('th'); th.textContent = k;
      var td = document.createElement('td'); td.textContent = String(v);
      tr.appendChild(th); tr.appendChild(td); table.appendChild(tr);
    });
    root.appendChild(table);
    if (feature.id === undefined) { new maplibregl.Popup({ maxWidth: '320px' }).setLngLat(at).setDOMContent(root).addTo(map); return; }
    var a = document.createElement('a');
    a.href = '/collections/' + encodeURIComponent(layer.id) + '/items/' + encodeURIComponent(feature.id) + '?f=html';
    a.textContent = 'Chi tiết';
    root.appendChild(a);
    new maplibregl.Popup({ maxWidth: '320px' }).setLngLat(at).setDOMContent(root).addTo(map);
  }
})();
