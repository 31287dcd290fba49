// The error area ([data-testid=error]): one line per source (encode, decode,
// load, train, …). A new error from a source replaces its previous one; a
// success clears it. Errors never clear the last good output of a view.

export class Errors {
  constructor(area) {
    this.area = area;
    /** source -> message */
    this.messages = new Map();
    this.render();
  }

  show(source, error) {
    const message = error instanceof Error ? error.message : String(error);
    this.messages.set(source, message);
    this.render();
  }

  clear(source) {
    if (this.messages.delete(source)) this.render();
  }

  render() {
    const items = [];
    for (const [source, message] of this.messages) {
      const row = document.createElement('div');
      row.className = 'error-row';
      const what = document.createElement('strong');
      what.textContent = `${source[0].toUpperCase()}${source.slice(1)}: `;
      const text = document.createElement('span');
      text.textContent = message;
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'icon';
      close.textContent = '×';
      close.setAttribute('aria-label', `dismiss the ${source} error`);
      close.addEventListener('click', () => this.clear(source));
      row.append(what, text, close);
      items.push(row);
    }
    this.area.replaceChildren(...items);
    this.area.hidden = items.length === 0;
  }
}
