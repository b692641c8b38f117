// The citizens' page /gan-toi ("near me"): the nearest places from /nearby around
// the visitor's position (browser geolocation, which needs HTTPS or localhost) or
// a point tapped on the map, by category and by name, as a list synced with
// numbered markers. MapLibre is served from our own origin; no external URL is used.
(function () {
  'use strict';
  var K = 20;
  var categories = JSON.parse(document.getElementById('categories').textContent) || [];
  var region = JSON.parse(document.getElementById('region').textContent);
  var byId = {};
  categories.forEach(function (c) { byId[c.id] = c; });
  var list = document.getElementById('results');
  var status = document.getElementById('status');
  var state = { at: null, selected: [], q: '', markers: [], items: [], active: -1, request: 0 };

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
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  var you = new maplibregl.Marker({ element: youElement() });

  map.on('load', function () {
    map.addSource('region', { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]], [b[0], b[1]]]] } } });
    map.addLayer({ id: 'region-outline', type: 'line', source: 'region', paint: { 'line-color': '#7a8793', 'line-width': 1.5, 'line-dasharray': [3, 2] } });
    map.addSource('rivers', { type: 'geojson', data: { type: 'FeatureCollection', features: (region.rivers || []).map(function (r) { return { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: r.line } }; }) } });
    map.addLayer({ id: 'rivers', type: 'line', source: 'rivers', paint: { 'line-color': '#8ec5e8', 'line-width': 3 } });
    map.addSource('found', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: 'found-lines', type: 'line', source: 'found', filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': '#0b6e4f', 'line-width': 3, 'line-opacity': 0.6 } });
  });
  map.on('click', function (e) { setLocation(e.lngLat.lng, e.lngLat.lat, 'Điểm bạn chọn trên bản đồ'); });

  document.getElementById('locate').addEventListener('click', locate);
  document.getElementById('search').addEventListener('submit', function (e) {
    e.preventDefault();
    state.q = document.getElementById('q').value.trim();
    search();
  });
  document.querySelectorAll('.chip').forEach(function (chip) {
    chip.addEventListener('click', function () { toggleCategory(chip.dataset.category); });
  });

  function locate() {
    if (!navigator.geolocation || !window.isSecureContext) {
      say('Trình duyệt chỉ cho biết vị trí trên trang HTTPS. Hãy chạm vào bản đồ hoặc tìm theo tên.');
      return;
    }
    say('Đang lấy vị trí của bạn…');
    navigator.geolocation.getCurrentPosition(function (pos) {
      setLocation(pos.coords.longitude, pos.coords.latitude, 'Vị trí của bạn');
    }, function (err) {
      say(err.code === 1 ? 'Bạn chưa cho phép trang biết vị trí. Hãy chạm vào bản đồ hoặc tìm theo tên.'
        : 'Không lấy được vị trí. Hãy chạm vào bản đồ hoặc tìm theo tên.');
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function setLocation(lon, lat, label) {
    state.at = { lon: lon, lat: lat, label: label };
    you.setLngLat([lon, lat]).addTo(map);
    search();
  }

  // toggleCategory selects or deselects a category; "Tất cả" (empty id) clears them.
  function toggleCategory(id) {
    if (!id) {
      state.selected = [];
    } else if (state.selected.indexOf(id) >= 0) {
      state.selected = state.selected.filter(function (s) { return s !== id; });
    } else {
      state.selected = state.selected.concat([id]);
    }
    document.querySelectorAll('.chip').forEach(function (chip) {
      var on = chip.dataset.category ? state.selected.indexOf(chip.dataset.category) >= 0 : state.selected.length === 0;
      chip.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
    search();
  }

  // search asks /nearby around the chosen point, or the map centre before one is chosen.
  function search() {
    var at = state.at || { lon: map.getCenter().lng, lat: map.getCenter().lat, label: 'Giữa bản đồ' };
    var params = new URLSearchParams({ lon: at.lon.toFixed(6), lat: at.lat.toFixed(6), k: String(K) });
    if (state.selected.length) { params.set('collections', state.selected.join(',')); }
    if (state.q) { params.set('q', state.q); }
    var url = '/nearby?' + params.toString();
    var request = ++state.request;
    list.dataset.state = 'loading';
    list.dataset.query = url;
    fetch(url, { headers: { Accept: 'application/geo+json' } }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) { throw new Error(body.description || resp.statusText); }
        return body;
      });
    }).then(function (fc) {
      if (request === state.request) { show(fc, at); }
    }).catch(function (err) {
      if (request !== state.request) { return; }
      list.dataset.state = 'error';
      say('Không tìm được: ' + err.message);
    });
  }

  function show(fc, at) {
    state.markers.forEach(function (m) { m.remove(); });
    state.markers = [];
    state.items = [];
    state.active = -1;
    list.textContent = '';
    var lines = [];
    fc.features.forEach(function (f, i) {
      var pos = f.geometry.type === 'Point' ? f.geometry.coordinates : f.properties.nearest_point;
      var li = item(f, i);
      list.appendChild(li);
      state.items.push(li);
      var el = document.createElement('button');
      el.type = 'button';
      el.className = 'near-marker';
      el.textContent = String(i + 1);
      el.setAttribute('aria-label', (i + 1) + '. ' + nameOf(f));
      el.addEventListener('click', function (e) { e.stopPropagation(); select(i, false); });
      state.markers.push(new maplibregl.Marker({ element: el }).setLngLat(pos).addTo(map));
      if (f.geometry.type !== 'Point') { lines.push({ type: 'Feature', properties: {}, geometry: f.geometry }); }
    });
    if (map.getSource('found')) { map.getSource('found').setData({ type: 'FeatureCollection', features: lines }); }
    var what = state.q ? ' tên có «' + state.q + '»' : '';
    say(fc.features.length ? fc.features.length + ' địa điểm' + what + ' gần ' + at.label.toLowerCase() + ' nhất.' + outside(at)
      : 'Không có địa điểm nào' + what + ' trong các loại đã chọn.');
    list.dataset.state = 'ready';
    frame(at);
  }

  function item(f, i) {
    var cat = byId[f.properties.collection] || { label: f.properties.collection };
    var li = document.createElement('li');
    li.dataset.id = f.id;
    li.dataset.collection = f.properties.collection;
    li.dataset.distance = f.properties.distance_m;
    var btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'near-item';
    btn.addEventListener('click', function () { select(i, true); });
    var num = document.createElement('span');
    num.className = 'near-num';
    num.textContent = String(i + 1);
    var body = document.createElement('span');
    body.className = 'near-body';
    var name = document.createElement('strong');
    name.className = 'near-name';
    name.textContent = nameOf(f);
    var meta = document.createElement('span');
    meta.className = 'near-meta';
    var where = cat.address ? f.properties[cat.address] : '';
    meta.textContent = cat.label + (where ? ' · ' + where : '');
    body.appendChild(name);
    body.appendChild(meta);
    var dist = document.createElement('span');
    dist.className = 'near-dist';
    dist.textContent = distanceText(f.properties.distance_m);
    var dir = document.createElement('small');
    dir.textContent = f.properties.distance_m > 0 ? 'hướng ' + direction(f.properties.bearing_deg) : '';
    dist.appendChild(dir);
    btn.appendChild(num);
    btn.appendChild(body);
    btn.appendChild(dist);
    li.appendChild(btn);
    var a = document.createElement('a');
    a.className = 'near-detail';
    a.href = '/collections/' + encodeURIComponent(f.properties.collection) + '/items/' + encodeURIComponent(f.id) + '?f=html';
    a.textContent = 'Chi tiết';
    li.appendChild(a);
    return li;
  }

  function nameOf(f) {
    var cat = byId[f.properties.collection] || {};
    var name = cat.name ? f.properties[cat.name] : '';
    return name || (cat.label || f.properties.collection) + ' ' + f.id;
  }

  // select highlights result i in the list and on the map.
  function select(i, fromList) {
    if (state.active >= 0) {
      state.items[state.active].classList.remove('active');
      state.markers[state.active].getElement().classList.remove('active');
    }
    state.active = i;
    state.items[i].classList.add('active');
    var marker = state.markers[i];
    marker.getElement().classList.add('active');
    if (fromList) {
      map.easeTo({ center: marker.getLngLat(), zoom: Math.max(map.getZoom(), 14) });
    } else {
      state.items[i].scrollIntoView({ block: 'nearest' });
    }
  }

  // frame fits the map to the point searched from and the nearest results.
  function frame(at) {
    var bounds = new maplibregl.LngLatBounds([at.lon, at.lat], [at.lon, at.lat]);
    state.markers.slice(0, 5).forEach(function (m) { bounds.extend(m.getLngLat()); });
    map.fitBounds(bounds, { padding: 48, maxZoom: 16, duration: 0 });
  }

  function distanceText(m) {
    if (m < 1000) { return Math.round(m) + ' m'; }
    return (m / 1000).toFixed(m < 10000 ? 1 : 0).replace('.', ',') + ' km';
  }

  function direction(deg) {
    return ['Bắc', 'Đông Bắc', 'Đông', 'Đông Nam', 'Nam', 'Tây Nam', 'Tây', 'Tây Bắc'][Math.round(deg / 45) % 8];
  }

  function outside(at) {
    var inside = at.lon >= b[0] && at.lon <= b[2] && at.lat >= b[1] && at.lat <= b[3];
    return inside ? '' : ' Điểm này nằm ngoài địa bàn ' + region.name + ', nên các địa điểm có thể ở xa.';
  }

  function say(text) { status.textContent = text; }

  function youElement() {
    var el = document.createElement('div');
    el.className = 'near-you';
    el.title = 'Vị trí tìm quanh';
    return el;
  }
})();
