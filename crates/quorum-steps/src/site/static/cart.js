// A shop's cart, kept in this browser (localStorage) until the order is placed: product
// pages add to it, the cart page lists it and fills the checkout form's hidden fields. The
// server prices the order again from its own catalogue; what is sent here is only a wish.
(function () {
  "use strict";

  var nameTag = document.querySelector('meta[property="og:site_name"]');
  var storeKey = "quorum-cart:" + (nameTag ? nameTag.getAttribute("content") : location.pathname);

  function load() {
    try {
      var cart = JSON.parse(window.localStorage.getItem(storeKey) || "null");
      if (cart && Array.isArray(cart.lines) && typeof cart.key === "string") {
        return cart;
      }
    } catch (e) {
      // A cart this script cannot read is started again.
    }
    return { key: newKey(), lines: [] };
  }

  function save(cart) {
    try {
      window.localStorage.setItem(storeKey, JSON.stringify(cart));
    } catch (e) {
      // Private windows may refuse storage: the cart then lasts as long as the page.
    }
  }

  // One key per cart, so an order sent twice (a double click, a retry) is one order.
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function sameOptions(a, b) {
    var keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every(function (k) { return a[k] === b[k]; });
  }

  // The confirmation page: the order is placed, the cart is done with.
  if (document.querySelector("[data-order-placed]")) {
    try {
      window.localStorage.removeItem(storeKey);
    } catch (e) {
      // Nothing to clear.
    }
    return;
  }

  var forms = document.querySelectorAll("form.add-to-cart");
  for (var i = 0; i < forms.length; i++) {
    forms[i].hidden = false;
    forms[i].addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      var options = {};
      var selects = form.querySelectorAll("select");
      for (var s = 0; s < selects.length; s++) {
        options[selects[s].name] = selects[s].value;
      }
      var quantity = Math.max(1, Math.min(99, parseInt(form.elements.quantity.value, 10) || 1));
      var cart = load();
      var product = form.getAttribute("data-product");
      var line = cart.lines.filter(function (l) {
        return l.product === product && sameOptions(l.options, options);
      })[0];
      if (line) {
        line.quantity = Math.min(99, line.quantity + quantity);
      } else {
        cart.lines.push({ product: product, options: options, quantity: quantity });
      }
      save(cart);
      form.querySelector(".cart-status").textContent = form.getAttribute("data-added");
    });
  }

  var box = document.querySelector("div.cart");
  var data = document.getElementById("store-catalog");
  var checkout = document.querySelector("form.checkout");
  if (!box || !data || !checkout) {
    return;
  }
  var catalogue = JSON.parse(data.textContent);
  var bySlug = {};
  catalogue.products.forEach(function (p) { bySlug[p.slug] = p; });

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function render() {
    var cart = load();
    // Lines of products the shop no longer sells are dropped.
    cart.lines = cart.lines.filter(function (l) { return bySlug[l.product]; });
    save(cart);
    box.textContent = "";
    var button = checkout.querySelector("button[type=submit]");
    checkout.elements.cart.value = JSON.stringify(cart.lines.map(function (l) {
      return { product: l.product, options: l.options, quantity: l.quantity, price: bySlug[l.product].price };
    }));
    checkout.elements.idempotency_key.value = cart.key;
    button.disabled = cart.lines.length === 0;
    if (cart.lines.length === 0) {
      box.appendChild(el("p", box.getAttribute("data-empty")));
      return;
    }
    var table = el("table");
    table.className = "comparison cart-lines";
    var body = el("tbody");
    var total = 0;
    cart.lines.forEach(function (line, index) {
      var product = bySlug[line.product];
      var row = el("tr");
      var name = el("th", product.name);
      name.setAttribute("scope", "row");
      Object.keys(line.options).forEach(function (k) {
        name.appendChild(el("br"));
        name.appendChild(el("span", k + ": " + line.options[k]));
      });
      row.appendChild(name);
      var cell = el("td");
      var quantity = el("input");
      quantity.type = "number";
      quantity.min = "1";
      quantity.max = "99";
      quantity.value = String(line.quantity);
      quantity.setAttribute("aria-label", product.name + " ×");
      quantity.addEventListener("change", function () {
        var c = load();
        c.lines[index].quantity = Math.max(1, Math.min(99, parseInt(quantity.value, 10) || 1));
        save(c);
        render();
      });
      cell.appendChild(quantity);
      row.appendChild(cell);
      row.appendChild(el("td", product.shown + " × " + line.quantity));
      var remove = el("button", box.getAttribute("data-remove"));
      remove.type = "button";
      remove.className = "button button-secondary";
      var hidden = el("span", " " + product.name);
      hidden.className = "visually-hidden";
      remove.appendChild(hidden);
      remove.addEventListener("click", function () {
        var c = load();
        c.lines.splice(index, 1);
        save(c);
        render();
      });
      var removeCell = el("td");
      removeCell.appendChild(remove);
      row.appendChild(removeCell);
      body.appendChild(row);
      total += product.price * line.quantity;
    });
    table.appendChild(body);
    box.appendChild(table);
    var sum = el("p");
    sum.className = "cart-total";
    sum.appendChild(el("strong", box.getAttribute("data-total") + ": "));
    sum.appendChild(document.createTextNode(money(total)));
    box.appendChild(sum);
  }

  // The total as the page writes prices: the first product's shown price tells the format.
  function money(minor) {
    var sample = catalogue.products[0];
    var exponent = catalogue.exponent;
    var digits = (minor / Math.pow(10, exponent)).toFixed(exponent);
    var shown = sample.shown;
    var decimal = shown.indexOf(",") > shown.indexOf(".") ? "," : ".";
    var amount = decimal === "," ? digits.replace(".", ",") : digits;
    return shown.replace(/[0-9]([0-9.,\u00a0\u202f ]*[0-9])?/, amount);
  }

  render();
})();
