import type { ComponentType, ReactNode } from "react";

/**
 * The settings page's card for a list of things a person adds and manages (destinations,
 * event webhooks): heading with icon and lead, the add form, "none yet", then one row per
 * item; `children` go after the list (a confirmation dialog).
 */
export function SettingsListCard<T>(props: {
  titleId: string;
  testId: string;
  icon: ComponentType<{ className?: string }>;
  title: string;
  lead: string;
  form: ReactNode;
  /** undefined while loading: neither "none" nor rows show. */
  items: readonly T[] | undefined;
  emptyText: string;
  renderItem: (item: T) => ReactNode;
  children?: ReactNode;
}) {
  const Icon = props.icon;
  return (
    <section className="card settings-card" aria-labelledby={props.titleId} data-testid={props.testId}>
      <div className="settings-head">
        <Icon className="settings-icon" />
        <div>
          <h2 className="card-title" id={props.titleId}>
            {props.title}
          </h2>
          <p className="muted">{props.lead}</p>
        </div>
      </div>
      {props.form}
      {props.items && props.items.length === 0 ? <p className="muted">{props.emptyText}</p> : null}
      <ul className="rows">{props.items?.map(props.renderItem)}</ul>
      {props.children}
    </section>
  );
}
