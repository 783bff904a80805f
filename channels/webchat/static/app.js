// The web chat client. Everything from the server is rendered with textContent / DOM nodes, never
// innerHTML, so shop data and shopper text can't inject markup. Protocol: channels/webchat/PROTOCOL.md
(function () {
  "use strict";
  var STORE = "chatshop.session";
  var log = document.getElementById("log");
  var input = document.getElementById("input");
  var statusDot = document.getElementById("status");
  var ws = null;
  var retry = 0;

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
  function scroll() { log.scrollTop = log.scrollHeight; }
  function add(node) { log.appendChild(node); scroll(); return node; }

  function button(b, primary) {
    var url = safeUrl(b.url);
    if (url) {
      var a = el("a", primary ? "primary" : "", b.label);
      a.href = url; a.target = "_blank"; a.rel = "noopener";
      return a;
    }
    var btn = el("button", primary ? "primary" : "", b.label);
    btn.type = "button";
    btn.addEventListener("click", function () { press(b); });
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
      if (r.variants && r.variants.length > 1) {
        body.appendChild(el("div", "muted", r.variant_prompt));
        var choices = el("div", "buttons");
        r.variants.forEach(function (v) {
          var b = button({ label: v.label + (v.available > 0 ? "" : " ✕"), payload: v.payload }, v.selected);
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
      var paging = el("div", "muted", r.page_label); paging.appendChild(buttons([r.previous, r.next]));
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
        qty.appendChild(button(line.decrease)); qty.appendChild(el("span", "", " " + line.quantity + " "));
        if (line.increase) qty.appendChild(button(line.increase));
        var total = el("td", "r", line.line_total);
        var remove = el("td", "r"); remove.appendChild(button(line.remove));
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
      input.placeholder = r.placeholder || "Type a message…";
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
      if (r.tracking_url) list.unshift({ label: "Tracking", url: r.tracking_url });
      box.appendChild(buttons(list));
      return box;
    },
    handoff: function (r) { var m = el("div", "handoff", r.text); m.appendChild(buttons(r.buttons)); return m; }
  };

  function showReply(r) {
    if (r.kind !== "form_step") input.placeholder = "Type a message…";
    var fn = render[r.kind];
    var node = fn ? fn(r) : el("div", "msg bot", r.text_fallback);
    if (node.nodeType === 1 && !node.dataset.kind) node.dataset.kind = r.kind;
    add(node);
  }
  function showUser(text) { add(el("div", "msg user", text)); }
  function showError(text) { add(el("div", "msg err", text)); }

  function send(obj) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    showError("Reconnecting…");
    return false;
  }
  function press(b) {
    if (!b.payload) return;
    showUser(b.label);
    send({ type: "button", payload: b.payload, label: b.label });
  }

  document.getElementById("composer").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (send({ type: "message", text: text })) { showUser(text); input.value = ""; }
  });

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/chat/ws");
    ws.onopen = function () {
      retry = 0;
      statusDot.className = "dot on"; statusDot.title = "connected";
      send({ type: "hello", session: localStorage.getItem(STORE), locale: navigator.language || null });
    };
    ws.onmessage = function (e) {
      var data; try { data = JSON.parse(e.data); } catch (err) { return; }
      if (data.type === "welcome") {
        localStorage.setItem(STORE, data.session);
        log.textContent = "";
        (data.history || []).forEach(function (h) { if (h.from === "user") showUser(h.text); else showReply(h.reply); });
      } else if (data.type === "replies" || data.type === "notification") {
        (data.replies || []).forEach(showReply);
      } else if (data.type === "error") {
        showError(data.message);
      }
    };
    ws.onclose = function () {
      statusDot.className = "dot"; statusDot.title = "reconnecting";
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry - 1));
    };
  }
  connect();
})();
