// The map of the home page and of /map: every collection from the vector tiles
// (one layer per collection), drawn by the service's default style over a plain
// background and the region's outline, with a legend (layer toggles, zoom to a
// collection) and click popups in Vietnamese. /map#collection=ID opens the map
// on one collection. MapLibre comes from our own origin; no external URL is used.
(function () {
  'use strict';
  var region = JSON.parse(document.getElementById('region').textContent);
  var b = region.bbox;
  maplibregl.setWorkerUrl('/static/vendor/maplibre-gl-csp-worker.js');
  var map = new maplibregl.Map({
    container: 'map',
    style: '/styles/default.json',
    bounds: [[b[0], b[1]], [b[2], b[3]]],
    fitBoundsOptions: { padding: 16 },
    attributionControl: { compact: true },
    maxZoom: 19
  });
  window.map = map;
  map.addControl(new maplibregl.NavigationControl(), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');

  var collections = [];
  var popup = null;

  map.on('load', function () {
    collections = (map.getStyle().metadata || {})['geodata:collections'] || [];
    buildLegend();
    var layers = [];
    collections.forEach(function (c) { layers = layers.concat(c.layers); });
    map.on('click', function (e) { onClick(e, layers); });
    layers.forEach(function (id) {
      map.on('mouseenter', id, function () { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', id, function () { map.getCanvas().style.cursor = ''; });
    });
    zoomToHash();
  });
  window.addEventListener('hashchange', zoomToHash);

  // Labels of common property names written without diacritics (sample data,
  // GTFS, KML, old DBF columns), by lower-case name.
  var labels = {
    id: 'Mã đối tượng', ten: 'Tên', ma: 'Mã', loai: 'Loại', dia_chi: 'Địa chỉ', huyen: 'Huyện', xa: 'Xã',
    ma_tram: 'Mã trạm', nha_mang: 'Nhà mạng', cong_nghe: 'Công nghệ', chieu_cao_cot_m: 'Chiều cao cột (m)',
    ngay_phat_song: 'Ngày phát sóng', so_hieu: 'Số hiệu', ten_tuyen: 'Tên tuyến', don_vi_khai_thac: 'Đơn vị khai thác',
    mau_tuyen: 'Màu tuyến', gia_ve_vnd: 'Giá vé (đồng)', chuyen_dau: 'Chuyến đầu', chuyen_cuoi: 'Chuyến cuối',
    gian_cach_phut: 'Giãn cách (phút)', chieu_dai_km: 'Chiều dài (km)', loai_xe: 'Loại xe', suc_chua: 'Sức chứa',
    mo_cua_24h: 'Mở cửa 24 giờ', tuyen: 'Tuyến', thu_tu: 'Thứ tự', co_nha_cho: 'Có nhà chờ', loai_ben: 'Loại bến',
    so_chuyen_ngay: 'Số chuyến mỗi ngày', phi_ra_vao_ben_vnd: 'Phí ra vào bến (đồng)',
    phi_trong_giu_xe_vnd: 'Phí trông giữ xe (đồng)', dien_thoai: 'Điện thoại', gio_mo_cua: 'Giờ mở cửa',
    song: 'Sông', tai_trong: 'Tải trọng (tấn)', muc_nuoc: 'Mực nước (m)', don_vi: 'Đơn vị quản lý',
    hoat_dong: 'Đang hoạt động', ngay_cp: 'Ngày cấp phép', name: 'Tên', description: 'Mô tả', folder: 'Thư mục',
    route_id: 'Mã tuyến', route_short_name: 'Số hiệu tuyến', route_long_name: 'Tên tuyến',
    route_type: 'Loại phương tiện', route_color: 'Màu tuyến', route_text_color: 'Màu chữ', direction_id: 'Chiều',
    operator: 'Đơn vị khai thác', first_departure: 'Chuyến đầu', last_departure: 'Chuyến cuối',
    headway_min: 'Giãn cách (phút)', fare: 'Giá vé', fare_currency: 'Đơn vị tiền', trips: 'Số chuyến',
    stop_id: 'Mã điểm dừng', stop_name: 'Tên điểm dừng', location_type: 'Loại điểm', parent_station: 'Thuộc bến'
  };

  function label(name) {
    return labels[name.toLowerCase()] || name;
  }

  function valueText(v) {
    if (v === true) { return 'Có'; }
    if (v === false) { return 'Không'; }
    if (typeof v === 'number') { return v.toLocaleString('vi-VN'); }
    if (v !== null && typeof v === 'object') { return JSON.stringify(v); }
    return String(v);
  }

  function buildLegend() {
    var list = document.getElementById('layer-list');
    list.textContent = '';
    collections.forEach(function (c) {
      var li = document.createElement('li');
      li.dataset.collection = c.id;
      var lab = document.createElement('label');
      var box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = true;
      box.dataset.collection = c.id;
      box.addEventListener('change', function () { setVisible(c, box.checked); });
      var sw = document.createElement('span');
      sw.className = 'swatch ' + c.shape;
      sw.style.setProperty('--c', c.color);
      var count = document.createElement('small');
      count.textContent = ' (' + c.count.toLocaleString('vi-VN') + ')';
      lab.append(box, ' ', sw, ' ', c.title, count);
      var zoom = document.createElement('button');
      zoom.type = 'button';
      zoom.className = 'zoom';
      zoom.title = 'Phóng tới ' + c.title;
      zoom.setAttribute('aria-label', zoom.title);
      // A crosshair drawn in SVG: no icon font is loaded.
      zoom.innerHTML = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.6">' +
        '<circle cx="8" cy="8" r="4.5"/><path d="M8 0v5M8 11v5M0 8h5M11 8h5"/></svg>';
      zoom.addEventListener('click', function () { location.hash = 'collection=' + encodeURIComponent(c.id); });
      li.append(lab, zoom);
      list.appendChild(li);
    });
  }

  function setVisible(c, on) {
    c.layers.forEach(function (id) { map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none'); });
    var box = document.querySelector('input[data-collection="' + CSS.escape(c.id) + '"]');
    if (box) { box.checked = on; }
  }

  // zoomToHash fits the map to the collection named by #collection=ID.
  function zoomToHash() {
    var m = /(?:^#|&)collection=([^&]+)/.exec(location.hash);
    if (!m || !collections.length) { return; }
    var id = decodeURIComponent(m[1]);
    var c = collections.find(function (x) { return x.id === id; });
    document.querySelectorAll('#layer-list li').forEach(function (li) { li.classList.toggle('active', li.dataset.collection === id); });
    if (!c) { return; }
    setVisible(c, true);
    var cb = c.bounds;
    map.fitBounds([[cb[0], cb[1]], [cb[2], cb[3]]], { padding: 40, maxZoom: 15, duration: 0 });
  }

  function onClick(e, layers) {
    var p = e.point;
    var hits = map.queryRenderedFeatures([[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]], { layers: layers });
    if (!hits.length) { return; }
    var f = hits[0];
    var c = collections.find(function (x) { return x.layers.indexOf(f.layer.id) >= 0; });
    if (!c) { return; }
    var at = f.geometry.type === 'Point' ? f.geometry.coordinates : e.lngLat;
    if (popup) { popup.remove(); }
    popup = new maplibregl.Popup({ maxWidth: '340px' }).setLngLat(at).setDOMContent(
      f.properties.point_count !== undefined ? clusterContent(c, f, at) : featureContent(c, f)).addTo(map);
  }

  function heading(c) {
    var h = document.createElement('h3');
    h.textContent = c.title;
    return h;
  }

  function clusterContent(c, f, at) {
    var root = document.createElement('div');
    root.className = 'popup';
    var p = document.createElement('p');
    p.className = 'cluster';
    p.textContent = 'Cụm gồm ' + f.properties.point_count.toLocaleString('vi-VN') + ' đối tượng ở gần nhau.';
    var zoom = document.createElement('button');
    zoom.type = 'button';
    zoom.textContent = 'Phóng to';
    zoom.addEventListener('click', function () {
      if (popup) { popup.remove(); }
      map.easeTo({ center: at, zoom: Math.min(map.getZoom() + 2, map.getMaxZoom()) });
    });
    root.append(heading(c), p, zoom);
    return root;
  }

  // featureContent shows the tile's properties at once, then every property
  // from the feature's own page (tiles leave heavy ones out at low zooms).
  function featureContent(c, f) {
    var root = document.createElement('div');
    root.className = 'popup';
    var table = document.createElement('table');
    fillTable(table, f.properties);
    root.append(heading(c), table);
    var id = f.properties.id;
    if (id === undefined) { return root; }
    var item = '/collections/' + encodeURIComponent(c.id) + '/items/' + encodeURIComponent(id);
    var a = document.createElement('a');
    a.href = item + '?f=html';
    a.textContent = 'Xem chi tiết';
    root.appendChild(a);
    fetch(item, { headers: { Accept: 'application/geo+json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (full) {
        if (full && full.properties) { fillTable(table, Object.assign({ id: full.id }, full.properties)); }
      })
      .catch(function () { /* the tile's properties stay shown */ });
    return root;
  }

  function fillTable(table, props) {
    table.textContent = '';
    Object.keys(props).forEach(function (k) {
      var v = props[k];
      if (v === null || v === undefined || v === '') { return; }
      var tr = document.createElement('tr');
      var th = document.createElement('th');
      th.textContent = label(k);
      var td = document.createElement('td');
      td.textContent = valueText(v);
      tr.append(th, td);
      table.appendChild(tr);
    });
  }
})();
