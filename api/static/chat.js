/* Safe reporting assistant: web chat client.
 * No framework and nothing loaded from elsewhere (the server sends a strict CSP).
 * Message text is only ever set with textContent, never as HTML.
 * Browser storage: sessionStorage only, holding the session id and language. No cookies, no localStorage. */
(function () {
  'use strict';

  var STORE_KEY = 'sra.session';
  var REQUEST_TIMEOUT_MS = 45000;
  var UNREACHABLE = "We can't reach the assistant right now. If you are in danger call 999. " +
    'National Domestic Abuse Helpline: 0808 2000 247 (free, 24 hours).';
  var RESTARTED = 'Your previous chat has ended. Starting a new one.';

  var body = document.body;
  var EXIT_URL = body.getAttribute('data-exit-url') || 'https://www.bbc.co.uk/weather';
  function $(id) { return document.getElementById(id); }
  var chat = $('chat'), log = $('chat-log'), form = $('chat-form'), input = $('message-input');
  var sendButton = $('send-button'), typing = $('typing'), errorBox = $('chat-error'), exitButton = $('quick-exit');

  var session = null;   // {id, language, dir} of the live server session, or null
  var language = null;  // last known language, kept in memory so a new session continues in it
  var busy = false;     // one request at a time: blocks double submission
  var exiting = false;  // once set, nothing may be rendered or stored again

  /* ---------- storage ---------- */

  function save() {
    if (exiting || !session) return;
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify({ session_id: session.id, language: session.language }));
    } catch (e) { /* storage blocked: the chat still works for this page view */ }
  }
  function forget() { try { sessionStorage.clear(); } catch (e) { /* nothing stored */ } }
  function stored() {
    try { return JSON.parse(sessionStorage.getItem(STORE_KEY) || 'null'); } catch (e) { return null; }
  }

  /* ---------- quick exit ---------- */

  // Fire-and-forget: keepalive lets the request outlive the page, and nobody waits for it,
  // so leaving works even when the API is unreachable.
  function erase(id) {
    try {
      fetch('/api/chat/sessions/' + encodeURIComponent(id),
        { method: 'DELETE', keepalive: true, credentials: 'same-origin' }).catch(function () {});
    } catch (e) { /* fetch unavailable: the server's idle expiry will erase it */ }
  }

  function quickExit() {
    if (exiting) return;
    exiting = true;
    if (session) erase(session.id);
    session = null;
    forget();
    log.textContent = '';
    input.value = '';
    errorBox.textContent = '';
    body.classList.add('exiting');  // blank the page at once while the next one loads
    window.location.replace(EXIT_URL);  // replace: the chat does not stay as a Back entry
  }

  // Escape exits (as on many police sites), unless an input method is composing text:
  // IME users press Escape to cancel a composition.
  // Shift pressed three times within a second exits (GOV.UK "Exit this page"). Only Shift pressed
  // on its own counts: any other key resets the count, so typing capital letters never triggers it.
  var shiftCount = 0, shiftTimer = null;
  function resetShift() { shiftCount = 0; clearTimeout(shiftTimer); shiftTimer = null; }

  document.addEventListener('keydown', function (e) {
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === 'Escape' || e.key === 'Esc') { e.preventDefault(); quickExit(); return; }
    if (e.key !== 'Shift') resetShift();
  });
  document.addEventListener('keyup', function (e) {
    if (e.key !== 'Shift' || e.isComposing) return;
    shiftCount += 1;
    if (shiftCount >= 3) { resetShift(); quickExit(); return; }
    if (!shiftTimer) shiftTimer = setTimeout(resetShift, 1000);
  });
  exitButton.addEventListener('click', function (e) { e.preventDefault(); quickExit(); });

  /* ---------- rendering ---------- */

  var REVIEW_PAYLOAD = '/review_shared';

  function addMessage(kind, text, lang, dir) {
    var el = document.createElement('div');
    el.className = 'msg ' + kind;
    el.lang = lang || 'en';
    el.dir = dir || 'ltr';
    // Screen readers hear who said what through a visually hidden CSS ::before (see chat.css);
    // being generated content, it stays out of the message's textContent.
    el.setAttribute('data-speaker', kind === 'bot' ? 'Assistant: ' : 'You: ');
    var p = document.createElement('p');
    p.className = 'msg-text';
    p.textContent = text;  // never innerHTML; CSS white-space: pre-line keeps line breaks
    el.appendChild(p);
    log.appendChild(el);
    return el;
  }

  function addNotice(text) {
    var p = document.createElement('p');
    p.className = 'notice';
    p.textContent = text;
    log.appendChild(p);
  }

  function addButtons(buttons, lang, dir) {
    var group = document.createElement('div');
    group.className = 'replies';
    group.lang = lang;
    group.dir = dir;
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Reply options');
    buttons.forEach(function (b) {
      if (!b || !b.title || !b.payload) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'reply-button';
      button.textContent = b.title;
      button.addEventListener('click', function () {
        // "See what will be shared" opens the review here; it is not a message to the assistant.
        if (b.payload === REVIEW_PAYLOAD) openReview(button);
        else send({ payload: b.payload }, b.title, null);
      });
      group.appendChild(button);
    });
    log.appendChild(group);
  }

  /* ---------- what will be shared (before consent) ---------- */

  function sharedPath(index) {
    var base = '/api/chat/sessions/' + encodeURIComponent(session.id) + '/shared';
    return index === undefined ? base : base + '/' + encodeURIComponent(index);
  }

  async function openReview(opener) {
    if (!session || busy) return;
    var r = await api('GET', sharedPath());
    if (r.status !== 200 || !r.data) { showError(detailText(r.data)); return; }
    renderReview(r.data, opener);
  }

  function renderReview(data, opener) {
    var old = $('review');
    if (old) old.parentNode.removeChild(old);
    var panel = document.createElement('section');
    panel.id = 'review';
    panel.className = 'review';
    panel.lang = data.language;
    panel.dir = data.dir;
    panel.setAttribute('aria-labelledby', 'review-intro');
    var intro = document.createElement('h2');
    intro.id = 'review-intro';
    intro.className = 'review-intro';
    intro.tabIndex = -1;
    intro.textContent = data.intro;
    panel.appendChild(intro);
    var list = document.createElement('ol');
    list.className = 'review-list';
    (data.turns || []).forEach(function (t) {
      var item = document.createElement('li');
      item.className = 'review-turn ' + t.role;
      var who = document.createElement('strong');
      who.textContent = (t.role === 'user' ? data.labels.you : data.labels.assistant) + ': ';
      var words = document.createElement('span');
      words.textContent = t.text;  // never innerHTML
      words.dir = 'auto';
      item.appendChild(who);
      item.appendChild(words);
      if (t.role === 'user') {
        var remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'review-remove';
        remove.textContent = data.labels.remove;
        remove.setAttribute('aria-label', data.labels.remove + ': ' + t.text.slice(0, 60));
        remove.addEventListener('click', async function () {
          var d = await api('DELETE', sharedPath(t.index));
          if (d.status === 200 && d.data) renderReview(d.data, opener);
          else showError(detailText(d.data));
        });
        item.appendChild(remove);
      }
      list.appendChild(item);
    });
    panel.appendChild(list);
    if (!data.her_messages) {
      var none = document.createElement('p');
      none.textContent = data.labels.none;
      panel.appendChild(none);
    }
    var done = document.createElement('button');
    done.type = 'button';
    done.className = 'reply-button review-done';
    done.textContent = data.labels.done;
    done.addEventListener('click', function () {
      panel.parentNode.removeChild(panel);
      if (opener && opener.focus) opener.focus();
    });
    panel.appendChild(done);
    log.appendChild(panel);
    intro.focus();
    scrollTo(intro, 'start');
  }

  function renderBot(messages, lang, dir) {
    if (!messages || !messages.length) return;
    // Older reply buttons stay usable but step back visually once the assistant has moved on.
    Array.prototype.forEach.call(log.querySelectorAll('.replies'), function (g) { g.classList.add('stale'); });
    var first = null;
    messages.forEach(function (m) {
      var el = addMessage('bot', String(m.text || ''), lang, dir);
      first = first || el;
      if (m.buttons && m.buttons.length) addButtons(m.buttons, lang, dir);
    });
    // Show the start of the reply: a long answer must be read from its top.
    scrollTo(first, 'start');
  }

  function scrollTo(el, block) {
    if (el && el.scrollIntoView) el.scrollIntoView({ block: block });
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    // aria-disabled, not disabled: disabling would throw keyboard focus off the button.
    sendButton.setAttribute('aria-disabled', on ? 'true' : 'false');
    if (on) scrollTo(typing, 'nearest');
  }

  function showError(text, invalidInput) {
    errorBox.textContent = text || '';
    errorBox.hidden = !text;
    if (invalidInput) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    if (text) scrollTo(errorBox, 'nearest');
  }

  /* ---------- API ---------- */

  // Resolves with {status, data}; rejects on network failure or timeout.
  function api(method, path, payload) {
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, REQUEST_TIMEOUT_MS) : null;
    return fetch(path, {
      method: method,
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify(payload),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: ctl ? ctl.signal : undefined
    }).then(function (res) {
      clearTimeout(timer);
      return res.json().catch(function () { return null; }).then(function (data) {
        return { status: res.status, data: data };
      });
    }, function (err) { clearTimeout(timer); throw err; });
  }

  // The page's own words (exit button, danger line, input) follow the conversation's language.
  function applyLanguage(data, lang, dir) {
    var ui = data.ui || {};
    if (ui.exit) exitButton.textContent = ui.exit;
    if (ui.title) $('page-title').textContent = ui.title;
    if (ui.danger) $('danger-line').textContent = ui.danger;
    if (ui.send) sendButton.textContent = ui.send;
    if (ui.placeholder) { input.placeholder = ui.placeholder; }
    [exitButton, $('page-title'), $('danger-line')].forEach(function (el) { el.lang = lang; el.dir = dir; });
    var notice = $('language-notice');
    notice.textContent = data.notice || '';
    notice.hidden = !data.notice;
    notice.lang = lang;
    notice.dir = dir;
    input.lang = lang;
    input.dir = dir;  // right-to-left languages type right to left
  }

  function messagesPath() { return '/api/chat/sessions/' + encodeURIComponent(session.id) + '/messages'; }

  async function startSession() {
    var r = await api('POST', '/api/chat/sessions', language ? { language: language } : {});
    if (r.status === 422 && language) {  // the remembered language is no longer offered
      language = null;
      r = await api('POST', '/api/chat/sessions', {});
    }
    if (r.status === 429 && r.data && r.data.messages) {
      renderBot(r.data.messages, r.data.language || 'en', r.data.dir || 'ltr');  // 999 and the helplines
      throw new Error('session: 429');
    }
    if (r.status !== 201 || !r.data || !r.data.session_id) throw new Error('session: ' + r.status);
    if (exiting) { erase(r.data.session_id); return; }  // answer arrived after a quick exit
    session = { id: r.data.session_id, language: r.data.language || 'en', dir: r.data.dir || 'ltr' };
    language = session.language;
    save();
    applyLanguage(r.data, session.language, session.dir);
    renderBot(r.data.messages, session.language, session.dir);
  }

  // FastAPI sends {"detail": "..."} or {"detail": [{"msg": "..."}, ...]}.
  function detailText(data) {
    var d = data && data.detail;
    if (typeof d === 'string' && d) return d;
    if (Array.isArray(d) && d[0] && d[0].msg) return String(d[0].msg);
    return 'please check it and try again';
  }

  function handleReply(data) {
    var lang = data.language || session.language, dir = data.dir || 'ltr';
    language = lang;
    if (data.session_ended) {
      // The user asked to delete the chat and the server has erased it: wipe the screen too and keep
      // only the confirmation. The next message starts a new session.
      session = null;
      forget();
      log.textContent = '';
    } else {
      session.language = lang;
      session.dir = dir;
      save();
    }
    applyLanguage(data, lang, dir);
    renderBot(data.messages, lang, dir);
  }

  /* ---------- sending ---------- */

  // body: {text} or {payload}; shown: what appears as the user's message;
  // typed: the text from the input (null for a reply button), put back if sending fails.
  async function send(body, shown, typed) {
    if (busy || exiting) return;
    setBusy(true);
    showError('');
    var mine = null;
    function fail(text, invalidInput) {
      if (mine && mine.parentNode) mine.parentNode.removeChild(mine);
      if (typed && !input.value) input.value = typed;  // keep what the user typed
      showError(text, invalidInput);
    }
    try {
      if (!session) await startSession();
      if (exiting) return;
      // Typed text may be in any script, so let the browser pick its direction.
      mine = addMessage('user', shown, session.language, typed ? 'auto' : session.dir);
      scrollTo(mine, 'nearest');
      var r = await api('POST', messagesPath(), body);
      if (r.status === 404) {
        // Expired (idle) or erased elsewhere: start afresh and send the message once more.
        session = null;
        forget();
        addNotice(RESTARTED);
        await startSession();
        if (exiting) return;
        r = await api('POST', messagesPath(), body);
      }
      if (exiting) return;
      if (r.status === 200 && r.data) handleReply(r.data);
      else if (r.status === 429 && r.data && r.data.messages) {
        // Too many messages from this connection: the refusal still says how to get help now, in her language.
        renderBot(r.data.messages, r.data.language || session.language, r.data.dir || session.dir);
        if (typed && !input.value) input.value = typed;  // kept, to send again in a moment
      }
      else if (r.status === 422) fail("We couldn't send that message: " + detailText(r.data) + '.', true);
      else fail(UNREACHABLE);
    } catch (e) {
      if (!exiting) fail(UNREACHABLE);
    } finally {
      if (!exiting) setBusy(false);
    }
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();  // never a real form submission: the text must not reach a URL or form history
    var text = input.value;
    if (busy || exiting || !text.trim()) return;
    input.value = '';
    send({ text: text }, text, text);
    input.focus();
  });

  /* ---------- start ---------- */

  async function init() {
    chat.hidden = false;
    // The server keeps no history for the browser, so a reload always starts a new session.
    // The old one is erased now rather than left to expire.
    var old = stored();
    forget();
    if (old && old.session_id) erase(old.session_id);
    if (old && old.language) language = old.language;
    setBusy(true);
    try {
      await startSession();
    } catch (e) {
      if (!exiting) showError(UNREACHABLE);
    } finally {
      if (!exiting) setBusy(false);
    }
  }

  init();
})();
