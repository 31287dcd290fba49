// Tiny DOM helpers: elements are built with createElement/textContent only.

/** el('div', {class: 'x', 'data-testid': 'y'}, child, 'text', …) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

/** The element with data-testid=id inside root. */
export function byTestId(id, root = document) {
  return root.querySelector(`[data-testid="${id}"]`);
}

/** Sets the text of `node` as textContent does, but when it holds just one
 *  Text node, changes that node's data (or nothing, if it is the same): no
 *  node is replaced, so the browser has less to restyle and lay out. */
export function setText(node, text) {
  const t = node.firstChild;
  if (t && t.nodeType === Node.TEXT_NODE && !t.nextSibling) {
    if (t.data !== text) t.data = text;
  } else node.textContent = text;
}
