// The search page: reads the query and filters from the URL, asks
// /search for JSON, and writes the results. Report text goes into the page
// with textContent only; the one exception is the snippet, which the
// server sends already escaped, with <mark> around the matched words
// (render::snippet_html). The URL holds the whole state, so a search can
// be shared and the back button works.
'use strict';

(function () {
  var PAGE_SIZE = 10;
  var MAX_OFFSET = 10000;
  var FACETS = ['kind', 'city', 'year', 'person'];
  var KIND_LABELS = { section: 'Sections', practice: 'Pratiques' };
  var KIND_NAMES = { section: 'Section', practice: 'Pratique' };

  var form = document.getElementById('search');
  var input = document.getElementById('q');
  var status = document.getElementById('status');
  var hitsList = document.getElementById('hits');
  var filters = document.getElementById('filters');
  var pages = document.getElementById('pages');
  var prev = document.getElementById('prev');
  var next = document.getElementById('next');
  var pageInfo = document.getElementById('page-info');
  var latest = 0;

  function stateFromUrl() {
    var params = new URLSearchParams(window.location.search);
    var page = parseInt(params.get('page'), 10);
    var state = { q: params.get('q') || '', page: page > 0 ? page : 1, filters: {} };
    FACETS.forEach(function (facet) { state.filters[facet] = params.getAll(facet); });
    return state;
  }

  function queryString(state, forApi) {
    var params = new URLSearchParams();
    params.set('q', state.q);
    FACETS.forEach(function (facet) {
      state.filters[facet].forEach(function (value) { params.append(facet, value); });
    });
    if (forApi) {
      params.set('limit', String(PAGE_SIZE));
      params.set('offset', String((state.page - 1) * PAGE_SIZE));
    } else if (state.page > 1) {
      params.set('page', String(state.page));
    }
    return params.toString();
  }

  function pageUrl(state) {
    return state.q ? '/?' + queryString(state, false) : '/';
  }

  function go(state) {
    window.history.pushState(null, '', pageUrl(state));
    run(state);
  }

  function checkedFilters() {
    var chosen = {};
    FACETS.forEach(function (facet) {
      var boxes = filters.querySelectorAll('input[name="' + facet + '"]:checked');
      chosen[facet] = Array.prototype.map.call(boxes, function (box) { return box.value; });
    });
    return chosen;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = kind || '';
  }

  function clearResults() {
    hitsList.textContent = '';
    pages.hidden = true;
  }

  function run(state) {
    input.value = state.q;
    document.title = (state.q ? state.q + ' — ' : '') + 'Rechercher dans les rapports — palabre';
    var request = ++latest;
    if (!state.q.trim()) {
      clearResults();
      filters.hidden = true;
      say('');
      return;
    }
    say('Recherche…', 'busy');
    fetch('/search?' + queryString(state, true), { headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, code: response.status, body: body }; });
      })
      .then(function (answer) {
        if (request !== latest) { return; }
        if (!answer.ok) {
          clearResults();
          filters.hidden = true;
          var why = answer.body && answer.body.error ? answer.body.error : 'erreur ' + answer.code;
          say(answer.code === 400 ? 'Requête invalide : ' + why : 'Le serveur n\'a pas pu répondre : ' + why, 'error');
          return;
        }
        show(state, answer.body);
      })
      .catch(function (error) {
        if (request !== latest) { return; }
        clearResults();
        say('Le serveur ne répond pas (' + error.message + ').', 'error');
      });
  }

  function show(state, results) {
    clearResults();
    renderFacets(state, results.facets || {});
    var first = (state.page - 1) * PAGE_SIZE;
    if (results.total === 0) {
      var filtered = FACETS.some(function (f) { return state.filters[f].length > 0; });
      say('Aucun résultat pour « ' + state.q + ' »' +
        (filtered ? ' avec ces filtres. Essayez d\'en retirer.' : '. Essayez d\'autres mots.'), 'empty');
      offerSuggestion(state, results.suggestion);
      return;
    }
    if (results.hits.length === 0) {
      say('Pas de résultats sur cette page : il y en a ' + results.total + ' en tout.', 'empty');
    } else {
      say(results.total + (results.total > 1 ? ' passages trouvés' : ' passage trouvé') +
        ' pour « ' + state.q + ' » (' + (first + 1) + '–' + (first + results.hits.length) + ').');
    }
    offerSuggestion(state, results.suggestion);
    results.hits.forEach(function (hit) { hitsList.appendChild(renderHit(hit)); });
    renderPages(state, results.total);
  }

  // "Did you mean": a link that runs the suggested query with the same
  // filters. Text goes in with textContent, like the rest of the page.
  function offerSuggestion(state, suggestion) {
    if (!suggestion) { return; }
    var next = { q: suggestion, page: 1, filters: state.filters };
    var link = el('a', 'suggestion', suggestion);
    link.href = pageUrl(next);
    link.addEventListener('click', function (event) {
      event.preventDefault();
      go(next);
    });
    status.appendChild(document.createTextNode(' Vouliez-vous dire : '));
    status.appendChild(link);
    status.appendChild(document.createTextNode(' ?'));
  }

  function renderHit(hit) {
    var item = el('li', 'hit');
    item.dataset.kind = hit.kind;
    var heading = el('h2');
    var link = el('a', null, hit.title);
    link.href = hit.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var facts = [KIND_NAMES[hit.kind] || hit.kind, hit.doc_title];
    if (hit.date) { facts.push(hit.date); }
    if (hit.city) { facts.push(hit.city); }
    if (hit.organisations && hit.organisations.length) { facts.push(hit.organisations.join(' ; ')); }
    if (hit.people && hit.people.length) { facts.push(hit.people.join(' ; ')); }
    item.appendChild(el('p', 'facts', facts.join(' · ')));
    var snippet = el('p', 'snippet');
    snippet.lang = hit.lang;
    snippet.dir = 'auto';
    // Pre-escaped by the server (render::snippet_html): text plus <mark> only.
    snippet.innerHTML = hit.snippet;
    item.appendChild(snippet);
    return item;
  }

  function renderFacets(state, facets) {
    filters.hidden = false;
    FACETS.forEach(function (facet) {
      var box = filters.querySelector('fieldset[data-facet="' + facet + '"] .options');
      box.textContent = '';
      var counts = (facets[facet] || []).slice();
      // A chosen value that no longer matches stays, so it can be unchosen.
      state.filters[facet].forEach(function (value) {
        if (!counts.some(function (c) { return c.value === value; })) { counts.push({ value: value, count: 0 }); }
      });
      if (facet === 'year') { counts.sort(function (a, b) { return b.value.localeCompare(a.value); }); }
      counts.forEach(function (entry) {
        var id = 'f-' + facet + '-' + entry.value.replace(/[^A-Za-z0-9_-]/g, '_');
        var option = el('div', 'option');
        var check = el('input');
        check.type = 'checkbox';
        check.name = facet;
        check.value = entry.value;
        check.id = id;
        check.checked = state.filters[facet].indexOf(entry.value) >= 0;
        check.addEventListener('change', function () {
          go({ q: state.q, page: 1, filters: checkedFilters() });
        });
        var label = el('label', null, (facet === 'kind' ? KIND_LABELS[entry.value] || entry.value : entry.value) + ' ');
        label.htmlFor = id;
        label.appendChild(el('span', 'count', '(' + entry.count + ')'));
        option.appendChild(check);
        option.appendChild(label);
        box.appendChild(option);
      });
      box.parentNode.hidden = counts.length === 0;
    });
  }

  function renderPages(state, total) {
    var last = Math.ceil(Math.min(total, MAX_OFFSET + PAGE_SIZE) / PAGE_SIZE);
    if (last <= 1) { return; }
    pages.hidden = false;
    pageInfo.textContent = 'Page ' + state.page + ' sur ' + last;
    [[prev, state.page - 1], [next, state.page + 1]].forEach(function (pair) {
      var link = pair[0];
      var page = pair[1];
      var target = { q: state.q, page: page, filters: state.filters };
      var off = page < 1 || page > last;
      link.className = off ? 'off' : '';
      link.setAttribute('aria-hidden', off ? 'true' : 'false');
      link.tabIndex = off ? -1 : 0;
      link.href = pageUrl(target);
      link.onclick = function (event) {
        event.preventDefault();
        go(target);
        document.getElementById('results').focus();
      };
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    go({ q: input.value.trim(), page: 1, filters: stateFromUrl().filters });
  });
  window.addEventListener('popstate', function () { run(stateFromUrl()); });
  run(stateFromUrl());
}());
