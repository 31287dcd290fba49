// The error area ([data-testid=error]): one line per source (encode, decode,
// load, train, …). A new error from a source replaces its previous one; a
// success clears it. Errors never clear the last good output of a view.
// An error may come with a retry action: it then gets a Retry button.

export class Errors {
  constructor(area) {
    this.area = area;
    /** source -> message */
    this.messages = new Map();
    /** source -> retry function */
    this.retries = new Map();
    this.render();
  }

  show(source, error, retry = null) {
    const message = error instanceof Error ? error.message : String(error);
    this.messages.set(source, message);
    if (retry) this.retries.set(source, retry);
    else this.retries.delete(source);
    this.render();
  }

  clear(source) {
    this.retries.delete(source);
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
      row.append(what, text);
      const retry = this.retries.get(source);
      if (retry) {
        const again = document.createElement('button');
        again.type = 'button';
        again.className = 'ghost retry';
        again.textContent = 'Retry';
        again.dataset.testid = 'retry';
        again.addEventListener('click', () => {
          this.clear(source);
          retry();
        });
        row.append(again);
      }
      row.append(close);
      items.push(row);
    }
    this.area.replaceChildren(...items);
    this.area.hidden = items.length === 0;
  }
}
