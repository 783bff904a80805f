// The web chat client. Everything from the server is rendered with textContent / DOM nodes, never
// innerHTML, so shop data and shopper text can't inject markup. Protocol: channels/webchat/PROTOCOL.md
(function () {
  "use strict";
  var STORE = "chatshop.session";
  var log = document.getElementById("log");
  var input = document.getElementById("input");
  var statusDot = document.getElementById("status");
  var note = document.getElementById("note");
  var ws = null;
  var retry = 0;
  var restarting = false;  // the server said it is restarting: come back soon, not after a long backoff
  var notices = {};        // ids of the notices on screen (one can arrive live and again as news)
  var banner = null;       // "Reconnecting…" while the socket is down
  var limit = 2000;        // characters per message; the server says in its welcome
  var sent = {};           // frame id -> the bubble of a message on its way (marked "not sent" if refused)
  var picking = {};        // frame id -> the card an option was picked on, until it is redrawn
  var serial = 0;
  var pickerIds = 0;       // ids that tie an option picker to its name, for screen readers
  var typing = null;       // the "typing…" bubble while an answer is on its way
  var typingTimer = null;
  // The page speaks the shopper's language as the server decides it for each message: Chinese when the
  // shopper typed Chinese, otherwise the locale sent in hello (the embedding page's ?lang=, else the
  // browser's). Only our own words here; everything the bot says comes translated from the server.
  var HELLO_LOCALE = (/[?&]lang=([\w-]{2,35})/.exec(location.search) || [])[1] || navigator.language || null;
  var CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
  // Our words in each language, from the shop's catalogs (/chat/words.js, loaded before this script);
  // ``tooLong`` has {n} and {max} to fill.
  var WORDS = window.CHATSHOP_WORDS;
  var TEXTS = WORDS.en;
  var RECONNECTING = TEXTS.reconnecting;
  var TYPING = TEXTS.typing;
  function languageOf(typed) {
    if (typed && CJK.test(typed)) return "zh";
    return String(HELLO_LOCALE || "").toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
  }
  // Header, hint, Send and the lang attribute in the language of the last message the shopper typed.
  function localise(typed) {
    var next = WORDS[languageOf(typed)];
    var hinting = input.placeholder === TEXTS.hint || !input.placeholder;
    TEXTS = next; RECONNECTING = next.reconnecting; TYPING = next.typing;
    document.documentElement.lang = next.lang;
    document.title = next.title;
    document.querySelector("#chat header h1").textContent = next.header;
    document.getElementById("send").textContent = next.send;
    document.getElementById("close").setAttribute("aria-label", next.close);
    input.setAttribute("aria-label", next.message);
    if (hinting) input.placeholder = next.hint;  // a form step's own example stays
    if (banner) banner.textContent = next.reconnecting;
    if (statusDot.className === "dot") statusDot.title = banner ? next.reconnecting : next.connecting;
    else statusDot.title = next.connected;
  }

  // The session token survives a reload in localStorage. A browser that blocks storage for a chat embedded
  // in another site (third-party storage) throws on any access: the chat then works, for this visit only.
  var memory = {};
  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return memory[k] || null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { memory[k] = v; } }
  };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function safeUrl(url) {
    if (typeof url !== "string") return null;
    if (/^https?:\/\//i.test(url) || (url.charAt(0) === "/" && url.charAt(1) !== "/")) return url;
    return null;
  }
  // Show the newest message: scrolled to the end, unless that would hide the start of it (a tall
  // product card), then from its start — the person scrolls on to read the rest.
  function reveal(first) {
    var end = log.scrollHeight - log.clientHeight;
    var start = first && first.parentNode === log ? first.offsetTop - 8 : end;
    log.scrollTop = Math.max(0, Math.min(end, start));
  }
  // Messages go above the typing indicator, which stays last while it shows.
  function add(node) { log.insertBefore(node, typing && typing.parentNode === log ? typing : null); return node; }

  function button(b, primary) {
    var url = safeUrl(b.url);
    if (url) {
      var a = el("a", primary ? "primary" : "", b.label);
      a.href = url; a.target = "_blank"; a.rel = "noopener";
      return a;
    }
    var btn = el("button", primary ? "primary" : "", b.label);
    btn.type = "button";
    btn.addEventListener("click", function () { if (b.inPlace) pick(b, btn); else press(b); });
    return btn;
  }
  function buttons(list, firstPrimary) {
    var box = el("div", "buttons");
    (list || []).forEach(function (b, i) { if (b) box.appendChild(button(b, firstPrimary && i === 0)); });
    return box;
  }
  function image(src, alt) {
    var url = safeUrl(src);
    var img = el("img");
    img.alt = alt || "";
    if (url) img.src = url;
    return img;
  }

  // One product in a horizontal list (search results, a campaign's featured products).
  function productCard(item) {
    var card = el("div", "card"); card.appendChild(image(item.image, item.name));
    var body = el("div", "body");
    body.appendChild(el("h3", "", item.name)); body.appendChild(el("div", "price", item.price));
    body.appendChild(el("div", "muted", item.stock)); body.appendChild(buttons([item.button], true));
    card.appendChild(body);
    return card;
  }

  var render = {
    text: function (r) { return el("div", "msg bot", r.text); },
    buttons: function (r) { var m = el("div", "msg bot", r.text); m.appendChild(buttons(r.buttons)); return m; },
    // A campaign message: its formatting arrives as spans (text + bold/italic/link), built into nodes here.
    promotion: function (r) {
      var m = el("div", "msg bot promo"); m.dataset.kind = "promotion";
      if (r.image) m.appendChild(image(r.image, ""));
      var text = el("div", "promo-text");
      (r.spans || []).forEach(function (s) {
        if (!s || typeof s.text !== "string") return;
        if (s.text === "\n") { text.appendChild(el("br")); return; }
        var node = document.createTextNode(s.text);
        if (s.italic) { var em = el("em"); em.appendChild(node); node = em; }
        if (s.bold) { var strong = el("strong"); strong.appendChild(node); node = strong; }
        var url = safeUrl(s.href);
        if (url) { var a = el("a"); a.href = url; a.target = "_blank"; a.rel = "noopener"; a.appendChild(node); node = a; }
        text.appendChild(node);
      });
      m.appendChild(text);
      if (r.code_text) m.appendChild(el("div", "promo-code", r.code_text));
      var frag = document.createDocumentFragment(); frag.appendChild(m);
      if ((r.products || []).length) {
        var list = el("div", "list"); list.dataset.kind = "promotion_products";
        r.products.forEach(function (item) { list.appendChild(productCard(item)); });
        frag.appendChild(list);
      }
      var unsubscribe = el("div", "msg bot"); unsubscribe.appendChild(buttons(r.buttons));
      frag.appendChild(unsubscribe);
      return frag;
    },
    product_card: function (r) {
      var card = el("div", "card"); card.dataset.kind = "product_card";
      card.appendChild(image(r.image, r.name));
      var body = el("div", "body");
      body.appendChild(el("h3", "", r.name));
      body.appendChild(el("div", "price", r.price));
      body.appendChild(el("div", "muted", r.stock));
      if (r.description) body.appendChild(el("p", "muted", r.description));
      // Option pickers: colour, then the sizes of that colour. A sold-out value is shown, disabled.
      if (r.pickers && r.pickers.length) {
        body.appendChild(el("div", "muted", r.variant_prompt));
        var pickers = el("div", "pickers"); pickers.dataset.kind = "pickers";
        r.pickers.forEach(function (p) {
          var group = el("div", "picker"); group.setAttribute("role", "group");
          var name = el("div", "label muted", p.name); name.id = "pick-" + (++pickerIds);
          group.setAttribute("aria-labelledby", name.id);
          group.appendChild(name);
          var row = el("div", "buttons");
          (p.values || []).forEach(function (v) {
            var b = button({ label: v.label, payload: v.payload, inPlace: true }, v.selected);
            b.setAttribute("aria-pressed", v.selected ? "true" : "false");
            // Sold out: drawn as unavailable, but still pressable (as Telegram's ✕ value is): chosen, the
            // card says it is out of stock and offers "Notify me when it's back".
            if (!v.available) {
              b.classList.add("sold-out"); b.title = TEXTS.soldOutNotify;
              b.setAttribute("aria-label", v.label + " (" + TEXTS.soldOut + ")");
            }
            row.appendChild(b);
          });
          group.appendChild(row); pickers.appendChild(group);
        });
        body.appendChild(pickers);
      }
      if (r.variants && r.variants.length > 1) {
        body.appendChild(el("div", "muted", r.variant_prompt));
        var choices = el("div", "buttons");
        r.variants.forEach(function (v) {
          var b = button({ label: v.label + (v.available > 0 ? "" : " ✕"), payload: v.payload, inPlace: true }, v.selected);
          choices.appendChild(b);
        });
        body.appendChild(choices);
      }
      body.appendChild(buttons(r.buttons, true));
      card.appendChild(body);
      return card;
    },
    product_list: function (r) {
      var wrap = el("div", "msg bot"); wrap.appendChild(el("div", "", r.title));
      var frag = document.createDocumentFragment(); frag.appendChild(wrap);
      var list = el("div", "list"); list.dataset.kind = "product_list";
      r.items.forEach(function (item) { list.appendChild(productCard(item)); });
      frag.appendChild(list);
      // Previous / More show the other page in place of this one (as on Telegram).
      var pages = [r.previous, r.next].map(function (b) { return b ? { label: b.label, payload: b.payload, inPlace: true } : b; });
      var paging = el("div", "muted", r.page_label); paging.appendChild(buttons(pages));
      frag.appendChild(paging);
      return frag;
    },
    cart: function (r) {
      var box = el("div", "cart"); box.dataset.kind = "cart";
      box.appendChild(el("strong", "", r.title));
      var table = el("table");
      r.lines.forEach(function (line) {
        var tr = el("tr");
        var name = el("td", "", line.name); if (line.problem) name.appendChild(el("div", "muted", line.problem));
        var qty = el("td", "qty");
        // −, + and Remove redraw this cart where it is (as on Telegram), not a new cart per press.
        function here(b) { return b ? { label: b.label, payload: b.payload, url: b.url, inPlace: true } : b; }
        qty.appendChild(button(here(line.decrease))); qty.appendChild(el("span", "", " " + line.quantity + " "));
        if (line.increase) qty.appendChild(button(here(line.increase)));
        var total = el("td", "r", line.line_total);
        var remove = el("td", "r"); remove.appendChild(button(here(line.remove)));
        tr.appendChild(name); tr.appendChild(qty); tr.appendChild(total); tr.appendChild(remove); table.appendChild(tr);
      });
      r.totals.forEach(function (row) {
        var tr = el("tr"); tr.appendChild(el("td", "muted", row[0])); tr.appendChild(el("td"));
        tr.appendChild(el("td", "r", row[1])); table.appendChild(tr);
      });
      box.appendChild(table);
      if (r.note) box.appendChild(el("div", "muted", r.note));
      box.appendChild(buttons(r.buttons, true));
      return box;
    },
    form_step: function (r) {
      var m = el("div", "msg bot");
      if (r.error) m.appendChild(el("div", "err", r.error));
      m.appendChild(el("div", "step", r.step + " / " + r.steps));
      m.appendChild(el("div", "", r.prompt));
      m.appendChild(buttons(r.buttons));
      input.placeholder = r.placeholder || TEXTS.hint;
      input.focus();
      return m;
    },
    payment_link: function (r) {
      var box = el("div", "pay"); box.dataset.kind = "payment_link";
      box.appendChild(el("div", "", r.text));
      box.appendChild(buttons([{ label: r.button_label, url: r.url }], true));
      box.appendChild(el("div", "muted", r.expires_text));
      return box;
    },
    order_status: function (r) {
      var box = el("div", "status"); box.dataset.kind = "order_status";
      box.appendChild(el("strong", "", r.title + ": " + r.status_text));
      r.lines.forEach(function (l) { box.appendChild(el("div", "muted", l)); });
      box.appendChild(el("div", "", r.total));
      var list = (r.buttons || []).slice();
      if (r.tracking_url) list.unshift({ label: TEXTS.tracking, url: r.tracking_url });
      box.appendChild(buttons(list));
      return box;
    },
    handoff: function (r) { var m = el("div", "handoff", r.text); m.appendChild(buttons(r.buttons)); return m; }
  };

  // A support agent's message, "{author} (support): {text}" (or its Chinese form), shown as a person:
  // avatar initial, name, role, then the text.
  var AGENT = /^([^\n:：]{1,60}?)(?: \((support)\): |（(客服)）：)([\s\S]*)$/;
  function agentMessage(r) {
    var m = AGENT.exec(r.text || "");
    if (!m) return null;
    var name = m[1].trim();
    var box = el("div", "msg agent"); box.dataset.kind = "agent";
    var who = el("div", "who");
    var avatar = el("span", "avatar", Array.from(name)[0].toUpperCase()); avatar.setAttribute("aria-hidden", "true");
    who.appendChild(avatar); who.appendChild(el("span", "name", name)); who.appendChild(el("span", "role", m[2] || m[3]));
    box.appendChild(who); box.appendChild(el("div", "", m[4]));
    return box;
  }

  // ``mid`` names the answer, so a later one can redraw it in place (``replace``: an option picked on a
  // product card comes back as that card, changed — one card, as on Telegram).
  function build(r, notice) {
    if (r.kind !== "form_step") input.placeholder = TEXTS.hint;
    var node = notice && r.kind === "text" ? agentMessage(r) : null;
    if (!node) { var fn = render[r.kind]; node = fn ? fn(r) : el("div", "msg bot", r.text_fallback); }
    if (node.nodeType === 1 && !node.dataset.kind) node.dataset.kind = r.kind;
    return node;
  }
  // Every part of a reply drawn as several nodes (a list: its title, its cards, its paging) carries its id.
  function tag(node, mid) {
    var parts = node.nodeType === 11 ? Array.prototype.slice.call(node.childNodes) : [node];
    parts.forEach(function (n) { if (mid && n.nodeType === 1) n.dataset.mid = mid; });
    return parts;
  }
  function showReply(r, notice, mid) {
    var node = build(r, notice);
    var first = tag(node, mid)[0];
    add(node);
    return first;
  }
  function showReplies(list, notice, mids) {
    var first = null;
    (list || []).forEach(function (r, i) { var n = showReply(r, notice, (mids || [])[i]); first = first || n; });
    return first;
  }
  function shown(mid) {
    return Array.prototype.filter.call(log.children, function (n) { return n.dataset && n.dataset.mid === mid; });
  }
  // Redraw a message where it is; the card stays where the person was looking, its new end brought into
  // view (the sizes that appear under the colours, "Add to cart") without pushing its top out.
  function redraw(mid, r) {
    var old = shown(mid);
    if (!old.length) return showReply(r, false, mid);
    var node = build(r, false);
    var parts = tag(node, mid);
    log.insertBefore(node, old[0]);
    old.forEach(function (n) { log.removeChild(n); });
    var first = parts[0], last = parts[parts.length - 1];
    var top = first.offsetTop - 8, bottom = last.offsetTop + last.offsetHeight + 8;
    var scroll = log.scrollTop;
    if (bottom > scroll + log.clientHeight) scroll = bottom - log.clientHeight;
    if (top < scroll) scroll = top;
    log.scrollTop = Math.max(0, scroll);
    return null;
  }
  function showUser(text, ref) {
    var bubble = add(el("div", "msg user", text));
    if (ref) { bubble.classList.add("sending"); sent[ref] = bubble; }
    return bubble;
  }
  function showError(text) { return add(el("div", "msg err", text)); }

  function showTyping() {
    if (!typing) {
      typing = el("div", "msg bot typing"); typing.setAttribute("role", "status");
      typing.appendChild(el("span", "dots")); typing.appendChild(el("span", "", TYPING));
    }
    log.appendChild(typing);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 20000);  // never left spinning if an answer is lost
    reveal(typing);
  }
  function hideTyping() {
    clearTimeout(typingTimer);
    if (typing && typing.parentNode) typing.parentNode.removeChild(typing);
  }

  // A refused message stays where it was typed, marked "not sent", with a way to send it again.
  function notSent(bubble, reason, frame) {
    bubble.classList.remove("sending"); bubble.classList.add("failed");
    var mark = el("div", "failed-note", TEXTS.notSent + reason + " ");
    var again = el("button", "retry", TEXTS.tryAgain); again.type = "button";
    again.addEventListener("click", function () {
      bubble.parentNode.removeChild(bubble); mark.parentNode.removeChild(mark);
      if (frame.type === "message") submit(frame.text); else press({ payload: frame.payload, label: frame.label });
    });
    mark.appendChild(again);
    log.insertBefore(mark, bubble.nextSibling);
    bubble.frame = frame;
  }

  function send(obj) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    offline(true);  // what was typed stays in the box, to send once the chat is back
    return false;
  }
  function nextId() { serial += 1; return "m" + serial + "-" + Date.now().toString(36); }
  function ask(frame, shown) {
    frame.id = nextId();
    if (!send(frame)) return false;
    var bubble = showUser(shown, frame.id); bubble.frame = frame;
    showTyping();
    reveal(bubble);
    return true;
  }
  function press(b) {
    if (!b.payload) return;
    ask({ type: "button", payload: b.payload, label: b.label }, b.label);
  }
  // An option picked on a card (or a cart line changed): nothing is said (no bubble); the card shows it is
  // busy until its new self arrives (``replace``), or says why not (an ``error`` for this frame).
  function pick(b, btn) {
    var card = btn.closest("[data-mid]");
    if (!card || !card.dataset.mid) { press(b); return; }
    if (card.getAttribute("aria-busy") === "true") return;  // one pick at a time per card
    var frame = { type: "button", payload: b.payload, label: b.label, in: card.dataset.mid, id: nextId() };
    if (!send(frame)) return;
    card.setAttribute("aria-busy", "true"); btn.classList.add("pending");
    picking[frame.id] = card;
  }
  function picked(ref) {
    var card = ref && picking[ref];
    if (!card) return null;
    delete picking[ref];
    card.removeAttribute("aria-busy");
    Array.prototype.forEach.call(card.querySelectorAll(".pending"), function (n) { n.classList.remove("pending"); });
    return card;
  }
  function length(text) { return Array.from(text).length; }  // characters, as the server counts them
  function tooLong(text) {
    var n = length(text);
    if (n <= limit) { note.textContent = ""; note.hidden = true; return false; }
    note.textContent = TEXTS.tooLong.replace("{n}", n).replace("{max}", limit);
    note.hidden = false;
    return true;
  }
  function submit(text) {
    if (tooLong(text)) return false;
    localise(text);
    return ask({ type: "message", text: text }, text);
  }

  document.getElementById("composer").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (submit(text)) input.value = "";
  });
  input.addEventListener("input", function () { tooLong(input.value.trim()); });

  // Inside the embed (widget.js), a close control hides the chat on the host page.
  if (/[?&]embed=1\b/.test(location.search) && window.parent !== window) {
    var close = document.getElementById("close");
    close.hidden = false;
    close.addEventListener("click", function () { window.parent.postMessage({ chatshop: "close" }, "*"); });
  }

  // A banner under the header while the socket is down (a restart, a lost network); the chat comes back
  // with its history once the server welcomes it again.
  function offline(down) {
    if (down && !banner) {
      banner = el("div", "reconnecting", RECONNECTING);
      banner.setAttribute("role", "status");
      banner.style.cssText = "flex:none;padding:.4rem 1rem;background:#fef3c7;color:#92400e;font-size:.85rem;text-align:center";
      log.parentNode.insertBefore(banner, log);
    }
    if (!down && banner) { banner.parentNode.removeChild(banner); banner = null; }
    statusDot.className = down ? "dot" : "dot on"; statusDot.title = down ? TEXTS.reconnecting : TEXTS.connected;
  }

  // The history replaces what is shown. A message still on its way when the connection dropped, and not in
  // the history (never answered), is shown again as not sent, with Try again.
  function welcome(data) {
    store.set(STORE, data.session);
    if (data.limits && data.limits.max_message_chars > 0) limit = data.limits.max_message_chars;
    var history = data.history || [];
    var heard = history.slice(-6).filter(function (h) { return h.from === "user"; }).map(function (h) { return h.text; });
    var lost = Object.keys(sent).map(function (ref) { return sent[ref].frame; }).filter(function (frame) {
      return frame && heard.indexOf(frame.type === "message" ? frame.text : frame.label) < 0;
    });
    hideTyping(); sent = {}; notices = {}; picking = {};
    log.textContent = "";
    var typed = history.filter(function (h) { return h.from === "user"; }).pop();
    localise(typed ? typed.text : null);
    history.forEach(function (h) {
      if (h.from === "user") { showUser(h.text); return; }
      if (h.id) notices[h.id] = true;
      showReply(h.reply, h.notice, h.mid);
    });
    lost.forEach(function (frame) {
      var bubble = showUser(frame.type === "message" ? frame.text : frame.label || "");
      notSent(bubble, TEXTS.lost, frame);
    });
    offline(false);
    reveal(null);
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/chat/ws");
    ws.onopen = function () {
      retry = 0; restarting = false;
      send({ type: "hello", session: store.get(STORE), locale: HELLO_LOCALE });
    };
    ws.onmessage = function (e) {
      var data; try { data = JSON.parse(e.data); } catch (err) { return; }
      var first = null;
      if (data.type === "welcome") { welcome(data); return; }
      if (data.type === "restarting") { restarting = true; hideTyping(); offline(true); return; }
      if (data.type === "notification" && data.id) {
        if (notices[data.id]) return;  // shown already (it came live while it was also kept as news)
        notices[data.id] = true;
      }
      if (data.type === "replies" || data.type === "notification") {
        if (data.type === "replies") {
          hideTyping();
          var mine = data.ref && sent[data.ref];
          if (mine) { mine.classList.remove("sending"); delete sent[data.ref]; }
          picked(data.ref);
        }
        if (data.type === "replies" && data.replace && (data.replies || []).length === 1) {
          redraw(data.replace, data.replies[0]);
          return;
        }
        first = showReplies(data.replies, data.type === "notification", data.type === "replies" ? data.mids : null);
      } else if (data.type === "user") {  // said in another tab of this chat
        localise(data.text);
        first = showUser(data.text);
      } else if (data.type === "typing") {
        showTyping(); return;
      } else if (data.type === "error") {
        var bubble = data.ref && sent[data.ref];
        if (picked(data.ref)) {
          first = showError(data.message);
        } else if (bubble) {
          hideTyping(); delete sent[data.ref];
          notSent(bubble, data.message, bubble.frame);
          first = bubble;
        } else {
          first = showError(data.message);
        }
      }
      if (first) reveal(first);
    };
    ws.onclose = function (e) {
      offline(true);
      // After a restart (1012, or told so) the next server is usually there within a second or two: try
      // soon, spread out so a thousand widgets don't knock at once; otherwise back off up to 16 s.
      var soon = restarting || (e && e.code === 1012);
      retry = Math.min(retry + 1, 6);
      var delay = soon && retry <= 2 ? 250 + Math.random() * 750 : 500 * Math.pow(2, retry - 1);
      setTimeout(connect, delay);
    };
  }
  localise(null);
  connect();
})();
