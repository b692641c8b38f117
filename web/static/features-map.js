// The map of a collection, a page of features or one feature: the features of
// #map-data over a plain background, fitted to their box. MapLibre is served from
// our own origin; no external URL is used. The map is window.map.
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('map-data').textContent);
  var en = cfg.lang === 'en';
  var color = '#0b6e4f';
  maplibregl.setWorkerUrl('/static/vendor/maplibre-gl-csp-worker.js');
  var b = cfg.bbox || [102, 8, 110, 23.5];
  var single = b[0] === b[2] && b[1] === b[3];
  var map = new maplibregl.Map({
    container: 'map',
    style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef0ea' } }] },
    bounds: single ? undefined : [[b[0], b[1]], [b[2], b[3]]],
    center: single ? [b[0], b[1]] : undefined,
    zoom: single ? 14 : undefined,
    fitBoundsOptions: { padding: 24, maxZoom: 15 },
    attributionControl: { compact: true }
  });
  window.map = map;
  map.addControl(new maplibregl.NavigationControl(), 'top-left');

  map.on('load', function () {
    map.addSource('features', { type: 'geojson', data: cfg.data || cfg.url });
    var t = cfg.geometry_type || '';
    if (/Polygon/.test(t)) {
      map.addLayer({ id: 'features-fill', type: 'fill', source: 'features', paint: { 'fill-color': color, 'fill-opacity': 0.25 } });
      map.addLayer({ id: 'features', type: 'line', source: 'features', paint: { 'line-color': color, 'line-width': 1.5 } });
    } else if (/LineString/.test(t)) {
      map.addLayer({ id: 'features', type: 'line', source: 'features', paint: { 'line-color': color, 'line-width': 3, 'line-opacity': 0.85 } });
    } else {
      map.addLayer({ id: 'features', type: 'circle', source: 'features',
        paint: { 'circle-color': color, 'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 3, 15, 7], 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
    }
    if (!cfg.item_page) { return; }
    map.on('click', 'features', function (e) { popup(e.features[0], e.lngLat); });
    map.on('mouseenter', 'features', function () { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'features', function () { map.getCanvas().style.cursor = ''; });
  });

  function popup(feature, at) {
    var root = document.createElement('div');
    root.className = 'popup';
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
    if (feature.id !== undefined) {
      var a = document.createElement('a');
      a.href = cfg.item_page + encodeURIComponent(feature.id) + '?f=html' + (en ? '&lang=en' : '');
      a.textContent = en ? 'Details' : 'Chi tiết';
      root.appendChild(a);
    }
    new maplibregl.Popup({ maxWidth: '320px' }).setLngLat(at).setDOMContent(root).addTo(map);
  }
})();
