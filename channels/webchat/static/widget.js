// Embed the shop chat on any page:  <script src="https://SHOP/chat/widget.js" async></script>
// Adds a round button in the corner that opens the chat in an iframe (add the page's origin to
// CHATSHOP_WEBCHAT_ALLOWED_ORIGINS only if you open the socket from your own page instead).
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? new URL(script.src).origin : "";
  var frame = null;
  var open = false;
  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", "Chat with the shop");
  button.textContent = "💬";
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;width:3.5rem;height:3.5rem;border-radius:50%;" +
    "border:0;background:#635bff;color:#fff;font-size:1.6rem;box-shadow:0 4px 12px #0003;cursor:pointer;z-index:2147483646";
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = base + "/chat";
      frame.title = "Shop chat";
      frame.style.cssText = "position:fixed;right:1rem;bottom:5rem;width:min(24rem,calc(100vw - 2rem));" +
        "height:min(36rem,calc(100vh - 7rem));border:0;border-radius:16px;box-shadow:0 8px 24px #0004;" +
        "z-index:2147483647;background:#fff";
      document.body.appendChild(frame);
    }
    open = !open;
    frame.style.display = open ? "block" : "none";
  });
  document.body.appendChild(button);
})();
