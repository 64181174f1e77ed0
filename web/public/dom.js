// What the public page and the console share: building elements from text (never markup), and the
// API's problems as errors.
"use strict";

const $ = (id) => document.getElementById(id);

// Attributes (false or null: left out; true: present) and children: strings become text nodes.
function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// An answer that was not 2xx: its problem+json (RFC 9457) and, for a 429, how long to wait.
class ApiError extends Error {
  constructor(status, problem, retryAfter = 0) {
    super((problem && problem.detail) || "HTTP " + status);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}
