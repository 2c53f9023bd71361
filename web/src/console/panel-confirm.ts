// A modal confirmation (native <dialog>: focus kept inside, Escape cancels) for the console's
// destructive or far-reaching actions; resolves true only when the person confirms.
import { el } from './panel-dom.ts';

export interface ConfirmTexts {
  title: string;
  message: string;
  confirm: string;
  cancel: string;
}

let counter = 0;

/** Asks the question in a modal dialog appended to `host`; removed once answered. */
export function confirmDialog(host: HTMLElement, texts: ConfirmTexts): Promise<boolean> {
  const id = `confirm-dialog-${++counter}`;
  const cancel = el('button', { type: 'button', class: 'secondary-button' }, texts.cancel);
  const confirm = el('button', { type: 'button', class: 'danger-button' }, texts.confirm);
  const dialog = el(
    'dialog',
    { class: 'confirm-dialog', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-message` },
    el('h3', { id: `${id}-title` }, texts.title),
    el('p', { id: `${id}-message` }, texts.message),
    el('div', { class: 'button-row' }, cancel, confirm),
  );
  host.append(dialog);
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  return new Promise((resolve) => {
    const close = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      opener?.focus();
      resolve(answer);
    };
    cancel.addEventListener('click', () => close(false));
    confirm.addEventListener('click', () => close(true));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    dialog.showModal();
    // The safe answer has the focus, so a stray Enter does not confirm.
    cancel.focus();
  });
}
