// The API reference viewer: renders /api/docs/json with DOM calls only (no innerHTML, no
// eval), so the page's CSP can stay `script-src 'self'`. Served by docs-page.ts.
const SPEC_URL = "/api/docs/json";
const METHODS = ["get", "post", "put", "patch", "delete"];

/** An element with text and children; text is never parsed as HTML. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** `#/components/schemas/X` references replaced by the schema they name, cycles cut. */
function resolve(schema, spec, seen = new Set()) {
  if (Array.isArray(schema)) return schema.map((item) => resolve(item, spec, seen));
  if (!schema || typeof schema !== "object") return schema;
  const ref = schema.$ref;
  if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
    const name = ref.slice("#/components/schemas/".length);
    const target = spec.components?.schemas?.[name];
    if (!target || seen.has(name)) return { $ref: ref };
    return resolve(target, spec, new Set([...seen, name]));
  }
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, resolve(value, spec, seen)]),
  );
}

const json = (value) => el("pre", {}, JSON.stringify(value, null, 2));

function operationView(method, path, operation, spec) {
  const locked = operation.security?.length ? " (session)" : "";
  const body = el("div", { class: "body" });
  if (operation.description) body.append(el("p", {}, operation.description));
  const params = operation.parameters ?? [];
  if (params.length > 0) {
    body.append(el("h4", {}, "Parameters"));
    const list = el("ul");
    for (const param of params) {
      const required = param.required ? ", required" : "";
      const type = param.schema?.type ? `: ${param.schema.type}` : "";
      list.append(el("li", {}, el("code", {}, param.name), ` (${param.in}${required})${type}`));
    }
    body.append(list);
  }
  const requestSchema = operation.requestBody?.content?.["application/json"]?.schema;
  if (requestSchema)
    body.append(el("h4", {}, "Request body (JSON)"), json(resolve(requestSchema, spec)));
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const schema = Object.values(response.content ?? {})[0]?.schema;
    body.append(el("h4", {}, `Response ${status}`));
    if (response.description) body.append(el("p", {}, response.description));
    if (schema) body.append(json(resolve(schema, spec)));
  }
  return el(
    "details",
    { class: "operation" },
    el(
      "summary",
      {},
      el("span", { class: `method ${method}` }, method.toUpperCase()),
      el("code", {}, path),
      ` ${operation.summary ?? ""}${locked}`,
    ),
    body,
  );
}

function render(spec) {
  const root = document.getElementById("reference");
  root.replaceChildren();
  root.append(el("h1", {}, `${spec.info?.title ?? "API"} ${spec.info?.version ?? ""}`));
  if (spec.info?.description) root.append(el("p", {}, spec.info.description));
  root.append(el("p", {}, "The OpenAPI document: ", el("a", { href: SPEC_URL }, SPEC_URL)));
  const groups = new Map();
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? "other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push(operationView(method, path, operation, spec));
    }
  }
  for (const [tag, operations] of groups) root.append(el("h2", {}, tag), ...operations);
}

fetch(SPEC_URL)
  .then((response) => {
    if (!response.ok) throw new Error(`${SPEC_URL} answered ${response.status}`);
    return response.json();
  })
  .then(render)
  .catch((error) => {
    document.getElementById("reference").replaceChildren(el("p", {}, String(error)));
  });
