import { useEffect, useRef, type ReactNode } from "react";
import { useI18n } from "../i18n/i18n";

/**
 * A modal confirmation on the native <dialog>: focus moves into it and back, Escape closes
 * it, the page behind is inert.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const i18n = useI18n();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="dialog-title"
      onClose={props.onClose}
      onCancel={props.onClose}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          props.onConfirm();
        }}
      >
        <h2 id="dialog-title" className="dialog-title">
          {props.title}
        </h2>
        <div className="dialog-body">{props.children}</div>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={props.onClose} autoFocus>
            {props.cancelLabel ?? i18n.t("common.cancel")}
          </button>
          <button
            type="submit"
            className={props.danger ? "btn btn-danger" : "btn btn-primary"}
            disabled={props.busy}
            data-testid="confirm"
          >
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
