// Preview site behaviour, kept close to what Docusaurus does so the widget is tested against
// it: a light/dark toggle that sets html[data-theme] and remembers the choice, and client-side
// navigation that swaps the #__docusaurus root and pushes history without reloading the page.
(function () {
  "use strict";
  var root = document.documentElement;

  function setTheme(theme) {
    root.setAttribute("data-theme", theme);
    try {
      localStorage.setItem("theme", theme);
    } catch (e) {
      /* storage may be disabled */
    }
  }

  function sameSite(a) {
    if (!a || a.target || a.hasAttribute("download")) return false;
    var url = new URL(a.href, location.href);
    return url.origin === location.origin && !/\.[a-z0-9]+$/i.test(url.pathname.replace(/\/$/, "")) ;
  }

  function navigate(url, push) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok && r.status !== 404) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var next = doc.getElementById("__docusaurus");
        if (!next) throw new Error("not a site page");
        document.getElementById("__docusaurus").replaceChildren.apply(
          document.getElementById("__docusaurus"),
          Array.prototype.slice.call(next.childNodes).map(function (n) {
            return document.importNode(n, true);
          })
        );
        document.title = doc.title;
        if (push) history.pushState({ spa: true }, "", url);
        var hash = new URL(url, location.href).hash;
        var target = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
        if (target) target.scrollIntoView();
        else window.scrollTo(0, 0);
        document.dispatchEvent(new CustomEvent("preview:navigated", { detail: { url: url } }));
      })
      .catch(function () {
        location.href = url;
      });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".theme-toggle");
    if (toggle) {
      setTheme(root.getAttribute("data-theme") === "dark" ? "light" : "dark");
      return;
    }
    var a = event.target.closest && event.target.closest("a[href]");
    if (!a || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (!sameSite(a)) return;
    var url = new URL(a.href, location.href);
    if (url.pathname === location.pathname && url.hash) return;
    event.preventDefault();
    navigate(url.href, true);
  });

  window.addEventListener("popstate", function () {
    navigate(location.href, false);
  });
})();
