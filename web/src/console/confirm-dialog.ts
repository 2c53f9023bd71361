// A modal yes/no question (native <dialog>: focus trapped, Escape answers no), for destructive actions.
import { lt } from './lots-strings.ts';

/** Asks `question`; resolves true only when the person confirms. Focus starts on Cancel. */
export function confirmDialog(question: string, confirmLabel = lt('confirm')): Promise<boolean> {
  const dialog = document.createElement('dialog');
  dialog.className = 'confirm-dialog';
  dialog.setAttribute('aria-labelledby', 'confirm-dialog-text');
  const text = document.createElement('p');
  text.id = 'confirm-dialog-text';
  text.textContent = question;
  const row = document.createElement('div');
  row.className = 'button-row';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'secondary-button';
  cancel.textContent = lt('cancel');
  const confirm = document.createElement('button');
  confirm.type = 'button';
  confirm.className = 'danger-button';
  confirm.textContent = confirmLabel;
  row.append(cancel, confirm);
  dialog.append(text, row);
  document.body.append(dialog);
  const opener = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const answer = (yes: boolean) => {
      dialog.close();
      dialog.remove();
      opener?.focus();
      resolve(yes);
    };
    cancel.addEventListener('click', () => answer(false));
    confirm.addEventListener('click', () => answer(true));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      answer(false);
    });
    dialog.showModal();
    cancel.focus();
  });
}
