/**
 * The /docs page's script and style: a small API explorer in the spirit of Swagger UI, served by
 * the gateway itself (no CDN): it reads each service's OpenAPI document, lists its operations, and
 * sends a "try it" request through the gateway with the parameters, body, bearer token and API key
 * typed in. No inline script or style, so /docs runs under a strict Content-Security-Policy.
 */
export const DOCS_SCRIPT = String.raw`"use strict";
(function () {
  var auth = { token: "", apiKey: "" };
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "onclick") node.addEventListener("click", attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function resolveRef(doc, schema) {
    var seen = 0;
    while (schema && schema.$ref && seen++ < 10) {
      schema = schema.$ref.replace(/^#\//, "").split("/").reduce(function (o, k) { return o && o[k]; }, doc);
    }
    return schema;
  }
  function example(doc, schema, depth) {
    schema = resolveRef(doc, schema) || {};
    if (depth > 6) return null;
    if (schema.example !== undefined) return schema.example;
    if (schema.default !== undefined) return schema.default;
    if (schema.enum) return schema.enum[0];
    if (schema.anyOf || schema.oneOf) return example(doc, (schema.anyOf || schema.oneOf)[0], depth + 1);
    var type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (type === "object" || schema.properties) {
      var out = {};
      Object.keys(schema.properties || {}).forEach(function (k) { out[k] = example(doc, schema.properties[k], depth + 1); });
      return out;
    }
    if (type === "array") return [example(doc, schema.items, depth + 1)];
    if (type === "integer" || type === "number") return 0;
    if (type === "boolean") return false;
    if (schema.format === "uuid") return "00000000-0000-7000-8000-000000000000";
    return type === "string" ? "string" : null;
  }
  function operationView(doc, path, method, op) {
    var params = (op.parameters || []).map(function (p) { return resolveRef(doc, p); });
    var inputs = {};
    var rows = params.map(function (p) {
      var input = el("input", { name: p.name, placeholder: p.in + (p.required ? " (required)" : "") });
      inputs[p.in + ":" + p.name] = input;
      return el("label", {}, [el("span", { text: p.name }), input]);
    });
    var jsonBody = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
    var body = jsonBody
      ? el("textarea", { rows: "8" }, [document.createTextNode(JSON.stringify(example(doc, jsonBody.schema, 0), null, 2))])
      : null;
    var output = el("pre", { class: "response" });
    function send() {
      var url = path.replace(/\{([^}]+)\}/g, function (_, name) {
        var input = inputs["path:" + name];
        return encodeURIComponent(input ? input.value : "");
      });
      var query = new URLSearchParams();
      params.forEach(function (p) {
        var v = inputs[p.in + ":" + p.name].value;
        if (p.in === "query" && v !== "") query.append(p.name, v);
      });
      var headers = {};
      params.forEach(function (p) {
        var v = inputs[p.in + ":" + p.name].value;
        if (p.in === "header" && v !== "") headers[p.name] = v;
      });
      if (auth.token) headers.authorization = "Bearer " + auth.token;
      if (auth.apiKey) headers["x-api-key"] = auth.apiKey;
      var init = { method: method.toUpperCase(), headers: headers };
      if (body) { headers["content-type"] = "application/json"; init.body = body.value; }
      var qs = query.toString();
      output.textContent = "…";
      var started = performance.now();
      fetch(url + (qs ? "?" + qs : ""), init).then(function (res) {
        return res.text().then(function (text) {
          var shown = text;
          try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
          output.textContent = res.status + " " + res.statusText + " (" + Math.round(performance.now() - started) + " ms)\n\n" + shown;
        });
      }, function (err) { output.textContent = String(err); });
    }
    var details = el("details", { class: "op op-" + method }, [
      el("summary", {}, [
        el("span", { class: "method", text: method.toUpperCase() }),
        el("code", { text: path }),
        el("span", { class: "summary", text: op.summary || "" }),
      ]),
      op.description ? el("p", { text: op.description }) : null,
      rows.length ? el("div", { class: "params" }, rows) : null,
      body,
      el("button", { type: "button", onclick: send, text: "Try it" }),
      output,
    ]);
    return details;
  }
  function loadService(item) {
    var target = item.querySelector(".ops");
    if (target.dataset.loaded) return;
    target.dataset.loaded = "1";
    target.textContent = "Loading…";
    fetch(item.dataset.spec).then(function (r) { return r.json(); }).then(function (doc) {
      target.textContent = "";
      Object.keys(doc.paths || {}).forEach(function (path) {
        ["get", "post", "put", "patch", "delete"].forEach(function (m) {
          var op = doc.paths[path][m];
          if (op) target.appendChild(operationView(doc, path, m, op));
        });
      });
      if (!target.childNodes.length) target.textContent = "No operations documented.";
    }, function (err) { target.textContent = "Could not load the document: " + err; delete target.dataset.loaded; });
  }
  document.getElementById("token").addEventListener("input", function (e) { auth.token = e.target.value.trim(); });
  document.getElementById("apikey").addEventListener("input", function (e) { auth.apiKey = e.target.value.trim(); });
  Array.prototype.forEach.call(document.querySelectorAll("li.service"), function (item) {
    item.querySelector("details").addEventListener("toggle", function () { loadService(item); });
  });
})();
`;

export const DOCS_STYLE = `body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
code{color:#444}ul{list-style:none;padding:0}li.service{margin:.5rem 0}
.auth{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}.auth label{display:flex;flex-direction:column;flex:1}
.op{border:1px solid #ddd;border-radius:4px;margin:.4rem 0;padding:.3rem .6rem}
.op summary{cursor:pointer;display:flex;gap:.6rem;align-items:baseline}
.method{font-weight:600;min-width:4rem}.op-get .method{color:#0a6}.op-post .method{color:#06c}
.op-put .method,.op-patch .method{color:#a60}.op-delete .method{color:#c22}.summary{color:#555}
.params label{display:flex;gap:.5rem;margin:.2rem 0}.params span{min-width:10rem}
textarea{width:100%;font-family:ui-monospace,monospace}
.response{background:#f6f6f6;padding:.5rem;overflow:auto;max-height:24rem;white-space:pre-wrap}
.response:empty{display:none}
`;
