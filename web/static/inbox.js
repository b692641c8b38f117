// The agency inbox: with the agency's token (kept in this tab's sessionStorage
// only), list the feedback it answers and post answers through the API.
(function () {
  'use strict';
  var form = document.getElementById('token-form');
  var tokenInput = document.getElementById('token');
  var statusSelect = document.getElementById('inbox-status');
  var list = document.getElementById('inbox');
  var message = document.getElementById('inbox-message');
  var template = document.getElementById('inbox-item');
  var kinds = { dataset: 'Góp ý về tập dữ liệu', feature: 'Góp ý về một đối tượng', request: 'Đề nghị mở dữ liệu mới' };
  tokenInput.value = sessionStorage.getItem('geodata-token') || '';

  function headers(json) {
    var h = { 'Authorization': 'Bearer ' + tokenInput.value.trim(), 'Accept': 'application/json' };
    if (json) { h['Content-Type'] = 'application/json'; }
    return h;
  }

  function show(items) {
    list.textContent = '';
    items.forEach(function (f) {
      var li = template.content.firstElementChild.cloneNode(true);
      li.id = 'fb-' + f.id;
      li.querySelector('.fb-head').textContent = '#' + f.id + ' · ' + (kinds[f.kind] || f.kind) +
        (f.collection ? ' — ' + f.collection : '') + (f.feature ? ' / ' + f.feature : '') + (f.title ? ' — ' + f.title : '');
      li.querySelector('.fb-message').textContent = f.message;
      li.querySelector('.fb-contact').textContent = f.contact ? 'Liên hệ: ' + f.contact : 'Người gửi không để lại liên hệ.';
      var answerForm = li.querySelector('.answer-form');
      answerForm.answer.value = f.answer || '';
      answerForm.addEventListener('submit', function (ev) {
        ev.preventDefault();
        fetch('/feedback/' + f.id + '/answer', {
          method: 'POST', headers: headers(true),
          body: JSON.stringify({ answer: answerForm.answer.value, status: answerForm.status.value })
        }).then(function (resp) {
          return resp.json().then(function (body) {
            message.textContent = resp.ok ? 'Đã lưu trả lời cho góp ý số ' + f.id + '.' : (body.description || 'Lỗi ' + resp.status);
          });
        });
      });
      list.appendChild(li);
    });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem('geodata-token', tokenInput.value.trim());
    var q = statusSelect.value ? '&status=' + encodeURIComponent(statusSelect.value) : '';
    fetch('/feedback?f=json&limit=500' + q, { headers: headers(false) }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) {
          message.textContent = body.description || 'Lỗi ' + resp.status;
          list.textContent = '';
          return;
        }
        message.textContent = body.numberMatched + ' góp ý.';
        show(body.feedback);
      });
    });
  });
}());
