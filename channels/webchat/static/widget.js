// Embed the shop chat on any page:  <script src="https://SHOP/chat/widget.js" async></script>
// Adds a round button in the corner that opens the chat in an iframe (add the page's origin to
// CHATSHOP_WEBCHAT_ALLOWED_ORIGINS only if you open the socket from your own page instead).
// The button and the chat's own close control (×, in its header) both close it again.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? new URL(script.src).origin : "";
  var SVG = "http://www.w3.org/2000/svg";
  // Drawn inline (no emoji: those render differently on every system, or not at all).
  var CHAT_ICON = "M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4A2.5 2.5 0 0 1 3 13.5z";
  var CLOSE_ICON = "M6 6l12 12M18 6L6 18";
  var frame = null;
  var open = false;
  // The host page's language (its <html lang>, else the browser's) is the chat's: passed on as ?lang=.
  var LANG = document.documentElement.lang || navigator.language || "";
  var ZH = LANG.toLowerCase().indexOf("zh") === 0;
  var WORDS = ZH ? { title: "商店聊天", open: "与商店聊天", close: "关闭聊天" }
                 : { title: "Shop chat", open: "Chat with the shop", close: "Close the chat" };

  function icon(path, filled) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("width", "26"); svg.setAttribute("height", "26");
    svg.setAttribute("aria-hidden", "true");
    var p = document.createElementNS(SVG, "path");
    p.setAttribute("d", path);
    if (filled) { p.setAttribute("fill", "currentColor"); }
    else { p.setAttribute("fill", "none"); p.setAttribute("stroke", "currentColor"); p.setAttribute("stroke-width", "2.4"); p.setAttribute("stroke-linecap", "round"); }
    svg.appendChild(p);
    return svg;
  }

  var button = document.createElement("button");
  button.type = "button";
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;width:3.5rem;height:3.5rem;border-radius:50%;" +
    "border:0;background:#635bff;color:#fff;box-shadow:0 4px 12px #0003;cursor:pointer;z-index:2147483646;" +
    "display:grid;place-items:center;padding:0";

  function show(next) {
    open = next;
    if (open && !frame) {
      frame = document.createElement("iframe");
      frame.src = base + "/chat?embed=1" + (LANG ? "&lang=" + encodeURIComponent(LANG) : "");
      frame.title = WORDS.title;
      frame.style.cssText = "position:fixed;right:1rem;bottom:5rem;width:min(24rem,calc(100vw - 2rem));" +
        "height:min(36rem,calc(100vh - 7rem));border:0;border-radius:16px;box-shadow:0 8px 24px #0004;" +
        "z-index:2147483647;background:#fff";
      document.body.appendChild(frame);
    }
    if (frame) frame.style.display = open ? "block" : "none";
    button.textContent = "";
    button.appendChild(open ? icon(CLOSE_ICON, false) : icon(CHAT_ICON, true));
    button.setAttribute("aria-label", open ? WORDS.close : WORDS.open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  button.addEventListener("click", function () { show(!open); });
  // The chat's own × (inside the iframe) asks to be closed; only our chat may ask.
  window.addEventListener("message", function (e) {
    if (frame && e.source === frame.contentWindow && e.origin === base && e.data && e.data.chatshop === "close") {
      show(false);
      button.focus();
    }
  });
  show(false);
  document.body.appendChild(button);
})();
